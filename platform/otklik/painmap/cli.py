"""`flask painmap ...`: suggestions of a period and their acceptance, and the map's export, from the command line
(issue 11, items 10 and 13)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..capabilities import add_cli_group
from ..extensions import db
from ..models import Analysis, Suggestion
from ..periods import BadPeriod, parse_period
from ..tenancy import tenant_scope
from ..tenants import tenant_for_command
from . import export, service, table

painmap_cli = AppGroup("painmap", help="The pain map: suggestions, pains, measures.")


@painmap_cli.command("suggest")
@click.option("--tenant", "slug", required=True, help="Slug of the authority")
@click.option("--period", required=True, help="2025-03, 2025-Q1, 2025-H1 or 2025")
@click.option("--json", "as_json", is_flag=True, help="Print the suggestions as JSON")
def suggest_command(slug, period, as_json):
    """Propose candidate pains from the period's finished analyses; print the period's open suggestions."""
    try:
        period = parse_period(period).name
    except BadPeriod as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        for analysis in db.session.execute(select(Analysis).where(Analysis.period == period,
                                                                  Analysis.status == "done")).scalars():
            service.suggest(tenant, analysis)
        rows = db.session.execute(select(Suggestion).where(Suggestion.period == period, Suggestion.status == "open")
                                  .order_by(Suggestion.id)).scalars().all()
        items = [service.as_json(tenant, s) for s in rows]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False))
        return
    for i in items:
        figures = f"{i['n']} of {i['N']}, {i['prevalence']} %" if i["N"] else "—"
        click.echo(f"{i['id']:6} {i['source']:14} {figures:18} {i['wording']}")


@painmap_cli.command("accept")
@click.option("--tenant", "slug", required=True)
@click.option("--suggestion", "suggestion_id", required=True, type=int)
@click.option("--process", "process_name", default="", help="The catalogue's process the pain belongs to")
def accept_command(slug, suggestion_id, process_name):
    """Make a pain of a suggestion (its figure becomes the pain's first evidence)."""
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        suggestion = db.session.execute(select(Suggestion).where(Suggestion.id == suggestion_id)).scalar_one_or_none()
        if suggestion is None:
            click.echo(f"error: authority {slug} has no suggestion {suggestion_id}", err=True)
            sys.exit(2)
        if process_name and service.find_process(process_name) is None:
            click.echo(f"error: no process {process_name!r} in the catalogue of {slug}", err=True)
            sys.exit(2)
        try:
            pain = service.accept(tenant, suggestion, None, process_name=process_name)
        except ValueError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        click.echo(f"pain {pain.id}: {pain.wording}")


@painmap_cli.command("export")
@click.option("--tenant", "slug", required=True, help="Slug of the authority")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--group-by", "grouping", type=click.Choice(table.GROUPINGS), default="process", show_default=True)
@click.option("--output", "path", required=True, type=click.Path(dir_okay=False, writable=True))
def export_command(slug, fmt, grouping, path):
    """Write the map in the Astrakhan appendix form (XLSX) or as CSV (UTF-8 with a BOM, `;`)."""
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        data = (export.xlsx(tenant, grouping) if fmt == "xlsx"
                else export.csv_text(tenant, grouping).encode("utf-8"))
        rows = sum(len(g.rows) for g in table.grouped(tenant, grouping))
    with open(path, "wb") as f:
        f.write(data)
    click.echo(f"{path}: {rows} rows of the pain map of {slug}, grouped by {grouping}")


add_cli_group(painmap_cli)
