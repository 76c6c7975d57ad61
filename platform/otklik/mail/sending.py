"""The sending job: due outbox rows, in batches, over one SMTP connection per batch.

A temporary failure (a 4xx reply, a refused or dropped connection) leaves the message queued with a growing
delay (BACKOFF); a permanent one (a 5xx reply for that message) marks it `failed` with the relay's reply. Statuses
are written per batch and whatever happened (a `finally`), so a relay that stops mid-batch loses nothing: what it
took is `sent`, the rest stays `queued` for the next run.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app
from sqlalchemy import select, update

from ..extensions import db
from ..models import OutboundMessage, Tenant

log = logging.getLogger(__name__)

BATCH_SIZE = 500
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
"""Delay before the next attempt after the 1st, 2nd, 3rd and later temporary failures (capped at an hour)."""
SMTP_TIMEOUT = 30


class TemporaryFailure(Exception):
    """The relay cannot take mail now (connection refused or dropped): the batch stops, its rest stays queued."""


@dataclass
class SendOutcome:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "deferred": self.deferred}


@dataclass(frozen=True)
class Relay:
    """Where and how to hand mail over, from OTKLIK_SMTP_URL: smtp://[user:pass@]host[:port][?starttls=1] or
    smtps://[user:pass@]host[:port] (implicit TLS)."""

    host: str
    port: int
    tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> Relay:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"OTKLIK_SMTP_URL must start with smtp:// or smtps://, not {parts.scheme!r}")
        query = parse_qs(parts.query)
        return cls(host=parts.hostname or "127.0.0.1", port=parts.port or (465 if parts.scheme == "smtps" else 25),
                   tls=parts.scheme == "smtps", starttls=query.get("starttls", ["0"])[0] in ("1", "true", "yes"),
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None)

    def connect(self) -> smtplib.SMTP:
        try:
            if self.tls:
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT,
                                        context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)
                if self.starttls:
                    conn.starttls(context=ssl.create_default_context())
            if self.username:
                conn.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"cannot reach the relay {self.host}:{self.port}: {exc}") from exc
        return conn


POLICY = SMTP.clone(max_line_length=998, cte_type="7bit")
"""CRLF, 7-bit bodies (base64/quoted-printable, for any relay) and headers folded only past RFC 5322's 998: the
stdlib's folding of a long Cyrillic name into several encoded words drops the space at the fold ("социальнойзащиты"),
so one longer encoded word is written instead, which every mail client reads."""


def build_message(row, sender: str, sender_name: str | None, domain: str) -> EmailMessage:
    """The MIME message of an outbox row: plain text, with its HTML alternative when there is one. The policy
    refuses a header with a line break, a second guard behind queue_message's."""
    msg = EmailMessage(policy=POLICY)
    msg["From"] = Address(display_name=sender_name or "", addr_spec=sender)
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    if row.list_unsubscribe:
        msg["List-Unsubscribe"] = f"<{row.list_unsubscribe}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(row.text_body)
    if row.html_body:
        msg.add_alternative(row.html_body, subtype="html")
    return msg


def _backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {text}"[:1000]


