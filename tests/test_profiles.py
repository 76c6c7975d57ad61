"""Tenant profiles: the four authorities load, cite their acts, and a bad profile says file, key and reason."""

from pathlib import Path

import pytest

from otklik.channels import STANDARD_CHANNELS
from otklik.plugins import SettingsError
from otklik.profiles import load_profile, parse_profile

TENANTS = Path(__file__).resolve().parents[1] / "tenants"
PROFILES = ["nenets", "omsk", "astrakhan", "vladimir"]


@pytest.mark.parametrize("name", PROFILES)
def test_profile_loads_and_cites_a_clause_for_every_rule(name):
    profile = load_profile(TENANTS / f"{name}.toml")
    assert profile.act and profile.timezone and profile.rules["clauses"]["audiences"]
    assert set(profile.plugins["channels"]["channels"]) <= set(STANDARD_CHANNELS)
    assert profile.plugins["channels"]["clauses"]["channels"].startswith("п.")
    periodicity = profile.plugins["periodicity"]
    for kind in ("appeals", "surveys", "employee_surveys"):
        if periodicity[kind] != "none":
            assert periodicity["clauses"].get(kind), f"{name}: {kind} cadence cites no clause"
    for plugin, settings in profile.plugins.items():
        declared = {k for k in settings if k != "clauses"}
        assert settings["clauses"] or not declared, f"{name}: plugin {plugin} cites nothing"


def test_the_acts_rules_as_domain_md_tabulates_them():
    p = {n: load_profile(TENANTS / f"{n}.toml") for n in PROFILES}
    assert p["omsk"].timezone == "Asia/Omsk"
    assert p["astrakhan"].timezone == "Europe/Astrakhan"
    assert p["vladimir"].rules["audiences"] == ["external"]
    assert p["nenets"].plugins["periodicity"]["surveys"] == "month_or_quarter"
    assert p["omsk"].plugins["periodicity"]["yearly_appeals_analysis"] is True
    assert p["astrakhan"].plugins["periodicity"]["appeals"] == "half_year"
    assert p["vladimir"].plugins["periodicity"]["publication_deadline_days"] == 45
    assert p["vladimir"].plugins["publication"]["appeals_analysis"] is True
    assert not p["omsk"].plugins["publication"]["appeals_analysis"]


def test_template_profile_is_refused_until_filled_in():
    with pytest.raises(SettingsError) as err:
        load_profile(TENANTS / "_template.toml")
    assert "_template.toml" in str(err.value) and "tenant.name" in str(err.value)


GOOD = (TENANTS / "vladimir.toml").read_text()


@pytest.mark.parametrize(
    "change, key, reason",
    [
        (("timezone = \"Europe/Moscow\"", "timezone = \"Mars/Olympus\""), "tenant.timezone", "unknown time zone"),
        (("appeals = \"quarter\"", "appeals = \"weekly\""), "plugins.periodicity.appeals", "not one of"),
        (("publication_deadline_days = 45", "publication_deadline_days = \"45\""),
         "plugins.periodicity.publication_deadline_days", "expected int"),
        (("\"hotline\",", "\"hotline\", \"pigeon\","), "plugins.channels.channels", "unknown 'pigeon'"),
        (("[plugins.publication]", "[plugins.astrology]\nx = 1\n\n[plugins.publication]"), "plugins.astrology",
         "no such plugin"),
        (("audiences = [\"external\"]", "audiences = [\"citizens\"]"), "tenant.audiences", "expected a non-empty list"),
        (("[tenant]", "[tenant]\ncolour = \"red\""), "tenant.colour", "unknown key"),
        (("[tenant]", "[tenant"), "(syntax)", ""),
    ],
)
def test_bad_profile_names_file_key_and_reason(change, key, reason):
    with pytest.raises(SettingsError) as err:
        parse_profile(GOOD.replace(*change, 1), "tenants/broken.toml")
    message = str(err.value)
    assert message.startswith("tenants/broken.toml: ")
    assert err.value.key == key, message
    assert reason in message


def test_cli_creates_and_lists_tenants(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tenants", "create", "--profile", str(TENANTS / "omsk.toml"), "--slug", "omsk-mintrud",
                                 "--name", "Министерство труда и социального развития Омской области",
                                 "--officer-email", "officer@omsk.example"])
    assert result.exit_code == 0, result.output
    assert "officer@omsk.example password:" in result.output
    listing = runner.invoke(args=["tenants", "list"])
    assert "omsk-mintrud" in listing.output and "Asia/Omsk" in listing.output
    assert "Министерство труда" in listing.output

    again = runner.invoke(args=["tenants", "create", "--profile", str(TENANTS / "omsk.toml"), "--slug", "omsk-mintrud"])
    assert again.exit_code != 0 and "is taken" in again.output

    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("appeals = \"quarter\"", "appeals = \"weekly\""), encoding="utf-8")
    refused = runner.invoke(args=["tenants", "create", "--profile", str(bad), "--slug", "broken"])
    assert refused.exit_code == 2
    assert f"{bad}: plugins.periodicity.appeals:" in refused.output
    assert "broken" not in runner.invoke(args=["tenants", "list"]).output
