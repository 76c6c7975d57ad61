"""Flask extensions, created unbound here and bound to the app in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so Alembic migrations are stable on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _client_key() -> str:
    """Rate-limit key: tenant and client, hashed so no address is stored in Redis in clear. The hash is keyed
    with the app's secret: a plain hash of an IPv4 address could be reversed by trying all 2^32 of them."""
    import hashlib

    from flask import current_app, g, request

    tenant = getattr(g, "tenant", None)
    slug = tenant.slug if tenant else (request.view_args or {}).get("tenant_slug", "-")  # see finds_own_tenant
    raw = f"{slug}|{request.remote_addr}"
    secret = hashlib.blake2b(str(current_app.config.get("SECRET_KEY", "")).encode(), digest_size=32).digest()
    return hashlib.blake2b(raw.encode(), key=secret, digest_size=12).hexdigest()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=_client_key, default_limits=[])
