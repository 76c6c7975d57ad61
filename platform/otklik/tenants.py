"""Onboarding: a tenant from a profile, and the people who work in it."""

from __future__ import annotations

import re
import secrets
from datetime import date

from sqlalchemy import select

from .extensions import db
from .models import Membership, Tenant, User
from .models.user import TENANT_ROLES
from .plugins import SettingsError
from .profiles import Profile
from .tenancy import across_tenants, tenant_scope

SLUG = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
RESERVED_SLUGS = {"admin", "api", "centre", "login", "logout", "static", "lang", "health", "account", "low-vision"}


class OnboardingError(ValueError):
    pass


def check_slug(slug: str) -> str:
    if not SLUG.match(slug or ""):
        raise OnboardingError(f"slug {slug!r}: lowercase Latin letters, digits and '-', 2-63 characters")
    if slug in RESERVED_SLUGS:
        raise OnboardingError(f"slug {slug!r} is reserved for the platform's own pages")
    if db.session.execute(select(Tenant.id).where(Tenant.slug == slug)).first():
        raise OnboardingError(f"slug {slug!r} is taken")
    return slug


def create_tenant(profile: Profile, slug: str, name: str | None = None, tracking_since: date | None = None) -> Tenant:
    """The tenant with the profile's identity (name, region, time zone, act, peer group, population) and rules; the
    onboarding form passes a copy of the profile with the identity the administrator typed."""
    check_slug(slug)
    tenant = Tenant(
        slug=slug,
        name=name or profile.name,
        short_name=profile.short_name,
        region=profile.region,
        timezone=profile.timezone,
        legal_act=profile.act,
        act_date=profile.act_date,
        authority_kind=profile.authority_kind,
        population=profile.population,
        population_source=profile.population_source,
        profile_name=profile.source.rsplit("/", 1)[-1],
        rules=profile.rules,
        plugins=profile.plugins,
        tracking_since=tracking_since or date.today(),
    )
    db.session.add(tenant)
    db.session.flush()
    return tenant


def update_plugins(tenant: Tenant, plugins: dict, where: str = "settings") -> None:
    from .plugins import get_plugin_manager

    tenant.plugins = get_plugin_manager().validate_all(plugins, f"{where}: ")


def email_syntax_error(address: str) -> str | None:
    """Why `address` is not an e-mail address (email_validator's syntax rules, no DNS), or None. Special-use and
    reserved domains (the demo's `.local`, `.test`, a closed network's names) are accepted: their syntax is checked
    with an ordinary domain in place of the reserved suffix."""
    import email_validator

    address = (address or "").strip()
    try:
        email_validator.validate_email(address, check_deliverability=False, test_environment=True)
        return None
    except email_validator.EmailNotValidError as exc:
        local, _at, domain = address.rpartition("@")
        domain = domain.lower()
        special = next((d for d in email_validator.SPECIAL_USE_DOMAIN_NAMES
                        if domain == d or domain.endswith("." + d)), None)
        if special is None or not local:
            return str(exc)
        stand_in = domain[: -len(special)] + "example.org"
        try:
            email_validator.validate_email(f"{local}@{stand_in}", check_deliverability=False)
        except email_validator.EmailNotValidError as inner:
            return str(inner)
        return None


def find_or_create_user(email: str, name: str = "", password: str | None = None, global_role: str | None = None):
    """Returns (user, generated password or None)."""
    email = email.strip().lower()
    problem = email_syntax_error(email)
    if problem:
        raise OnboardingError(f"{email!r} is not an e-mail address: {problem}")
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    generated = None
    if user is None:
        generated = None if password else secrets.token_urlsafe(12)
        user = User(email=email, name=name or email, global_role=global_role)
        user.set_password(password or generated)
        db.session.add(user)
        db.session.flush()
    elif password:
        user.set_password(password)
    if global_role and user.global_role != global_role:
        user.global_role = global_role
    return user, generated


def add_member(tenant: Tenant, email: str, role: str, name: str = "", password: str | None = None):
    """Give a person a role in a tenant. Returns (user, generated password or None)."""
    if role not in TENANT_ROLES:
        raise OnboardingError(f"role {role!r}: expected one of {', '.join(TENANT_ROLES)}")
    user, generated = find_or_create_user(email, name, password)
    with tenant_scope(tenant):
        membership = db.session.execute(
            select(Membership).where(Membership.user_id == user.id)
        ).scalar_one_or_none()
        if membership is None:
            db.session.add(Membership(user_id=user.id, role=role))
        else:
            membership.role = role
        db.session.flush()
    return user, generated


def change_role(membership: Membership, role: str) -> None:
    """A member's new role in their authority (the change reaches their open sessions at their next page)."""
    if role not in TENANT_ROLES:
        raise OnboardingError(f"role {role!r}: expected one of {', '.join(TENANT_ROLES)}")
    membership.role = role
    db.session.flush()


def remove_member(membership: Membership) -> None:
    """Take a person's role in this authority away; their open sessions end in the same transaction
    (sessions' flush listener)."""
    db.session.delete(membership)
    db.session.flush()


def reset_password(user: User) -> str:
    """A one-time password for a person who lost theirs: every open session of theirs ends (the hash changes) and
    the next sign-in asks for a password of their own. Returns the password, to be shown once."""
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.must_change_password = True
    db.session.flush()
    return password


def update_identity(tenant: Tenant, **identity) -> None:
    """The authority's identity as the administrator typed it (name, short name, region, time zone, act and its
    date, kind, population and its source); the web form has checked each value."""
    allowed = {"name", "short_name", "region", "timezone", "legal_act", "act_date", "authority_kind", "population",
               "population_source", "inn"}
    stray = set(identity) - allowed
    if stray:
        raise OnboardingError(f"unknown identity fields: {', '.join(sorted(stray))}")
    for key, value in identity.items():
        setattr(tenant, key, value)
    db.session.flush()


def memberships_of(user) -> list[Membership]:
    """Every tenant a user works in (for the chooser after login)."""
    stmt = across_tenants(select(Membership).where(Membership.user_id == user.id))
    return list(db.session.execute(stmt).scalars())


def role_in(user, tenant) -> str | None:
    stmt = across_tenants(select(Membership.role).where(Membership.user_id == user.id, Membership.tenant_id == tenant.id))
    return db.session.execute(stmt).scalar_one_or_none()


__all__ = ["OnboardingError", "SettingsError", "add_member", "create_tenant", "memberships_of", "role_in"]


def tenant_for_command(slug: str) -> Tenant:
    """The authority a `flask ... --tenant SLUG` command names, or exit 2 with the known slugs (for the command
    groups of every capability)."""
    import sys

    import click

    tenant = db.session.execute(across_tenants(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()
    if tenant is None:
        slugs = db.session.execute(across_tenants(select(Tenant.slug).order_by(Tenant.slug))).scalars().all()
        click.echo(f"error: no tenant {slug!r}; known: {', '.join(slugs) or 'none'}", err=True)
        sys.exit(2)
    return tenant
