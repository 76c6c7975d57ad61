"""`flask demo`: a year of synthetic appeals and survey answers for each demo authority, then their analyses.

    flask demo                 # (re)fill the four demo authorities and run their analyses
    flask demo --if-empty      # only where an authority has no appeals yet (what `make run` calls)
    flask demo --appeals 500 --answers 200 --tenant omsk-mintrud

The data come from the capabilities' own generators (the benchmark's, at a modest size): appeals from
`otklik.intake.synthetic`, survey answers from `otklik.surveys.synthetic`. Synthetic rows carry the external id
prefix `demo-`, so a second run replaces them instead of adding more: the command is idempotent. Analyses run
in this process, as the scheduler tick would enqueue them (the tick's own due periods), so the figures exist
before the web server starts, with or without Redis running.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale
from sqlalchemy import delete, func, select

from .capabilities import add_cli_group
from .cli import DEMO_TENANTS
from .extensions import db
from .models import Analysis, Appeal, Tenant
from .painmap.sample import demo_map
from .publishing.opendata_demo import demo_open_data
from .tenancy import tenant_scope

DEMO_PREFIX = "demo-"
DEFAULT_APPEALS = 4000
DEFAULT_ANSWERS = 1500


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Skip an authority that already has appeals")
@click.option("--appeals", "n_appeals", default=DEFAULT_APPEALS, show_default=True, type=click.IntRange(0),
              help="Synthetic appeals per authority, from the start of the earliest analysed year")
@click.option("--answers", "n_answers", default=DEFAULT_ANSWERS, show_default=True, type=click.IntRange(0),
              help="Synthetic survey responses per authority")
@click.option("--tenant", "slugs", multiple=True, help="Only these authorities (default: the four demo ones)")
@click.option("--seed", default=2025, show_default=True, type=int)
@click.option("--today", default=None, help="YYYY-MM-DD to fill up to (default: today)")
@with_appcontext
def demo_command(if_empty, n_appeals, n_answers, slugs, seed, today):
    """Fill the demo authorities with a year of synthetic data and run their analyses."""
    slugs = list(slugs) or [slug for _profile, slug, _name in DEMO_TENANTS]
    end = date.fromisoformat(today) if today else None
    tenants = db.session.execute(select(Tenant).where(Tenant.slug.in_(slugs)).order_by(Tenant.id)).scalars().all()
    if not tenants:
        raise click.ClickException("no demo authorities: run `flask bootstrap` first")
    ids = [t.id for t in tenants]
    # No request here: labels (channel titles, signal messages) are made in the platform's default language.
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        for i, tenant_id in enumerate(ids):
            _demo_tenant(i, tenant_id, if_empty, n_appeals, n_answers, seed, end)
        for tenant_id in ids:  # after every authority is filled: the funnel plots compare all of them
            demo_analytical_report(tenant_id)


add_cli_group(demo_command)


def _demo_tenant(i, tenant_id, if_empty, n_appeals, n_answers, seed, end) -> None:
    db.session.remove()  # a fresh session per tenant, as the tick does
    tenant = db.session.get(Tenant, tenant_id)
    started = time.monotonic()
    with tenant_scope(tenant):
        if if_empty and _has_data(tenant):
            click.echo(f"{tenant.slug}: has data, skipped")
            return
        report = fill_tenant(tenant, n_appeals, n_answers, seed + i, end)
        report["analyses"] = run_analyses(tenant, end)
        report["pains"] = demo_map(tenant, end)
        report["publications"] = demo_publications(tenant)
        demo_open_data(tenant)  # issue 22: the placeholder INN and responsible person of the passports
    click.echo(
        f"{tenant.slug}: {report['appeals']} appeals, {report['answers']} survey answers, "
        f"{report['analyses']} analyses, {report['pains']} pains, {report['publications']} publications "
        f"({time.monotonic() - started:.1f} s)"
    )


def demo_publications(tenant) -> int:
    """What the act allows, published through the publishing service as the demo officer would: every finished
    period's appeals analysis and survey summary, and «we did» of the latest period (the drafts the worker made
    after each analysis, built again now that the demo map has measures), each approved by officer@<slug>.local."""
    from .models import User
    from .publishing import builders, service

    officer = db.session.execute(select(User.id).where(User.email == f"officer@{tenant.slug}.local")).scalar()
    done = db.session.execute(select(Analysis.kind, Analysis.period).where(Analysis.status == "done")
                              .order_by(*Analysis.latest_first())).all()
    wanted = [(artifact, period) for kind, period in reversed(done) for artifact in builders.artifacts_after(kind)
              if artifact != "you_said_we_did"]
    wanted += [("you_said_we_did", done[0][1])] if done else []
    published = 0
    for artifact, period in wanted:
        try:
            pub = service.build_draft(tenant, artifact, period, user=officer)
            if pub.status == "draft":
                service.approve(pub, officer)
                service.publish(pub, officer)
                pub.approved_at = pub.published_at = _demo_release_time(tenant, period)
                db.session.commit()
                published += 1
        except (service.Refused, service.WorkflowError, builders.NothingToPublish):
            db.session.rollback()
    return published


def _demo_release_time(tenant, period_name: str) -> datetime:
    """The demo's history: a period released at 10:00 on the 30th day after it (inside Vladimir's 45, п. 21), not
    every past quarter on the day the demo ran; a period that recent is released now."""
    from datetime import time as day_time

    from .periods import parse_period

    period = parse_period(period_name)
    when = datetime.combine(period.end + timedelta(days=29), day_time(10), tzinfo=tenant.tz).astimezone(UTC)
    return min(when, datetime.now(UTC))


def demo_analytical_report(tenant_id: int) -> None:
    """The latest month's analytical report (5.1.6), rebuilt now that the map has measures and every authority
    has figures, and finalised by the demo officer (a month already final is left as it is)."""
    from .analytical import service
    from .models import User

    db.session.remove()
    tenant = db.session.get(Tenant, tenant_id)
    with tenant_scope(tenant):
        latest = next(iter(service.reports()), None)
        if latest is None or latest.final:
            return
        officer = db.session.execute(select(User.id).where(User.email == f"officer@{tenant.slug}.local")).scalar()
        report = service.finalise(service.draft(tenant, latest.period, officer), officer)
        click.echo(f"{tenant.slug}: analytical report of {report.period} final, sha256 {report.pdf_sha256[:12]}…")


def _has_data(tenant) -> bool:
    # explicit tenant filter: a bare count() over a table is not seen by the ORM scoping hook
    return db.session.execute(select(Appeal.id).where(Appeal.tenant_id == tenant.id).limit(1)).first() is not None


def _window(end: date | None, tenant) -> tuple[datetime, datetime]:
    """Up to the start of today (tenant's time zone), from the first day of the year holding the earliest period
    the scheduler still analyses (not before the tenant's tracking starts): each scheduled period is filled whole,
    a yearly analysis included. UTC instants."""
    from .periods import local_today, period_containing
    from .schedule import CATCH_UP_DAYS

    today = end or local_today(tenant.tz)
    since = max(tenant.tracking_since or today - timedelta(days=365), today - timedelta(days=CATCH_UP_DAYS))
    first = period_containing(min(since, today - timedelta(days=1)), "year").start
    if tenant.tracking_since:
        first = max(first, period_containing(tenant.tracking_since, "quarter").start)
    local = [datetime.combine(d, datetime.min.time(), tenant.tz).astimezone(UTC) for d in (first, today)]
    return local[0], local[1]


def fill_tenant(tenant, n_appeals: int, n_answers: int, seed: int, end: date | None = None) -> dict:
    """Replace the tenant's synthetic rows with fresh ones of the given sizes; returns what it made."""
    start, stop = _window(end, tenant)
    from .intake.synthetic import generate_appeals

    report = {"appeals": 0, "answers": 0}
    db.session.execute(delete(Appeal).where(Appeal.tenant_id == tenant.id, Appeal.external_id.like(f"{DEMO_PREFIX}%")))
    db.session.commit()
    if n_appeals:
        report["appeals"] = _insert_appeals(tenant, generate_appeals, n_appeals, start, stop, seed)
    if n_answers:
        report["answers"] = fill_surveys(tenant, n_answers, start, stop, seed)
    return report


def _insert_appeals(tenant, generate_appeals, n: int, start: datetime, stop: datetime, seed: int) -> int:
    """Bulk insert of the generator's rows (dicts or Appeal objects), each under the `demo-` prefix."""
    from .channels import tenant_channels

    rows = generate_appeals(tenant_channels(tenant), n, start, stop, seed)
    now = datetime.now(UTC)
    batch = []
    columns = {c.name for c in Appeal.__table__.columns} - {"id"}
    for i, row in enumerate(rows):
        if isinstance(row, Appeal):
            row = {c: getattr(row, c) for c in columns if getattr(row, c, None) is not None}
        row = {k: v for k, v in dict(row).items() if k in columns}
        row["tenant_id"] = tenant.id
        row["external_id"] = f"{DEMO_PREFIX}{row.get('external_id') or i + 1}"
        row.setdefault("created_at", now)
        if "due_date" not in row:
            registered = row["registered_at"]
            row["due_date"] = registered.astimezone(tenant.tz).date() + timedelta(days=30)
        batch.append(row)
        if len(batch) >= 2000:
            db.session.execute(Appeal.__table__.insert(), batch)
            batch = []
    if batch:
        db.session.execute(Appeal.__table__.insert(), batch)
    db.session.commit()
    return db.session.execute(
        select(func.count(Appeal.id)).where(Appeal.tenant_id == tenant.id, Appeal.external_id.like(f"{DEMO_PREFIX}%"))
    ).scalar()


# Surveys of the demo: one per questionnaire template the tenant's plugins offer, published and open, under a
# token derived from the tenant and template (so a second run finds them again).
SURVEY_OBJECTS = {
    "appeals_handling": "Рассмотрение обращений граждан",
    "information_access": "Доступ к информации о деятельности",
}
EXTERNAL_SEGMENTS = {"граждане": 0.55, "пенсионеры": 0.2, "семьи с детьми": 0.15, "инвалиды": 0.06,
                     "юридические лица": 0.04}
INTERNAL_SEGMENTS = {"специалисты": 0.6, "руководители": 0.15, "обеспечивающие подразделения": 0.25}


def _demo_token(tenant, key: str) -> str:
    import hashlib

    return "demo-" + hashlib.sha256(f"{tenant.slug}:{key}".encode()).hexdigest()[:20]


def demo_surveys(tenant) -> list:
    """The tenant's demo surveys, made on first use from its questionnaire templates."""
    from .models.survey import Survey
    from .surveys.service import create_from_template, publish
    from .surveys.templates import tenant_templates

    surveys = []
    for key, template in tenant_templates(tenant).items():
        token = _demo_token(tenant, key)
        survey = db.session.execute(select(Survey).where(Survey.token == token)).scalar_one_or_none()
        if survey is None:
            questionnaire = create_from_template(template)
            version = questionnaire.latest
            publish(version)
            survey = Survey(questionnaire_version_id=version.id, title=template.title,
                            object=SURVEY_OBJECTS.get(key, "Внутренние процессы" if template.audience == "internal"
                                                      else "Предоставление государственных услуг и мер поддержки"),
                            audience=template.audience, channels=["survey_online", "survey_offline"],
                            token=token, status="open")
            db.session.add(survey)
            db.session.flush()
        surveys.append(survey)
    db.session.commit()
    return surveys


def fill_surveys(tenant, n: int, start: datetime, stop: datetime, seed: int) -> int:
    """Replace the demo surveys' responses: about 85 % external (the act's own form the most), 15 % employees."""
    from .models.survey import SurveyAnswer, SurveyResponse
    from .surveys.synthetic import generate_responses

    surveys = demo_surveys(tenant)
    ids = [s.id for s in surveys]
    if ids:
        db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.tenant_id == tenant.id,
                                                      SurveyAnswer.survey_id.in_(ids)))
        db.session.execute(delete(SurveyResponse).where(SurveyResponse.tenant_id == tenant.id,
                                                        SurveyResponse.survey_id.in_(ids)))
        db.session.commit()
    external = [s for s in surveys if s.audience == "external"]
    internal = [s for s in surveys if s.audience == "internal"]
    weights = {}
    for i, s in enumerate(external):
        weights[s.id] = (0.55 if i == 0 else 0.30 / max(len(external) - 1, 1)) if internal else 1 / len(external)
    for s in internal:
        weights[s.id] = 0.15 / len(internal) if external else 1 / len(internal)
    sizes = {sid: int(n * w) for sid, w in weights.items()}
    if sizes:  # the rounding remainder goes to the main form, so the sizes add up to n
        sizes[next(iter(sizes))] += n - sum(sizes.values())
    written = 0
    for i, survey in enumerate(surveys):
        size = sizes.get(survey.id, 0)
        if size <= 0:
            continue
        segments = INTERNAL_SEGMENTS if survey.audience == "internal" else EXTERNAL_SEGMENTS
        written += generate_responses(survey, size, start, stop, seed=seed * 100 + i,
                                      channels={"survey_online": 0.75, "survey_offline": 0.25}, segments=segments)
        db.session.commit()
    return written


def run_analyses(tenant, end: date | None = None) -> int:
    """What the scheduler tick would enqueue for this tenant, run here and now (plus re-runs of existing ones)."""
    from .analysis.runner import run
    from .jobs import after_analysis, claim_analysis, volume_counter
    from .periods import local_today
    from .schedule import due_periods, tenant_schedule

    today = end or local_today(tenant.tz)
    ids = []
    for entry in tenant_schedule(tenant):
        volume = volume_counter(tenant, entry.kind)
        for period in due_periods(tenant, entry, today, volume):
            analysis = claim_analysis(tenant, entry.kind, period.name, trigger="schedule")
            if analysis is None:
                analysis = db.session.execute(
                    select(Analysis).where(Analysis.kind == entry.kind, Analysis.period == period.name)
                ).scalar_one()
            ids.append(analysis.id)
    done = 0
    for analysis_id in dict.fromkeys(ids):
        try:
            run(analysis_id)
            after_analysis(analysis_id)  # as the job does: the pain map's suggestions
            done += 1
        except Exception as exc:  # noqa: BLE001 - one failed analysis must not stop the demo; it is marked failed
            current_app.logger.warning("demo analysis %s failed: %s", analysis_id, exc)
            db.session.rollback()
    return done
