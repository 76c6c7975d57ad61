"""Sign-in and server-side sessions.

The signed cookie carries only a random token (flask-login keeps it where it would keep a user id: its
"alternative tokens"); the `user_session` row, found by the token's SHA-256, says whether the session is still
open. So sign-out, "sign out everywhere", a password change or reset, a deactivation and a removal from an
authority end a session at once, wherever the cookie was copied to. The rows live in the database, not in Redis:
sign-in must keep working while Redis is down.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.orm import Session
from werkzeug import security

from .extensions import db
from .localtime import as_utc
from .models import Membership, User, UserSession

TOUCH_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often: one write a minute, not a request


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(text: str | None) -> str:
    """The form in which e-mails are compared (and keyed for the per-account sign-in limit)."""
    return unicodedata.normalize("NFKC", text or "").strip().lower()


@functools.cache
def _dummy_hash() -> str:
    """A hash of no one's password, made once per process with the same method as real ones (scrypt): an unknown
    e-mail is checked against it, so it costs what a known one costs and the response time tells nothing."""
    return security.generate_password_hash(secrets.token_urlsafe(24), method="scrypt")


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None. Exactly one password check runs whatever the
    cause of a refusal (unknown e-mail, deactivated account, wrong password)."""
    user = db.session.execute(select(User).where(func.lower(User.email) == normalise_email(email))).scalar_one_or_none()
    matches = security.check_password_hash(user.password_hash if user is not None else _dummy_hash(), password)
    return user if matches and user is not None and user.active else None


def _idle() -> timedelta:
    return current_app.config["PERMANENT_SESSION_LIFETIME"]


def _touch_every() -> timedelta:
    return min(TOUCH_EVERY, _idle() / 2)


def open_session(user: User, user_agent: str = "") -> str:
    """A new server-side session of `user`; returns its token (kept only in the cookie)."""
    db.session.flush()  # a pending password change ends the old sessions first, never this new one
    token = secrets.token_urlsafe(32)
    now = _now()
    db.session.add(UserSession(
        id=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]),
        user_agent=user_agent_summary(user_agent),
    ))
    db.session.flush()
    user.session_token = token
    return token


def sign_in(user: User) -> None:
    """Sign `user` in in this browser: a fresh cookie (nothing of the visitor's before carries over) holding the
    token of a new server-side session. The caller commits."""
    purge_ended(user.id)
    session.clear()
    open_session(user, request.user_agent.string)
    login_user(user)
    session.pop("_id", None)  # flask-login's hash of address and browser: not needed, the row decides
    session.permanent = True  # the idle timeout (PERMANENT_SESSION_LIFETIME) runs from each request


def current_token() -> str | None:
    return session.get("_user_id")


def sign_out() -> None:
    """End this browser's session on the server and forget the cookie's contents. The caller commits."""
    token = current_token()
    if token:
        end(token)
    logout_user()
    session.clear()


def load_user(token: str) -> User | None:
    """flask-login's user loader: the user of an open session, or None when the session was ended, passed its
    absolute cap (SESSION_ABSOLUTE_HOURS from sign-in) or sat idle longer than PERMANENT_SESSION_LIFETIME. The
    signed cookie's own age enforces the idle timeout too; last_seen_at is written at most once a minute, so the
    row's check allows that minute on top."""
    row = db.session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id).where(UserSession.id == _digest(token))
    ).first()
    if row is None:
        return None
    record, user = row
    now = _now()
    last_seen = as_utc(record.last_seen_at)
    if (record.revoked_at is not None or not user.active or now >= as_utc(record.expires_at)
            or now - last_seen > _idle() + _touch_every()):
        return None
    if now - last_seen >= _touch_every():
        # Its own short transaction: the request's session may hold work its view will roll back or not commit.
        with db.engine.begin() as conn:
            conn.execute(update(UserSession.__table__).where(UserSession.__table__.c.id == record.id)
                         .values(last_seen_at=now))
    user.session_token = token
    return user


def end(token: str) -> None:
    db.session.execute(update(UserSession).where(UserSession.id == _digest(token), UserSession.revoked_at.is_(None))
                       .values(revoked_at=_now()).execution_options(synchronize_session=False))


def end_all(user_id: int) -> int:
    """Sign a user out everywhere; returns how many open sessions were ended. The caller commits."""
    result = db.session.execute(
        update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=_now()).execution_options(synchronize_session=False)
    )
    return result.rowcount


def open_sessions(user_id: int) -> list[UserSession]:
    """A user's sessions that still open pages, newest first (for the account page)."""
    now = _now()
    rows = db.session.execute(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    ).scalars()
    return [r for r in rows if as_utc(r.expires_at) > now and now - as_utc(r.last_seen_at) <= _idle() + _touch_every()]


def is_current(record: UserSession) -> bool:
    token = current_token()
    return bool(token) and record.id == _digest(token)


def purge_ended(user_id: int) -> None:
    """Drop a user's sessions that ended more than a day ago (at each sign-in, so the table stays small)."""
    cutoff = _now() - timedelta(days=1)
    db.session.execute(
        UserSession.__table__.delete().where(UserSession.__table__.c.user_id == user_id,
                                             UserSession.__table__.c.expires_at < cutoff)
    )


_BROWSERS = (("YaBrowser/", "Yandex Browser"), ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def user_agent_summary(user_agent: str | None) -> str:
    """"Firefox, Windows": enough for a person to recognise their browser in the list, and no more (no version,
    no address)."""
    text = user_agent or ""
    browser = next((name for mark, name in _BROWSERS if mark in text), "")
    system = next((name for mark, name in _SYSTEMS if mark in text), "")
    return re.sub(r"\s+", " ", ", ".join(p for p in (browser, system) if p))[:100]


# Whatever path changes a password, deactivates a person or removes them from an authority (the account page, the
# administrator's pages, `flask users`), their open sessions end in the same transaction.
_PENDING = "otklik_end_sessions_of"


@event.listens_for(Session, "before_flush")
def _note_sessions_to_end(sess, _context, _instances):
    users = set()
    for obj in sess.dirty:
        if isinstance(obj, User):
            state = inspect(obj)
            if state.attrs.password_hash.history.has_changes() or (
                    state.attrs.active.history.has_changes() and not obj.active):
                users.add(obj.id)
    for obj in sess.deleted:
        if isinstance(obj, Membership):
            users.add(obj.user_id)
    if users:
        sess.info.setdefault(_PENDING, set()).update(users)


@event.listens_for(Session, "after_flush")
def _end_noted_sessions(sess, _context):
    users = sess.info.pop(_PENDING, None)
    if users:
        table = UserSession.__table__
        sess.connection().execute(
            table.update().where(table.c.user_id.in_(users), table.c.revoked_at.is_(None)).values(revoked_at=_now())
        )
