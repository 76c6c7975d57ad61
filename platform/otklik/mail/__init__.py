"""Outbound mail: one outbox, one sending job, for every capability (invitations, digests, subscriptions).

A capability calls `queue_message(...)` inside its own transaction; the row is sent after that transaction commits
(the commit asks the queue for the sending job, and the scheduler tick asks again for whatever is still due), in
batches over one SMTP connection (`otklik.mail.sending`). Addresses are checked with email-validator and no header
can carry CR, LF or NUL, so a list or a form can never add a header or a recipient (header injection).
"""

from __future__ import annotations

import logging

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..models.mail import OutboundMessage

log = logging.getLogger(__name__)

FORBIDDEN_IN_HEADERS = ("\r", "\n", "\x00")
SEND_JOB_ID = "mail__send"
_QUEUED_FLAG = "otklik_mail_queued"


class MailRefused(ValueError):
    """A message that cannot be queued: `reason` says why in words (an invalid address, a header with CR/LF/NUL)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def check_header(field: str, value: str | None) -> None:
    """Refuse a header value carrying CR, LF or NUL: such a value could start a header or a message of its own."""
    if value is not None and any(ch in value for ch in FORBIDDEN_IN_HEADERS):
        raise MailRefused(field, "contains a line break or a NUL character")


def normalize_address(address: str) -> str:
    """The address as email-validator normalises it (no DNS look-up: the relay decides deliverability);
    MailRefused with the validator's reason otherwise."""
    check_header("to", address)
    try:
        return validate_email(address.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise MailRefused("to", str(exc)) from exc


def queue_message(*, to: str, subject: str, text: str, html: str | None = None, purpose: str,
                  tenant_id: int | None = None, erase_address_after_send: bool = False,
                  list_unsubscribe: str | None = None) -> OutboundMessage:
    """Add one e-mail to the outbox in the current session (the caller commits); it is sent after the commit.
    `purpose` names the sender capability ("invitation", "digest", ...); `tenant_id` signs it with the authority's
    name; `erase_address_after_send` drops the address and the bodies once the relay took or refused it;
    `list_unsubscribe`: the one-click unsubscribe URL (RFC 8058 headers). Raises MailRefused."""
    address = normalize_address(to)
    check_header("subject", subject)
    check_header("list_unsubscribe", list_unsubscribe)
    if not subject.strip():
        raise MailRefused("subject", "is empty")
    message = OutboundMessage(to_address=address, subject=subject, text_body=text, html_body=html, purpose=purpose,
                              tenant_id=tenant_id, erase_address_after_send=erase_address_after_send,
                              list_unsubscribe=list_unsubscribe, status="queued")
    db.session.add(message)
    db.session.info[_QUEUED_FLAG] = True
    return message


def request_sending() -> bool:
    """Ask the queue for the sending job (once: a deterministic id). False when Redis is down: the tick asks again."""
    from ..jobs import QueueUnavailable, enqueue_once

    try:
        enqueue_once("otklik.mail.sending.send_job", job_id=SEND_JOB_ID, description="send queued e-mail")
    except QueueUnavailable:
        log.warning("mail: the queue is down; the tick will start sending")
        return False
    return True


@event.listens_for(Session, "after_commit")
def _send_after_commit(session) -> None:
    if session.info.pop(_QUEUED_FLAG, False) and current_app.config.get("MAIL_SEND_ON_COMMIT", True):
        request_sending()


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session) -> None:
    session.info.pop(_QUEUED_FLAG, None)


__all__ = ["MailRefused", "check_header", "normalize_address", "queue_message", "request_sending"]
