"""People and their rights: global roles (admin, analyst) and memberships of one tenant."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..tenancy import TenantOwned
from .base import Timestamps

GLOBAL_ROLES = ("admin", "analyst")
TENANT_ROLES = ("officer", "operator", "viewer")


class User(UserMixin, Timestamps, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    global_role: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Set by an administrator's reset (a one-time password): every page asks for a new password until it is changed.
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                       server_default=false())

    def get_id(self) -> str:
        """What flask-login keeps in the signed cookie: the token of the server-side session this user signed in
        with (flask-login's "alternative tokens"), never the user's id, so ending the session ends the cookie."""
        token = getattr(self, "session_token", None)
        if not token:
            raise RuntimeError("sign in through otklik.sessions.sign_in, which opens a server-side session")
        return token

    def set_password(self, password: str) -> None:
        # scrypt (werkzeug's default): a memory-hard KDF with a per-password salt.
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.global_role == "admin"

    @property
    def is_analyst(self) -> bool:
        return self.global_role == "analyst"


class Membership(TenantOwned, Timestamps, db.Model):
    """A user's role in one tenant: officer, operator or viewer."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False)

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(TenantOwned, Timestamps, db.Model):
    """A per-tenant API token: shown once, stored as a SHA-256 hash, revocable."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, name: str) -> tuple[ApiToken, str]:
        """A new token and its clear text, which is never stored."""
        clear = "otk_" + secrets.token_urlsafe(32)
        return cls(name=name, token_hash=cls.hash(clear), prefix=clear[:10]), clear


class UserSession(db.Model):
    """A signed-in browser. The signed cookie carries a random token; the row's id is its SHA-256 (as API tokens:
    reading the table gives no usable session). Ending the row ends the session at once, wherever the cookie is."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)  # the absolute cap
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # "Firefox, Windows": no IP
