"""`flask reports analytical --tenant SLUG --period P --output F.pdf` (issue 13, item 6): the month's analytical
report as PDF. A final report is written as stored (the same bytes every time); otherwise the draft is (re)built
from the current data and written marked as a draft, or finalised first with `--finalise`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from ..capabilities import add_cli_group
from ..tenancy import tenant_scope
from ..tenants import tenant_for_command
from . import service
from .pdf import render_pdf
from .snapshot import NotAMonth

reports_cli = AppGroup("reports", help="Reports of the authorities.")


@reports_cli.command("analytical")
@click.option("--tenant", "slug", required=True, help="Slug of the authority")
@click.option("--period", required=True, help="A month, YYYY-MM")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The PDF to write")
@click.option("--finalise", is_flag=True, help="Finalise the draft before writing it (it never changes again)")
def analytical_command(slug, period, output: Path, finalise: bool):
    """Write the month's analytical report (recommendations 5.1.6, item 4) as a tagged PDF."""
    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        try:
            report = service.of_period(period)
            if report is None or not report.final:
                report = service.draft(tenant, period)
                if finalise:
                    service.finalise(report, None)
        except (NotAMonth, service.Refused) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        data = report.pdf if report.final else render_pdf(report, final=False)
        state = "final" if report.final else "draft"
        sha = report.pdf_sha256 if report.final else ""
    tmp = output.with_name(output.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(output)  # nothing half-written under the requested name
    click.echo(f"{output}: {state} report of {slug} for {report.period}, {len(data)} bytes"
               + (f", sha256 {sha}" if sha else ""))


add_cli_group(reports_cli)
