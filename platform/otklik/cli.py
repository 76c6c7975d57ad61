"""`flask` commands: tenants, users, schedule, bootstrap. Each capability adds its own group in its folder
(`<capability>/cli.py`, calling `capabilities.add_cli_group`); CAPABILITY_CLI names those modules."""

from __future__ import annotations

import json
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .capabilities import CLI_COMMANDS, load
from .extensions import db
from .models import Tenant
from .plugins import SettingsError
from .profiles import load_profile
from .tenants import OnboardingError, add_member, create_tenant, find_or_create_user

CAPABILITY_CLI = ("otklik.intake.cli", "otklik.analysis.cli", "otklik.painmap.cli", "otklik.analytical.cli",
                  "otklik.publishing.cli", "otklik.demo",
                  "otklik.mail.cli", "otklik.surveys.cli")

tenants_cli = AppGroup("tenants", help="Authorities hosted on the platform.")
users_cli = AppGroup("users", help="People and their roles.")
schedule_cli = AppGroup("schedule", help="Scheduled analyses.")

DEMO_TENANTS = [
    ("nenets", "nenets-dzsn", None),
    ("omsk", "omsk-mintrud", "Министерство труда и социального развития Омской области"),
    ("astrakhan", "astrakhan-gjn", None),
    ("vladimir", "vladimir-minsoc", None),
]


def _fail(message: str, code: int = 2):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@tenants_cli.command("create")
@click.option("--profile", "profile_path", required=True, help="tenants/<name>.toml")
@click.option("--slug", required=True, help="Address of the authority: /<slug>/")
@click.option("--name", default=None, help="Full name (defaults to the profile's)")
@click.option("--officer-email", default=None, help="Give this person the responsible officer's role")
@click.option("--tracking-since", default=None, help="YYYY-MM-DD: scheduled analyses cover periods from here")
def tenants_create(profile_path, slug, name, officer_email, tracking_since):
    """Onboard an authority from its profile."""
    try:
        profile = load_profile(profile_path)
        since = date.fromisoformat(tracking_since) if tracking_since else None
        tenant = create_tenant(profile, slug, name, since)
        password = None
        if officer_email:
            _user, password = add_member(tenant, officer_email, "officer")
        db.session.commit()
    except (SettingsError, OnboardingError, ValueError) as exc:
        db.session.rollback()
        _fail(str(exc))
    click.echo(f"created {tenant.slug}: {tenant.name}")
    if password:
        click.echo(f"officer {officer_email} password: {password}")


@tenants_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def tenants_list(as_json):
    """Authorities with their time zone and enabled plugins."""
    rows = db.session.execute(select(Tenant).order_by(Tenant.slug)).scalars().all()
    if as_json:
        click.echo(json.dumps([{"slug": t.slug, "name": t.name, "timezone": t.timezone,
                                "plugins": sorted(t.plugins)} for t in rows], ensure_ascii=False))
        return
    for t in rows:
        click.echo(f"{t.slug:24} {t.timezone:18} {', '.join(sorted(t.plugins)):40} {t.name}")


@users_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--password", default=None, help="Generated and printed when omitted")
@click.option("--role", type=click.Choice(["admin", "analyst"]), default="admin")
def users_create_admin(email, password, role):
    """A regional administrator (or an Analytical Centre analyst with --role analyst)."""
    try:
        _user, generated = find_or_create_user(email, email, password, global_role=role)
        db.session.commit()
    except OnboardingError as exc:
        _fail(str(exc))
    click.echo(f"{role} {email}" + (f" password: {generated}" if generated else ""))


@users_cli.command("add")
@click.option("--tenant", "slug", required=True)
@click.option("--email", required=True)
@click.option("--role", type=click.Choice(["officer", "operator", "viewer"]), required=True)
@click.option("--password", default=None)
def users_add(slug, email, role, password):
    """Give a person a role in one authority."""
    tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        _fail(f"no authority {slug!r}")
    try:
        _user, generated = add_member(tenant, email, role, password=password)
        db.session.commit()
    except OnboardingError as exc:
        _fail(str(exc))
    click.echo(f"{role} {email} in {slug}" + (f" password: {generated}" if generated else ""))


