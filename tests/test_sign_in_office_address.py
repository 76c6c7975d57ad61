"""Issue 24, item 8: the morning sign-in behind one office address. The per-address limit counts refused
passwords only, so a whole office signs in from its shared address, while guessing from it stays limited."""

from __future__ import annotations

import pytest

OFFICE_ADDRESS = "10.24.8.1"
TOO_MANY = "Слишком много попыток входа. Подождите несколько минут и попробуйте снова."
COLLEAGUES = 30
ADDRESS_FAILURES_PER_MINUTE = 10  # docs/ARCHITECTURE.md, "Sign-in limits"


@pytest.fixture
def office(make_tenant, make_user):
    tenant = make_tenant("omsk", slug="omsk-a")
    for i in range(COLLEAGUES):
        make_user(f"colleague{i}@example.org", tenant=tenant, role="operator")
    return tenant


def _sign_in(app, email: str, password: str):
    """Each colleague in a browser of their own, all behind the office's one address."""
    return app.test_client().post("/login", data={"email": email, "password": password},
                                  environ_base={"REMOTE_ADDR": OFFICE_ADDRESS})


def test_thirty_colleagues_sign_in_from_one_address_within_a_minute(app, office):
    codes = [_sign_in(app, f"colleague{i}@example.org", "secret-pass").status_code for i in range(COLLEAGUES)]
    assert codes == [302] * COLLEAGUES


def test_guessing_from_the_office_address_stays_limited_after_the_morning_sign_in(app, office):
    for i in range(COLLEAGUES):
        assert _sign_in(app, f"colleague{i}@example.org", "secret-pass").status_code == 302
    # Ten wrong passwords, each for another account (below every account's own limit of five), are answered;
    # the eleventh guess from the address is refused without a password check, in the same words as ever.
    codes = [_sign_in(app, f"colleague{i}@example.org", "guess").status_code
             for i in range(ADDRESS_FAILURES_PER_MINUTE + 1)]
    assert codes == [401] * ADDRESS_FAILURES_PER_MINUTE + [429]
    refused = _sign_in(app, "colleague20@example.org", "guess")
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)


def test_a_typo_among_colleagues_does_not_lock_the_office(app, office):
    """A few mistyped passwords in the morning rush are counted, and the rest of the office still signs in."""
    codes = []
    for i in range(COLLEAGUES):
        if i % 10 == 0:
            codes.append(_sign_in(app, f"colleague{i}@example.org", "typo").status_code)
        codes.append(_sign_in(app, f"colleague{i}@example.org", "secret-pass").status_code)
    assert codes.count(401) == 3 and codes.count(302) == COLLEAGUES and 429 not in codes
