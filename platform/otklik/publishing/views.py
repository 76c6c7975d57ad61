"""Office pages of publishing (issue 12, item 2): the publications by period with their status; a version's preview,
rendered by the very partial the public page uses (`public/_publication_body.html`), the difference from the last
release and the hidden cells with their reasons; then approve, schedule, reject, publish, withdraw or correct.

Roles: officers take every step; operators and viewers read and see no button they cannot use. What the act
forbids is refused by the service even here, and the refusal names the clause.
"""

from __future__ import annotations

from datetime import datetime, time

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..access import ROLE_RANK, office_required, tenant_role
from ..capabilities import add_home_panel, add_office_nav
from ..extensions import db
from ..models import Publication
from ..models.publication import PUBLICATION_ARTIFACTS
from ..periods import BadPeriod, local_today, parse_period
from ..tenancy import get_or_404, register_tenant_blueprint
from . import builders, policy, service

bp = Blueprint("publishing", __name__, url_prefix="/<tenant_slug>/office/publications")
register_tenant_blueprint(bp)
add_office_nav("publishing.index", _l("Publications"), order=70)

ARTIFACT_LABELS = {
    "appeals_analysis": _l("Appeals analysis"),
    "survey_summary": _l("Survey summary"),
    "you_said_we_did": _l("You said, we did"),
}
SUPPRESSION_REASONS = {
    "primary": _l("a group smaller than the minimum cell size"),
    "secondary": _l("hidden beside a small group, so that it cannot be worked out from the total"),
    "free_text": _l("free text never leaves the office"),
}
SCHEDULE_HOUR = time(9, 0)  # a scheduled publication goes out at 09:00 local time of its day


class BuildForm(FlaskForm):
    artifact = SelectField(_l("What"), choices=[(a, ARTIFACT_LABELS[a]) for a in PUBLICATION_ARTIFACTS])
    period = StringField(_l("Period"), validators=[DataRequired(), Length(max=20)],
                         description=_l("YYYY-Qn, YYYY-MM, YYYY-Hn or YYYY"))


class StepForm(FlaskForm):
    """Approve or publish now: nothing to fill."""


class ApproveForm(FlaskForm):
    """Approve; a correction (version 2 and later) says what it changes, if its draft does not say it yet."""

    note = TextAreaField(_l("What this version changes"), validators=[Length(max=2000)])


