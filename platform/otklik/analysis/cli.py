"""`flask analyses ...`: run an analysis synchronously, list a tenant's analyses."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..capabilities import add_cli_group
from ..extensions import db
from ..models import Analysis
from ..periods import BadPeriod, parse_period
from ..tenancy import across_tenants, tenant_scope
from ..tenants import tenant_for_command
from ..vocabulary import KINDS
from .runner import BadKind

analyses_cli = AppGroup("analyses", help="Analyses of appeals and surveys.")


def _fail(message: str, code: int = 2):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@analyses_cli.command("run")
@click.option("--tenant", "slug", required=True, help="Slug of the authority")
@click.option("--kind", required=True, help=f"One of {', '.join(KINDS)}")
@click.option("--period", required=True, help="2025-03, 2025-Q1, 2025-H1 or 2025")
@click.option("--json", "as_json", is_flag=True, help="Print the result document as JSON")
def run_command(slug, kind, period, as_json):
    """Run one analysis now, in this process, and store its result (replacing the previous one)."""
    from ..jobs import claim_analysis
    from .runner import run

    if kind not in KINDS:
        _fail(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    try:
        period = parse_period(period).name
    except BadPeriod as exc:
        _fail(str(exc))
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        analysis = claim_analysis(tenant, kind, period, trigger="manual")
        if analysis is None:
            analysis = db.session.execute(
                select(Analysis).where(Analysis.kind == kind, Analysis.period == period)
            ).scalar_one()
        analysis_id = analysis.id
    try:
        run(analysis_id)
    except (BadKind, BadPeriod) as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - the row says failed; the operator gets the reason and exit code 1
        _fail(f"analysis {analysis_id} failed: {type(exc).__name__}: {exc}", 1)
    db.session.remove()
    row = db.session.execute(across_tenants(select(Analysis).where(Analysis.id == analysis_id))).scalar_one()
    if as_json:
        click.echo(json.dumps(row.result, ensure_ascii=False, indent=2))
    else:
        doc = row.result or {}
        click.echo(f"analysis {row.id}: {slug} {kind} {period} {row.status}; inputs {json.dumps(doc.get('inputs'))}; "
                   f"signals {len(doc.get('signals') or [])}")


@analyses_cli.command("list")
@click.option("--tenant", "slug", required=True)
@click.option("--json", "as_json", is_flag=True)
def list_command(slug, as_json):
    """A tenant's analyses, newest period first."""
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        rows = db.session.execute(select(Analysis).order_by(Analysis.period.desc(), Analysis.kind)).scalars().all()
        items = [{"id": a.id, "kind": a.kind, "period": a.period, "status": a.status, "trigger": a.trigger}
                 for a in rows]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False))
        return
    for i in items:
        click.echo(f"{i['id']:6} {i['kind']:18} {i['period']:8} {i['status']:8} {i['trigger']}")


add_cli_group(analyses_cli)