def _classify(exc: smtplib.SMTPException) -> tuple[bool, str]:
    """(permanent?, the relay's reply) of a refusal of one message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return code >= 500, _reply(code, text)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500, _reply(exc.smtp_code, exc.smtp_error)
    return False, str(exc)[:1000]


class _Batch:
    """What happened to each row of one batch, written in a few statements."""

    def __init__(self):
        self.sent, self.failed, self.deferred = [], {}, {}

    def write(self, now: datetime, attempts: dict[int, int]) -> None:
        table = OutboundMessage
        for chunk in _chunks(self.sent):
            db.session.execute(update(table).where(table.id.in_(chunk)).values(status="sent", sent_at=now))
            db.session.execute(update(table).where(table.id.in_(chunk), table.erase_address_after_send.is_(True))
                               .values(to_address=None, text_body="", html_body=None, list_unsubscribe=None))
        for row_id, reply in self.failed.items():
            db.session.execute(update(table).where(table.id == row_id).values(
                status="failed", last_error=reply, attempts=attempts[row_id] + 1))
            db.session.execute(update(table).where(table.id == row_id, table.erase_address_after_send.is_(True))
                               .values(to_address=None, text_body="", html_body=None, list_unsubscribe=None))
        for row_id, reply in self.deferred.items():
            tries = attempts[row_id] + 1
            db.session.execute(update(table).where(table.id == row_id).values(
                last_error=reply, attempts=tries, next_attempt_at=now + _backoff(tries)))
        db.session.commit()


def _chunks(ids: list[int], size: int = 900):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def send_due(now: datetime | None = None, batch_size: int = BATCH_SIZE, limit: int | None = None) -> SendOutcome:
    """Send every queued message that is due, batch after batch, until none is left or the relay is unreachable."""
    now = now or datetime.now(UTC)
    config = current_app.config
    relay = Relay.from_url(config["SMTP_URL"])
    sender = config["MAIL_FROM"]
    domain = sender.rpartition("@")[2] or "localhost"
    names = dict(db.session.execute(select(Tenant.id, Tenant.name)).all())
    outcome = SendOutcome()
    last_id = 0
    while limit is None or outcome.sent + outcome.failed + outcome.deferred < limit:
        take = batch_size if limit is None else min(batch_size, limit - outcome.sent - outcome.failed - outcome.deferred)
        rows = db.session.execute(
            select(OutboundMessage.id, OutboundMessage.tenant_id, OutboundMessage.to_address, OutboundMessage.subject,
                   OutboundMessage.text_body, OutboundMessage.html_body, OutboundMessage.list_unsubscribe,
                   OutboundMessage.attempts)
            .where(OutboundMessage.status == "queued", OutboundMessage.next_attempt_at <= now,
                   OutboundMessage.id > last_id)
            .order_by(OutboundMessage.id).limit(take)).all()
        db.session.commit()  # end the read transaction: SQLite's writers are not kept waiting while we talk SMTP
        if not rows:
            break
        last_id = rows[-1].id
        if not _send_batch(rows, relay, sender, names, domain, now, outcome):
            break
    return outcome


def _send_batch(rows, relay: Relay, sender: str, names: dict, domain: str, now: datetime,
                outcome: SendOutcome) -> bool:
    """One SMTP connection for `rows`; False when the relay went away (the rest of the rows stays queued)."""
    batch = _Batch()
    attempts = {row.id: row.attempts for row in rows}
    try:
        conn = relay.connect()
    except TemporaryFailure as exc:
        outcome.errors.append(str(exc))
        outcome.deferred += len(rows)
        batch.deferred = {row.id: str(exc)[:1000] for row in rows}
        batch.write(now, attempts)
        return False
    try:
        for row in rows:
            try:
                msg = build_message(row, sender, names.get(row.tenant_id), domain)
            except (ValueError, TypeError) as exc:  # a header the policy refuses: this message can never go
                batch.failed[row.id] = f"cannot build the message: {exc}"[:1000]
                continue
            try:
                conn.send_message(msg)
            except smtplib.SMTPServerDisconnected as exc:
                return _lost(batch, row, exc, outcome)
            except smtplib.SMTPException as exc:  # a reply about this message (SMTPException is an OSError too)
                permanent, reply = _classify(exc)
                (batch.failed if permanent else batch.deferred)[row.id] = reply
                continue
            except OSError as exc:  # reset, timeout
                return _lost(batch, row, exc, outcome)
            batch.sent.append(row.id)
        return True
    finally:
        outcome.sent += len(batch.sent)
        outcome.failed += len(batch.failed)
        outcome.deferred += len(batch.deferred)
        batch.write(now, attempts)
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            conn.close()


def _lost(batch: _Batch, row, exc: Exception, outcome: SendOutcome) -> bool:
    """The connection went away during `row`: it waits for its backoff, the rows after it stay queued as they are."""
    batch.deferred[row.id] = f"connection lost: {exc}"[:1000]
    outcome.errors.append(f"connection lost: {exc}")
    return False


def send_job() -> dict:
    """RQ entry point (`otklik.mail.sending.send_job`): send what is due now."""
    return _send_job()


def _send_job() -> dict:
    from ..jobs import in_app

    @in_app
    def run() -> dict:
        outcome = send_due()
        if outcome.errors:
            log.warning("mail: %s", outcome.errors[-1])
        return outcome.as_dict()

    return run()


def due_count(now: datetime | None = None) -> int:
    from sqlalchemy import func

    now = now or datetime.now(UTC)
    return db.session.execute(select(func.count()).select_from(OutboundMessage).where(
        OutboundMessage.status == "queued", OutboundMessage.next_attempt_at <= now)).scalar_one()