def _user_by_email(email: str):
    from .models import User
    from .sessions import normalise_email

    user = db.session.execute(select(User).where(User.email == normalise_email(email))).scalar_one_or_none()
    if user is None:
        _fail(f"no user {email!r}")
    return user


@users_cli.command("reset-password")
@click.option("--email", required=True)
@click.option("--password", default=None, help="Generated and printed when omitted")
def users_reset_password(email, password):
    """Set a new password; every open session of the person ends at once. A generated one is a one-time password:
    the person chooses their own at the next sign-in."""
    from .tenants import reset_password

    user = _user_by_email(email)
    generated = None
    if password:
        user.set_password(password)
    else:
        generated = reset_password(user)
    db.session.commit()
    click.echo(f"{user.email}: password changed, signed out everywhere" + (f"; new password: {generated}" if generated else ""))


@users_cli.command("deactivate")
@click.option("--email", required=True)
def users_deactivate(email):
    """Stop a person from signing in; their open sessions end at once (memberships are kept)."""
    user = _user_by_email(email)
    user.active = False
    db.session.commit()
    click.echo(f"{user.email}: deactivated, signed out everywhere")


@users_cli.command("activate")
@click.option("--email", required=True)
def users_activate(email):
    """Let a deactivated person sign in again."""
    user = _user_by_email(email)
    user.active = True
    db.session.commit()
    click.echo(f"{user.email}: active")


@schedule_cli.command("tick")
@click.option("--now", default=None, help="ISO time to tick as (for catching up by hand)")
def schedule_tick(now):
    """Enqueue every analysis that is due, once."""
    from .jobs import tick

    click.echo(json.dumps(tick(now), ensure_ascii=False))


@schedule_cli.command("show")
@click.option("--tenant", "slug", required=True)
def schedule_show(slug):
    """The next runs of one authority, with the clause of its act behind each."""
    from .schedule import next_runs

    tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()
    if tenant is None:
        _fail(f"no authority {slug!r}")
    for run in next_runs(tenant):
        click.echo(f"{run['kind']:18} {run['cadence']:10} {run['period']:9} due {run['due_on']}  {run['clause']}")


@click.command("bootstrap")
@click.option("--admin-email", default="admin@otklik.local")
@click.option("--admin-password", default=None)
@click.option("--tracking-since", default=None, help="YYYY-MM-DD for the demo authorities")
def bootstrap(admin_email, admin_password, tracking_since):
    """Create the four authorities of tenants/ and a demo administrator (idempotent)."""
    from pathlib import Path

    tenants_dir = Path(current_app.config["TENANTS_DIR"])
    since = date.fromisoformat(tracking_since) if tracking_since else None
    for profile_name, slug, name in DEMO_TENANTS:
        if db.session.execute(select(Tenant.id).where(Tenant.slug == slug)).first():
            continue
        tenant = create_tenant(load_profile(tenants_dir / f"{profile_name}.toml"), slug, name, since)
        _user, _pw = add_member(tenant, f"officer@{slug}.local", "officer", password="officer")
        click.echo(f"created {slug}: officer@{slug}.local / officer")
    user, generated = find_or_create_user(admin_email, "Региональный администратор", admin_password, "admin")
    if admin_password is None and generated is None:
        click.echo(f"administrator {admin_email} exists (password unchanged)")
    else:
        click.echo(f"administrator: {admin_email} / {admin_password or generated}")
    find_or_create_user("analyst@otklik.local", "Аналитик Аналитического центра", "analyst", "analyst")
    db.session.commit()
    click.echo("analyst: analyst@otklik.local / analyst")


def register_cli(app) -> None:
    for group in (tenants_cli, users_cli, schedule_cli):
        app.cli.add_command(group)
    app.cli.add_command(bootstrap)
    load(CAPABILITY_CLI)
    for command in CLI_COMMANDS:
        app.cli.add_command(command)