class NoteForm(FlaskForm):
    note = TextAreaField(_l("What this version changes"), validators=[DataRequired(), Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ScheduleForm(FlaskForm):
    day = DateField(_l("Publication date"), validators=[DataRequired()])


def _waiting() -> dict:
    """The office home's panel: versions waiting for a decision (drafts) or for their day (scheduled)."""
    rows = db.session.execute(select(Publication).where(Publication.status.in_(("draft", "approved", "scheduled")))
                              .order_by(Publication.period.desc(), Publication.artifact)).scalars().all()
    return {"waiting": rows, "labels": ARTIFACT_LABELS, "status_title": service.status_title}


add_home_panel("office/publishing/_home_panel.html", _waiting, order=65)


@bp.context_processor
def _context():
    return {"role": tenant_role(), "artifact_labels": ARTIFACT_LABELS, "status_title": service.status_title,
            "can_act": _is_officer()}


def _is_officer() -> bool:
    role = tenant_role()
    return role is not None and ROLE_RANK[role] >= ROLE_RANK["officer"]


def _uid():
    return current_user.id if current_user.is_authenticated else None


def _policies() -> list[tuple[str, policy.Decision]]:
    out = []
    for artifact in PUBLICATION_ARTIFACTS:
        try:
            out.append((artifact, service.allowed(g.tenant, artifact)))
        except service.Refused as exc:
            out.append((artifact, policy.Decision(False, exc.message, exc.clause)))
    return out


@bp.route("/")
@office_required("viewer")
def index():
    return render_template("office/publishing/index.html", rows=service.office_list(g.tenant),
                           policies=_policies(), form=BuildForm())


@bp.route("/build", methods=["POST"])
@office_required("officer")
def build():
    form = BuildForm()
    if not form.validate_on_submit():
        flash(_("Choose what to publish and give the period (for example 2026-Q3)."), "error")
        return redirect(url_for(".index"))
    period = form.period.data.strip().upper()
    try:
        period = parse_period(period).name
    except BadPeriod:
        flash(_("The period %(period)s is not one of YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY.", period=period), "error")
        return redirect(url_for(".index"))
    try:
        pub = service.build_draft(g.tenant, form.artifact.data, period, user=_uid())
    except service.Refused as exc:
        flash(exc.message, "error")
        return redirect(url_for(".index"))
    except builders.NothingToPublish as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    flash(_("Version %(version)s is ready: check it before approving.", version=pub.version), "success")
    return redirect(url_for(".show", pub_id=pub.id))


@bp.route("/<int:pub_id>")
@office_required("viewer")
def show(pub_id: int):
    pub = get_or_404(Publication, pub_id)
    hidden = [dict(s, reason_text=SUPPRESSION_REASONS.get(s.get("reason"), s.get("reason")),
                   block_title=next((b.get("title") for b in pub.payload.get("blocks") or []
                                     if b.get("id") == s.get("block")), s.get("block")),
                   column_title=_column_title(pub.payload, s.get("block"), s.get("column")))
              for s in pub.suppressed or []]
    return render_template("office/publishing/show.html", pub=pub, payload=pub.payload, diff=service.diff(pub),
                           hidden=hidden, versions=service.versions(g.tenant, pub.artifact, pub.period),
                           note_form=NoteForm(), reason_form=ReasonForm(), schedule_form=ScheduleForm(),
                           step_form=StepForm(), approve_form=ApproveForm(), today=local_today(g.tenant.tz),
                           columns={(b.get("id"), c.get("key")): c.get("title") for b in pub.payload.get("blocks") or []
                                    for c in b.get("columns") or []})


def _column_title(payload: dict, block_id, key) -> str:
    for block in payload.get("blocks") or []:
        if block.get("id") == block_id:
            return next((c.get("title") for c in block.get("columns") or [] if c.get("key") == key), key)
    return key


def _step(pub_id: int, step, done: str, form_class=StepForm):
    """Run one step of the workflow on a version; a refusal or a wrong step is said in the page, nothing changes."""
    pub = get_or_404(Publication, pub_id)
    form = form_class()
    if not form.validate_on_submit():
        flash(_("Fill in the form: %(fields)s.", fields=", ".join(str(getattr(form, f).label.text)
                                                                    for f in form.errors)), "error")
        return redirect(url_for(".show", pub_id=pub.id))
    try:
        result = step(pub, form)
    except service.Refused as exc:
        flash(exc.message, "error")
        return redirect(url_for(".show", pub_id=pub.id))
    except (service.WorkflowError, builders.NothingToPublish) as exc:
        flash(str(exc), "error")
        return redirect(url_for(".show", pub_id=pub.id))
    flash(done, "success")
    return redirect(url_for(".show", pub_id=(result or pub).id))


@bp.route("/<int:pub_id>/approve", methods=["POST"])
@office_required("officer")
def approve(pub_id: int):
    return _step(pub_id, lambda pub, form: service.approve(pub, _uid(), note=form.note.data),
                 _("Approved. Publish it now or schedule a date."), ApproveForm)


@bp.route("/<int:pub_id>/publish", methods=["POST"])
@office_required("officer")
def publish(pub_id: int):
    return _step(pub_id, lambda pub, form: service.publish(pub, _uid()), _("Published on the public site."))


@bp.route("/<int:pub_id>/schedule", methods=["POST"])
@office_required("officer")
def schedule(pub_id: int):
    def step(pub, form):
        when = datetime.combine(form.day.data, SCHEDULE_HOUR, tzinfo=g.tenant.tz)
        return service.schedule(pub, _uid(), when)

    return _step(pub_id, step, _("Scheduled: it will be published at 09:00 of that day."), ScheduleForm)


@bp.route("/<int:pub_id>/reject", methods=["POST"])
@office_required("officer")
def reject(pub_id: int):
    return _step(pub_id, lambda pub, form: service.reject(pub, _uid(), form.reason.data),
                 _("The draft is rejected."), ReasonForm)


@bp.route("/<int:pub_id>/withdraw", methods=["POST"])
@office_required("officer")
def withdraw(pub_id: int):
    return _step(pub_id, lambda pub, form: service.withdraw(pub, _uid(), form.reason.data),
                 _("Withdrawn: its page now says so, with your reason."), ReasonForm)


@bp.route("/<int:pub_id>/correct", methods=["POST"])
@office_required("officer")
def correct(pub_id: int):
    return _step(pub_id, lambda pub, form: service.correct(pub, _uid(), form.note.data),
                 _("A new version is drafted from the current figures: check it before approving."), NoteForm)
