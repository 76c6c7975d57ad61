"""Settings from OTKLIK_* environment variables, with defaults that run on one machine (SQLite + embedded Redis)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_DIR = Path(os.environ.get("OTKLIK_INSTANCE_DIR", PROJECT_ROOT / "instance"))


def _secret_key() -> str:
    """A stable key for the embedded set-up: kept in the instance folder, created once."""
    if key := os.environ.get("OTKLIK_SECRET_KEY"):
        return key
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def from_env() -> dict:
    """Everything the app reads from the environment, in one place."""
    env = os.environ.get
    database_url = env("OTKLIK_DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'otklik.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    redis_url = env("OTKLIK_REDIS_URL", "redis://127.0.0.1:6380/0")
    return {
        "SECRET_KEY": _secret_key(),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: a database error is logged without the values it was given (a respondent's answers)
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": redis_url,
        "RQ_QUEUE": env("OTKLIK_RQ_QUEUE", "otklik"),
        "TICK_SECONDS": int(env("OTKLIK_TICK_SECONDS", "300")),
        # Sessions: HttpOnly, SameSite=Lax; idle timeout 30 minutes, absolute lifetime 12 hours.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env("OTKLIK_SECURE_COOKIES", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(env("OTKLIK_SESSION_IDLE_MINUTES", "30"))),
        "SESSION_ABSOLUTE_HOURS": int(env("OTKLIK_SESSION_ABSOLUTE_HOURS", "12")),
        "SESSION_REFRESH_EACH_REQUEST": True,
        # Uploads (appeal and answer imports) above this size get 413.
        "MAX_CONTENT_LENGTH": int(env("OTKLIK_MAX_UPLOAD_MB", "50")) * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "ru",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Moscow",
        "LANGUAGES": ["ru", "en"],
        "RATELIMIT_STORAGE_URI": redis_url,
        # Redis down: the limits go on in this process's memory (Flask-Limiter logs a warning and checks Redis again,
        # backing off), so sign-in and the public form keep working; short timeouts so a dead Redis costs no wait.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": "otklik-limits",
        "WTF_CSRF_TIME_LIMIT": None,
        "TENANTS_DIR": str(PROJECT_ROOT / "tenants"),
        "MIN_CELL_SIZE": int(env("OTKLIK_MIN_CELL_SIZE", "5")),
        # The Analytical Centre gives no verdict on a share of fewer than this many (docs/CENTRE.md).
        "CENTRE_MIN_VOLUME": int(env("OTKLIK_CENTRE_MIN_VOLUME", "30")),
        # Outbound mail (otklik.mail): the relay, smtp://[user:pass@]host[:port][?starttls=1] or smtps://...; the
        # default is the local catcher `make run` starts (messages saved under instance/mail/).
        "SMTP_URL": env("OTKLIK_SMTP_URL", f"smtp://127.0.0.1:{env('OTKLIK_MAIL_PORT', '8025')}"),
        "MAIL_FROM": env("OTKLIK_MAIL_FROM", "otklik@localhost"),
    }
