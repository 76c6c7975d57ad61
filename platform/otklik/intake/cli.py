"""`flask appeals import --tenant SLUG FILE [--mapping NAME]` and `flask classifier load --tenant SLUG FILE`."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from ..capabilities import add_cli_group
from ..extensions import db
from ..tenancy import tenant_scope
from ..tenants import tenant_for_command

appeals_cli = AppGroup("appeals", help="Appeals and complaints register.")
classifier_cli = AppGroup("classifier", help="Thematic classifier of citizens' appeals.")


@appeals_cli.command("import")
@click.option("--tenant", "slug", required=True)
@click.option("--mapping", "mapping_name", default=None, help="A saved column mapping of this authority")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(slug, mapping_name, path):
    """Import a CSV or XLSX file all or nothing; on refusal the report goes to stderr and the exit code is 1."""
    from .importer import ImportRefused, import_file, report_csv

    tenant = tenant_for_command(slug)
    with tenant_scope(tenant):
        from .importers import resolve

        try:
            mapping = resolve(tenant, mapping_name)
        except KeyError:
            click.echo(f"error: no mapping {mapping_name!r} in {slug}", err=True)
            sys.exit(2)
        try:
            result = import_file(db.session, tenant, path, path, mapping)
        except ImportRefused as refused:
            click.echo(f"refused: {refused.error_count} error(s), nothing stored", err=True)
            click.echo(report_csv(refused.errors, refused.error_count).lstrip("\ufeff"), err=True, nl=False)
            sys.exit(1)
    click.echo(json.dumps({"total": result.total, "inserted": result.inserted, "updated": result.updated,
                           "unchanged": result.unchanged}))


@classifier_cli.command("load")
@click.option("--tenant", "slug", required=True)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def classifier_load(slug, path):
    """Replace the authority's classifier with a `code;title` file (refused whole on any bad line)."""
    from .classifier import ClassifierError, load_classifier

    tenant = tenant_for_command(slug)
    with tenant_scope(tenant), open(path, "rb") as f:
        try:
            n = load_classifier(tenant.id, f.read())
        except ClassifierError as exc:
            click.echo(f"refused: {exc}", err=True)
            for line, value, reason in exc.errors[:100]:
                click.echo(f"line {line}: {value!r}: {reason}", err=True)
            sys.exit(1)
    click.echo(f"loaded {n} codes into {slug}")


add_cli_group(appeals_cli)
add_cli_group(classifier_cli)
