"""`flask publications ...`: draft, approve, publish and list an authority's publications from the command line
(issue 12, item 10). The same service as the office pages: what the act forbids is refused, naming the clause."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..capabilities import add_cli_group
from ..extensions import db
from ..models import Publication, User
from ..models.publication import PUBLICATION_ARTIFACTS
from ..periods import BadPeriod, parse_period
from ..tenancy import tenant_scope
from ..tenants import tenant_for_command
from . import builders, service

publications_cli = AppGroup("publications", help="Publications: drafts, approval, the public versions.")


def _person(email: str | None) -> int | None:
    if not email:
        return None
    user = db.session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if user is None:
        click.echo(f"error: no user {email!r}", err=True)
        sys.exit(2)
    return user.id


def _find(pub_id: int) -> Publication:
    pub = db.session.execute(select(Publication).where(Publication.id == pub_id)).scalar_one_or_none()
    if pub is None:
        click.echo(f"error: no publication {pub_id} of this authority", err=True)
        sys.exit(2)
    return pub


def _refused(exc: service.Refused) -> None:
    click.echo(f"refused: {exc.message}", err=True)  # in Russian, naming the clause
    sys.exit(1)


@publications_cli.command("build")
@click.option("--tenant", "slug", required=True, help="Slug of the authority")
@click.option("--artifact", required=True, help="appeals_analysis | survey_summary | you_said_we_did")
@click.option("--period", required=True, help="2026-Q3, 2026-09, 2026-H1 or 2026")
@click.option("--by", "email", default=None, help="E-mail of the person drafting it (optional)")
def build_command(slug, artifact, period, email):
    """Draft the publication of a period from its analysis; prints the id, or the refusal with its clause (exit 1)."""
    try:
        period = parse_period(period).name
    except BadPeriod as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        try:
            pub = service.build_draft(tenant, artifact, period, user=_person(email))
        except service.Refused as exc:
            _refused(exc)
        except service.WorkflowError as exc:
            click.echo(f"error: {exc}; expected one of {', '.join(PUBLICATION_ARTIFACTS)}", err=True)
            sys.exit(2)
        except builders.NothingToPublish as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        click.echo(pub.id)


@publications_cli.command("approve")
@click.option("--tenant", "slug", required=True)
@click.option("--id", "pub_id", required=True, type=int)
@click.option("--by", "email", default=None, help="E-mail of the approving officer (optional)")
@click.option("--note", default=None, help="What a correction changes (required for version 2 and later)")
@click.option("--publish", "publish_now", is_flag=True, help="Publish at once after approving")
def approve_command(slug, pub_id, email, note, publish_now):
    """Approve a draft (and, with --publish, publish it)."""
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        pub = _find(pub_id)
        user = _person(email)
        try:
            service.approve(pub, user, note=note)
            if publish_now:
                service.publish(pub, user)
        except service.Refused as exc:
            _refused(exc)
        except service.WorkflowError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        click.echo(f"{pub.id} {pub.status}")


@publications_cli.command("publish")
@click.option("--tenant", "slug", required=True)
@click.option("--id", "pub_id", required=True, type=int)
def publish_command(slug, pub_id):
    """Publish an approved version now (the previous published one is superseded)."""
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        pub = _find(pub_id)
        try:
            service.publish(pub)
        except service.Refused as exc:
            _refused(exc)
        except service.WorkflowError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        click.echo(f"{pub.id} {pub.status}")


def as_json(pub: Publication) -> dict:
    def when(value):
        return value.isoformat() if value else None

    return {"id": pub.id, "artifact": pub.artifact, "period": pub.period, "version": pub.version,
            "status": pub.status, "title": pub.title, "section": pub.section, "clause": pub.clause,
            "payload_sha256": pub.payload_sha256, "suppressed": len(pub.suppressed or []), "note": pub.note,
            "approved_by": pub.approved_by, "approved_at": when(pub.approved_at),
            "scheduled_for": when(pub.scheduled_for), "published_at": when(pub.published_at),
            "withdrawn_at": when(pub.withdrawn_at), "status_reason": pub.status_reason}


@publications_cli.command("list")
@click.option("--tenant", "slug", required=True)
@click.option("--json", "json_out", is_flag=True, help="Print the versions as JSON")
def list_command(slug, json_out):
    """Every version of every publication of the authority, latest period first."""
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        rows = db.session.execute(select(Publication).order_by(Publication.period.desc(), Publication.artifact,
                                                               Publication.version.desc())).scalars().all()
        items = [as_json(p) for p in rows]
    if json_out:
        click.echo(json.dumps(items, ensure_ascii=False))
        return
    for i in items:
        click.echo(f"{i['id']:6} {i['period']:8} {i['artifact']:18} v{i['version']:<3} {i['status']:10} {i['title']}")


add_cli_group(publications_cli)
