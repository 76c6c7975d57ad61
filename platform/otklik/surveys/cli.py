"""`flask surveys ...` (issue 19, item 7; other tools rely on these names and JSON keys):

    flask surveys templates [--json] [--tenant SLUG]    # the built-in forms: key, title, audience, clauses
    flask surveys create --tenant SLUG --template KEY   # a survey open now: prints its id and public link
    flask surveys list --tenant SLUG [--json]           # id, title, template, link (+ status, responses)

Bad input (an unknown authority or template, a template the authority's profile does not enable in
`[plugins.questionnaires]`) prints a Russian sentence to stderr and exits 1, storing nothing.
"""

from __future__ import annotations

import json
import sys

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..capabilities import add_cli_group
from ..channels import tenant_channels
from ..extensions import db
from ..models import Tenant
from ..models.survey import Questionnaire, QuestionnaireVersion, Survey
from ..tenancy import across_tenants, tenant_scope
from . import service
from .templates import BUILTIN, Template, tenant_templates

surveys_cli = AppGroup("surveys", help="Questionnaires and surveys: the built-in forms, new surveys, the list.")


def _refuse(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _russian():
    """Messages in the platform's language (a command has no request to negotiate one)."""
    return force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru"))


def _tenant(slug: str) -> Tenant:
    tenant = db.session.execute(across_tenants(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()
    if tenant is None:
        slugs = db.session.execute(across_tenants(select(Tenant.slug).order_by(Tenant.slug))).scalars().all()
        with _russian():
            _refuse(_("No authority %(slug)s; known: %(known)s.", slug=repr(slug),
                      known=", ".join(slugs) or _("none")))
    return tenant


def public_link(tenant: Tenant, survey: Survey) -> str:
    """The survey's public address: absolute when the app knows its host (SERVER_NAME), else the path from the
    site's root (as the analysis documents store it)."""
    if current_app.config.get("SERVER_NAME"):
        return url_for("surveys.public_form", tenant_slug=tenant.slug, token=survey.token, _external=True)
    return f"/{tenant.slug}/s/{survey.token}"


def _describe(template: Template) -> dict:
    return {"key": template.key, "title": template.title, "audience": template.audience,
            "clauses": list(template.clauses), "object": template.object}


@surveys_cli.command("templates")
@click.option("--json", "as_json", is_flag=True, help="Print the forms as JSON")
@click.option("--tenant", "slug", default=None, help="Only the forms this authority's profile enables")
def templates_command(as_json, slug):
    """The built-in questionnaire forms and the clauses of the acts behind each."""
    templates = list(BUILTIN.values())
    if slug:
        tenant = _tenant(slug)
        with tenant_scope(tenant):
            templates = list(tenant_templates(tenant).values())
    items = [_describe(t) for t in templates]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for item in items:
        click.echo(f"{item['key']:30} {item['audience']:9} {item['title']} ({'; '.join(item['clauses'])})")


def _published_version(template: Template) -> QuestionnaireVersion:
    """The tenant's latest published version of a questionnaire made from the template (so surveys of one
    instrument stay comparable and the officer's edits are kept), else a new questionnaire published as is."""
    version = db.session.execute(
        select(QuestionnaireVersion).join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Questionnaire.template_key == template.key, QuestionnaireVersion.status == "published")
        .order_by(QuestionnaireVersion.id.desc())).scalars().first()
    if version is None:
        version = service.create_from_template(template).latest
        service.publish(version)
    return version


@surveys_cli.command("create")
@click.option("--tenant", "slug", required=True, help="Slug of the authority")
@click.option("--template", "key", required=True, help="Key of a built-in form (`flask surveys templates`)")
@click.option("--title", default=None, help="The survey's title (default: the form's)")
@click.option("--object", "object_", default=None, help="The object of feedback (default: the form's)")
@click.option("--json", "as_json", is_flag=True, help="Print the new survey as JSON")
def create_command(slug, key, title, object_, as_json):
    """Create a survey from a built-in form, open now; print its id and public link."""
    tenant = _tenant(slug)
    with tenant_scope(tenant), _russian():
        if key not in BUILTIN:
            _refuse(_("No built-in form %(key)s; there are: %(known)s.", key=repr(key), known=", ".join(BUILTIN)))
        offered = tenant_templates(tenant)
        if key not in offered:
            _refuse(_("The form %(key)s is not enabled for %(slug)s: its profile's [plugins.questionnaires] "
                      "templates are %(enabled)s.", key=repr(key), slug=slug, enabled=", ".join(offered) or _("none")))
        template = offered[key]
        version = _published_version(template)
        channels = [c.code for c in tenant_channels(tenant) if c.standard in ("survey_online", "survey_offline")]
        survey = Survey(questionnaire_version_id=version.id, title=title or template.title,
                        object=object_ or template.object, audience=template.audience, channels=channels,
                        status="open")
        db.session.add(survey)
        db.session.commit()
        item = {"id": survey.id, "title": survey.title, "template": key, "link": public_link(tenant, survey)}
    if as_json:
        click.echo(json.dumps(item, ensure_ascii=False))
    else:
        click.echo(f"{item['id']} {item['link']}")


@surveys_cli.command("list")
@click.option("--tenant", "slug", required=True, help="Slug of the authority")
@click.option("--json", "as_json", is_flag=True, help="Print the surveys as JSON")
def list_command(slug, as_json):
    """The authority's surveys, newest first: id, title, template, public link, status, responses."""
    tenant = _tenant(slug)
    with tenant_scope(tenant):
        rows = db.session.execute(
            select(Survey, Questionnaire.template_key)
            .join(QuestionnaireVersion, QuestionnaireVersion.id == Survey.questionnaire_version_id)
            .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
            .order_by(Survey.id.desc())).all()
        counts = service.response_counts()
        items = [{"id": s.id, "title": s.title, "template": template_key, "link": public_link(tenant, s),
                  "status": s.status, "responses": counts.get(s.id, 0)} for s, template_key in rows]
    if as_json:
        click.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    for i in items:
        click.echo(f"{i['id']:6} {i['status']:6} {i['responses']:7} {i['template'] or '-':28} {i['title']} "
                   f"{i['link']}")


add_cli_group(surveys_cli)
