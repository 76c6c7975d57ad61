"""The outbox and its sending job, through a real SMTP server (aiosmtpd) and a real RQ worker."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from otklik.extensions import db
from otklik.mail import MailRefused, queue_message
from otklik.mail.sending import Relay, send_due
from otklik.models import OutboundMessage


def _rows():
    return db.session.execute(select(OutboundMessage).order_by(OutboundMessage.id)).scalars().all()


def test_queued_message_is_sent_after_commit_by_the_job(app, make_tenant, smtp_sink, run_jobs):
    tenant = make_tenant("vladimir", slug="vlad-mail")
    with app.app_context():
        queue_message(to="Person@Example.org", subject="Опрос о качестве услуг", text="Текст письма",
                      html="<p>Текст письма</p>", purpose="test", tenant_id=tenant.id)
        db.session.commit()
    run_jobs()
    assert len(smtp_sink.messages) == 1
    msg = smtp_sink.messages[0]
    assert msg["To"] == "Person@example.org"  # the domain normalised, the local part kept
    assert msg["Subject"] == "Опрос о качестве услуг"
    # decoded as RFC 2047 says (adjacent encoded words join, whitespace between them dropped); the stdlib's parsers
    # add or drop a space where the header was folded, so the words are decoded here by hand
    raw_from = smtp_sink.raw[0]["From"]
    words = re.findall(r"=\?utf-8\?b\?([^?]*)\?=", raw_from)
    assert b"".join(base64.b64decode(w) for w in words).decode() == tenant.name
    assert raw_from.endswith("<otklik@test.example>")
    assert msg.get_body(("plain",)).get_content().strip() == "Текст письма"
    assert msg.get_body(("html",)).get_content().strip() == "<p>Текст письма</p>"
    with app.app_context():
        (row,) = _rows()
        assert row.status == "sent" and row.sent_at is not None and row.to_address == "Person@example.org"


def test_erase_address_after_send_drops_address_and_bodies(app, smtp_sink, run_jobs):
    with app.app_context():
        queue_message(to="a@example.org", subject="S", text="link https://x/invite/SECRET", purpose="test",
                      erase_address_after_send=True, list_unsubscribe="https://x/unsubscribe/T")
        db.session.commit()
    run_jobs()
    assert smtp_sink.messages[0]["List-Unsubscribe"] == "<https://x/unsubscribe/T>"
    assert smtp_sink.messages[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with app.app_context():
        (row,) = _rows()
        assert (row.status, row.to_address, row.text_body, row.list_unsubscribe) == ("sent", None, "", None)


@pytest.mark.parametrize("field, value", [
    ("subject", "Hello\r\nBcc: victim@example.org"),
    ("subject", "Hello\nBcc: victim@example.org"),
    ("subject", "Hello\x00"),
    ("to", "a@example.org\r\nBcc: victim@example.org"),
    ("to", "a@example.org\nCc: victim@example.org"),
    ("list_unsubscribe", "https://x/\r\nBcc: victim@example.org"),
])
def test_header_injection_is_refused_and_nothing_queued(app, field, value):
    kwargs = {"to": "a@example.org", "subject": "S", "text": "t", "purpose": "test", field: value}
    with app.app_context():
        with pytest.raises(MailRefused) as refused:
            queue_message(**kwargs)
        assert refused.value.field == field
        db.session.commit()
        assert db.session.execute(select(func.count()).select_from(OutboundMessage)).scalar_one() == 0


@pytest.mark.parametrize("address", ["not-an-address", "a@", "@example.org", "a b@example.org", ""])
def test_invalid_address_is_refused(app, address):
    with app.app_context(), pytest.raises(MailRefused):
        queue_message(to=address, subject="S", text="t", purpose="test")


def test_permanent_refusal_recorded_per_message_temporary_stays_queued(app, smtp_sink):
    smtp_sink.refuse["gone@example.org"] = "550 5.1.1 No such user"
    smtp_sink.refuse["busy@example.org"] = "451 4.2.1 Mailbox busy, try later"
    with app.app_context():
        for to in ("ok1@example.org", "gone@example.org", "busy@example.org", "ok2@example.org"):
            queue_message(to=to, subject="S", text="t", purpose="test")
        db.session.commit()
        now = datetime.now(UTC)
        outcome = send_due(now=now)
        assert outcome.as_dict() == {"sent": 2, "failed": 1, "deferred": 1}
        by_address = {row.to_address: row for row in _rows()}
        assert by_address["gone@example.org"].status == "failed"
        assert by_address["gone@example.org"].last_error.startswith("550")
        busy = by_address["busy@example.org"]
        assert busy.status == "queued" and busy.attempts == 1 and busy.last_error.startswith("451")
        # not due again before its backoff; sent once the mailbox takes it
        assert send_due(now=now + timedelta(seconds=10)).as_dict() == {"sent": 0, "failed": 0, "deferred": 0}
        del smtp_sink.refuse["busy@example.org"]
        assert send_due(now=now + timedelta(minutes=2)).as_dict() == {"sent": 1, "failed": 0, "deferred": 0}
    assert sorted(m["To"] for m in smtp_sink.messages) == ["busy@example.org", "ok1@example.org", "ok2@example.org"]


def test_relay_down_leaves_everything_queued(app, smtp_sink):
    smtp_sink.stop()
    with app.app_context():
        for i in range(3):
            queue_message(to=f"p{i}@example.org", subject="S", text="t", purpose="test")
        db.session.commit()
        now = datetime.now(UTC)
        outcome = send_due(now=now)
        assert (outcome.sent, outcome.deferred) == (0, 3) and "cannot reach the relay" in outcome.errors[0]
        assert {(r.status, r.attempts) for r in _rows()} == {("queued", 1)}
        smtp_sink.start()
        assert send_due(now=now + timedelta(minutes=2)).sent == 3
    assert len(smtp_sink.messages) == 3


def test_relay_stopping_mid_batch_loses_nothing(app, smtp_sink):
    """The server dies after its 7th message of 200 (the stop takes a few more): what it took is `sent`, the rest
    waits; once it is back, all 200 have arrived, each once."""
    smtp_sink.stop_after = 7
    addresses = [f"person{i:03d}@example.org" for i in range(200)]
    with app.app_context():
        for to in addresses:
            queue_message(to=to, subject="S", text="t", purpose="test")
        db.session.commit()
        now = datetime.now(UTC)
        first = send_due(now=now)
        assert first.errors and 7 <= first.sent < 200
        assert first.sent == len(smtp_sink.messages)
        statuses = [r.status for r in _rows()]
        assert statuses.count("sent") == first.sent and statuses.count("queued") == 200 - first.sent
        smtp_sink.start()
        second = send_due(now=now + timedelta(hours=2))
        assert second.sent == 200 - first.sent
        assert {r.status for r in _rows()} == {"sent"}
    assert sorted(m["To"] for m in smtp_sink.messages) == addresses


def test_relay_url_forms():
    plain = Relay.from_url("smtp://relay.example:2525")
    assert (plain.host, plain.port, plain.tls, plain.starttls, plain.username) == ("relay.example", 2525, False,
                                                                                   False, None)
    secure = Relay.from_url("smtps://user%40gov:p%3Ass@mail.gov.example")
    assert (secure.port, secure.tls, secure.username, secure.password) == (465, True, "user@gov", "p:ss")
    assert Relay.from_url("smtp://h?starttls=1").starttls
    with pytest.raises(ValueError):
        Relay.from_url("http://h")


def test_mail_send_command_prints_sent_and_failed(app, smtp_sink):
    smtp_sink.refuse["gone@example.org"] = "550 No such user"
    with app.app_context():
        queue_message(to="ok@example.org", subject="S", text="t", purpose="test")
        queue_message(to="gone@example.org", subject="S", text="t", purpose="test")
        app.config["MAIL_SEND_ON_COMMIT"] = False
        try:
            db.session.commit()
        finally:
            app.config.pop("MAIL_SEND_ON_COMMIT")
    result = app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert '"sent": 1, "failed": 1' in result.output


def test_local_catcher_saves_each_message_as_eml(app, tmp_path):
    """What `make run` starts (Procfile `mail`): every message the app sends lands in instance/mail/ as a file."""
    from otklik.mail.sink import MailSink

    catcher = MailSink(directory=tmp_path / "mail", keep=False).start()
    previous, app.config["SMTP_URL"] = app.config["SMTP_URL"], catcher.url
    try:
        with app.app_context():
            queue_message(to="a@example.org", subject="Приглашение", text="Здравствуйте", purpose="test")
            queue_message(to="b@example.org", subject="Приглашение", text="Здравствуйте", purpose="test")
            app.config["MAIL_SEND_ON_COMMIT"] = False
            db.session.commit()
            app.config.pop("MAIL_SEND_ON_COMMIT")
            assert send_due().sent == 2
    finally:
        catcher.stop()
        app.config["SMTP_URL"] = previous
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    import email
    from email.policy import default

    saved = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert saved["To"] == "a@example.org" and saved.get_body(("plain",)).get_content().strip() == "Здравствуйте"
