"""Office pages of the pain map (issue 11, items 4, 9, 10, 12, 13): the map grouped and filtered, a pain with its
evidence, prevalence per period, measures and history, the board of measures, the suggestions to review, the
exports, and `GET /api/v1/<slug>/painmap`.

Roles (item 12): officers manage everything; operators propose pains (status "new") and update the progress,
status and result of the measures they own; viewers read. Every change goes through `service.change`, so the
pain's history keeps who, when, field, old -> new.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..access import ROLE_RANK, office_required, tenant_role
from ..api import api_auth, documented, tenant_api
from ..capabilities import add_office_nav
from ..extensions import db
from ..models import Evidence, Measure, Pain, PainEvent, PainmapVersion, Process, Suggestion
from ..models.painmap import MEASURE_STATUSES, MEASURE_USES, PAIN_KINDS, PAIN_STATUSES
from ..periods import BadPeriod, local_today, parse_period
from ..tenancy import get_or_404, register_tenant_blueprint
from ..vocabulary import AUDIENCE_LABELS, AUDIENCES
from . import export, service, table, versions
from .labels import (
    BAND_LABELS,
    FIELD_LABELS,
    GROUP_LABELS,
    MEASURE_STATUS_LABELS,
    MEASURE_USE_LABELS,
    PAIN_KIND_LABELS,
    PAIN_STATUS_LABELS,
    PRIORITY_LABELS,
    SOURCE_LABELS,
)

bp = Blueprint("painmap", __name__, url_prefix="/<tenant_slug>/office/painmap")
register_tenant_blueprint(bp)
add_office_nav("painmap.index", _l("Pain map"), order=60)

DEFAULT_DUE_DAYS = {"high": 30, "medium": 90, "low": 180}
STATUS_NEEDS_REASON = ("resolved", "verified", "rejected")  # closing or refusing by hand is explained


@bp.context_processor
def _role():
    return {"role": tenant_role()}


def _role_at_least(role: str) -> bool:
    current = tenant_role()
    return current is not None and ROLE_RANK[current] >= ROLE_RANK[role]


def _uid() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _processes() -> list[Process]:
    return list(db.session.execute(select(Process).order_by(Process.name)).scalars())


def _filters(args) -> dict:
    return {k: args.get(k, "") for k in ("status", "priority", "audience", "process")}


def _labels() -> dict:
    return dict(status_labels=PAIN_STATUS_LABELS, kind_labels=PAIN_KIND_LABELS, priority_labels=PRIORITY_LABELS,
                band_labels=BAND_LABELS, use_labels=MEASURE_USE_LABELS, measure_status_labels=MEASURE_STATUS_LABELS,
                source_labels=SOURCE_LABELS, group_labels=GROUP_LABELS, audience_labels=AUDIENCE_LABELS,
                field_labels=FIELD_LABELS, prevalence_text=table.prevalence_text, percent_text=table.percent_text)


# ------------------------------------------------------------------------------------------------------------ map

@bp.route("/")
@office_required()
def index():
    grouping = request.args.get("group", "process")
    if grouping not in table.GROUPINGS:
        grouping = "process"
    filters = _filters(request.args)
    groups = table.grouped(g.tenant, grouping, filters)
    open_suggestions = len(db.session.execute(select(Suggestion.id).where(Suggestion.status == "open")).all())
    return render_template(
        "office/painmap/index.html", groups=groups, grouping=grouping, filters=filters, processes=_processes(),
        people=table.members(), responsible=table.responsible, pain_statuses=PAIN_STATUSES, audiences=AUDIENCES,
        open_suggestions=open_suggestions, can_manage=_role_at_least("officer"),
        can_propose=_role_at_least("operator"), changes=versions.latest_changes(), **_labels())


@bp.route("/export.<fmt>")
@office_required()
def download(fmt):
    grouping = request.args.get("group", "process")
    if grouping not in table.GROUPINGS:
        grouping = "process"
    filters = _filters(request.args)
    name = f"painmap-{g.tenant.slug}-{grouping}"
    if fmt == "xlsx":
        return Response(export.xlsx(g.tenant, grouping, filters),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
    if fmt == "csv":
        return Response(export.csv_text(g.tenant, grouping, filters).encode("utf-8"),
                        mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    abort(404)


# ----------------------------------------------------------------------------------------------------------- pains

class PainForm(FlaskForm):
    process_id = SelectField(_l("Process"), coerce=int, default=0)
    kind = SelectField(_l("Kind"), choices=[])
    audience = SelectField(_l("Audience"), choices=[])
    wording = TextAreaField(_l("Problem or potential need"), validators=[DataRequired(), Length(max=2000)])
    segment = StringField(_l("Segment"), validators=[Optional(), Length(max=200)])
    touchpoint = StringField(_l("Touchpoint"), validators=[Optional(), Length(max=200)])
    method = TextAreaField(_l("Source and method (a manual source)"), validators=[Optional(), Length(max=2000)])
    n = IntegerField(_l("Respondents with the problem (n)"), validators=[Optional(), NumberRange(min=0)])
    total = IntegerField(_l("Respondents who answered (N)"), validators=[Optional(), NumberRange(min=1)])
    period = StringField(_l("Period of the figures"), validators=[Optional(), Length(max=20)])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if (self.n.data is None) != (self.total.data is None):
            (self.total if self.total.data is None else self.n).errors.append(
                _("Give both n and N, or neither."))
            ok = False
        elif self.n.data is not None and self.n.data > self.total.data:
            self.n.errors.append(_("n cannot exceed N (%(total)s).", total=self.total.data))
            ok = False
        if self.n.data is not None:
            if not (self.method.data or "").strip():
                self.method.errors.append(_("Say where the figures come from and how they were counted."))
                ok = False
            try:
                self.period.data = parse_period((self.period.data or "").strip()).name
            except BadPeriod:
                self.period.errors.append(_("Write the period as 2025-03, 2025-Q1, 2025-H1 or 2025."))
                ok = False
        return ok


def _process_choices():
    return [(0, _("— not in the catalogue —"))] + [(p.id, p.name) for p in _processes()]


@bp.route("/pains/new", methods=["GET", "POST"])
@office_required("operator")
def new_pain():
    """A pain proposed by hand (status "new"); an officer confirms it later. A manual source keeps its method."""
    form = PainForm()
    form.process_id.choices = _process_choices()
    form.kind.choices = [(k, str(PAIN_KIND_LABELS[k])) for k in PAIN_KINDS]
    form.audience.choices = [(a, str(AUDIENCE_LABELS[a])) for a in AUDIENCES]
    if form.validate_on_submit():
        pain = Pain(process_id=form.process_id.data or None, kind=form.kind.data, audience=form.audience.data,
                    wording=form.wording.data.strip(), segment=(form.segment.data or "").strip(),
                    touchpoint=(form.touchpoint.data or "").strip(), status="new", created_by_id=_uid())
        db.session.add(pain)
        db.session.flush()
        service.record(pain, "status", "", "new", _uid())
        if form.n.data is not None or (form.method.data or "").strip():
            pain.evidence.append(Evidence(source="manual", period=form.period.data or "", n=form.n.data,
                                          total=form.total.data, method=(form.method.data or "").strip(),
                                          title=pain.wording))
            service.record(pain, "evidence", "", _("manual source"), _uid())
        db.session.commit()
        flash(_("The pain is proposed."), "success")
        return redirect(url_for(".pain", pain_id=pain.id))
    return render_template("office/painmap/pain_new.html", form=form)


class PriorityForm(FlaskForm):
    priority = SelectField(_l("Priority"), choices=[])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class MergeForm(FlaskForm):
    into = SelectField(_l("Merge into the pain"), coerce=int, validators=[InputRequired()])


def _pain_forms(pain: Pain):
    priority = PriorityForm(prefix="priority")
    priority.priority.choices = [("", _("by prevalence"))] + [(k, str(v)) for k, v in PRIORITY_LABELS.items()]
    status = StatusForm(prefix="status")
    status.status.choices = [(s, str(PAIN_STATUS_LABELS[s])) for s in PAIN_STATUSES if s != "merged"]
    merge = MergeForm(prefix="merge")
    others = db.session.execute(select(Pain).where(Pain.id != pain.id, Pain.status != "merged")
                                .order_by(Pain.id)).unique().scalars()
    merge.into.choices = [(p.id, f"№{p.id}. {p.wording[:80]}") for p in others]
    if request.method == "GET":
        priority.priority.data = pain.priority_override or ""
        status.status.data = pain.status
    return priority, status, merge


def _shown(people):
    """A history value as people read it: labels of statuses, uses and priorities, the owner's name."""

    def shown(event: PainEvent, value: str) -> str:
        if not value:
            return "—"
        if event.field == "status":
            labels = MEASURE_STATUS_LABELS if event.measure_id else PAIN_STATUS_LABELS
            return str(labels.get(value, value))
        if event.field == "use":
            return str(MEASURE_USE_LABELS.get(value, value))
        if event.field == "priority_override":
            return str(PRIORITY_LABELS.get(value, value))
        if event.field == "owner_id" and value.isdigit():
            return table.person(people.get(int(value))) or f"#{value}"
        if event.field in ("start_date", "due_date") and len(value) == 10:
            return f"{value[8:10]}.{value[5:7]}.{value[:4]}"
        return value

    return shown


def _series(pain: Pain) -> list[dict]:
    """Prevalence per period of each figure the pain rests on (the re-measurement's evidence), oldest first."""
    out = []
    for e in sorted((e for e in pain.evidence if e.n is not None and e.total),
                    key=lambda e: (e.figure, service._period_end(e.period) or date.min, e.id)):
        out.append({"evidence": e, "m": service.measure(g.tenant, e)})
    return out


@bp.route("/pains/<pain_id>", methods=["GET", "POST"])
@office_required()
def pain(pain_id):
    pain = get_or_404(Pain, pain_id)
    priority, status, merge = _pain_forms(pain)
    if request.method == "POST":
        if not _role_at_least("officer"):
            abort(403)
        action = request.form.get("action")
        if action == "priority" and priority.validate_on_submit():
            service.change(pain, "priority_override", priority.priority.data or None, _uid())
            service.change(pain, "priority_reason", priority.reason.data.strip(), _uid())
            db.session.commit()
            flash(_("The priority is saved."), "success")
            return redirect(url_for(".pain", pain_id=pain.id))
        if action == "status" and status.validate_on_submit():
            reason = (status.reason.data or "").strip()
            if status.status.data in STATUS_NEEDS_REASON and not reason:
                status.reason.errors.append(_("Say why: this status is set by hand."))
            else:
                service.change(pain, "status", status.status.data, _uid())
                if reason:
                    service.change(pain, "status_reason", reason, _uid())
                db.session.commit()
                flash(_("The status is saved."), "success")
                return redirect(url_for(".pain", pain_id=pain.id))
        if action == "merge" and merge.validate_on_submit():
            into = get_or_404(Pain, merge.into.data)
            service.merge(pain, into, _uid())
            flash(_("The pains are merged: both evidence lists are kept."), "success")
            return redirect(url_for(".pain", pain_id=into.id))
    events = db.session.execute(select(PainEvent).where(PainEvent.pain_id == pain.id)
                                .order_by(PainEvent.at.desc(), PainEvent.id.desc())).scalars().all()
    people = table.members()
    measures_by_id = {m.id: m for m in pain.measures}
    return render_template(
        "office/painmap/pain.html", pain=pain, m=service.measured(g.tenant, pain), progress=service.progress(pain),
        series=_series(pain), events=events, people=people, shown=_shown(people), person=table.person, measures_by_id=measures_by_id,
        responsible=table.responsible, priority_form=priority, status_form=status, merge_form=merge,
        can_manage=_role_at_least("officer"), uid=_uid(), today=local_today(g.tenant.tz),
        merged_into=db.session.get(Pain, pain.merged_into_id) if pain.merged_into_id else None, **_labels())


# -------------------------------------------------------------------------------------------------------- measures

class MeasureForm(FlaskForm):
    wording = TextAreaField(_l("Measure"), validators=[DataRequired(), Length(max=2000)])
    use = SelectField(_l("Use of the results"), choices=[])
    unit = StringField(_l("Responsible unit"), validators=[DataRequired(), Length(max=300)])
    owner = SelectField(_l("Owner"), coerce=int, default=0)
    start_date = DateField(_l("Start"), validators=[Optional()])
    due_date = DateField(_l("Due date"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=[])
    progress = IntegerField(_l("Progress, %"), default=0, validators=[InputRequired(), NumberRange(0, 100)])
    result = TextAreaField(_l("Result"), validators=[Optional(), Length(max=4000)])
    public_wording = TextAreaField(_l("Public wording"), validators=[Optional(), Length(max=2000)])

    def validate_due_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_("The due date cannot be before the start."))


class ProgressForm(FlaskForm):
    """What an operator may change on a measure they own."""

    status = SelectField(_l("Status"), choices=[])
    progress = IntegerField(_l("Progress, %"), validators=[InputRequired(), NumberRange(0, 100)])
    result = TextAreaField(_l("Result"), validators=[Optional(), Length(max=4000)])


def due_days(tenant) -> dict:
    return {**DEFAULT_DUE_DAYS, **(tenant.settings_of("prevalence_bands").get("due_days") or {})}


def default_due(tenant, pain: Pain, start: date | None) -> date | None:
    """The Astrakhan template's deadline "set by the priority": start + the tenant's days for the pain's priority."""
    priority = service.measured(tenant, pain).priority
    if priority not in DEFAULT_DUE_DAYS:
        return None
    return (start or local_today(tenant.tz)) + timedelta(days=due_days(tenant)[priority])


def _measure_form(cls=MeasureForm, **kwargs):
    form = cls(**kwargs)
    form.status.choices = [(s, str(MEASURE_STATUS_LABELS[s])) for s in MEASURE_STATUSES]
    if hasattr(form, "use"):
        form.use.choices = [(u, str(MEASURE_USE_LABELS[u])) for u in MEASURE_USES]
        form.owner.choices = [(0, _("— not named —"))] + [
            (uid, table.person(user)) for uid, user in sorted(table.members().items(),
                                                              key=lambda kv: table.person(kv[1]).lower())]
    return form


def _done_progress(form) -> int:
    return 100 if form.status.data == "done" else form.progress.data


@bp.route("/pains/<pain_id>/measures/new", methods=["GET", "POST"])
@office_required("officer")
def new_measure(pain_id):
    pain = get_or_404(Pain, pain_id)
    form = _measure_form()
    if request.method == "GET":
        form.start_date.data = local_today(g.tenant.tz)
        form.due_date.data = default_due(g.tenant, pain, form.start_date.data)
    if form.validate_on_submit():
        due = form.due_date.data or default_due(g.tenant, pain, form.start_date.data)
        m = Measure(wording=form.wording.data.strip(), use=form.use.data, unit=form.unit.data.strip(),
                    owner_id=form.owner.data or None, start_date=form.start_date.data, due_date=due,
                    status=form.status.data, progress=_done_progress(form), result=(form.result.data or "").strip(),
                    public_wording=(form.public_wording.data or "").strip())
        pain.measures.append(m)
        db.session.flush()
        service.record(pain, "measure", "", m.wording, _uid(), m)
        if pain.status in ("new", "confirmed"):
            service.change(pain, "status", "in_work", _uid())
        db.session.commit()
        flash(_("The measure is added."), "success")
        return redirect(url_for(".pain", pain_id=pain.id))
    return render_template("office/painmap/measure.html", form=form, pain=pain, measure=None,
                           due_days=due_days(g.tenant), m=service.measured(g.tenant, pain), **_labels())


def _measure_of(pain_id, measure_id) -> tuple[Pain, Measure]:
    pain = get_or_404(Pain, pain_id)
    measure = get_or_404(Measure, measure_id)
    if measure.pain_id != pain.id:
        abort(404)
    return pain, measure


@bp.route("/pains/<pain_id>/measures/<measure_id>", methods=["GET", "POST"])
@office_required("operator")
def edit_measure(pain_id, measure_id):
    """Officers edit every field; an operator only the status, progress and result of a measure they own."""
    pain, measure = _measure_of(pain_id, measure_id)
    full = _role_at_least("officer")
    if not full and measure.owner_id != _uid():
        abort(403)
    form = _measure_form(MeasureForm if full else ProgressForm, obj=measure)
    if request.method == "GET" and full:
        form.owner.data = measure.owner_id or 0
    if form.validate_on_submit():
        values = {"status": form.status.data, "progress": _done_progress(form),
                  "result": (form.result.data or "").strip()}
        if full:
            values.update(wording=form.wording.data.strip(), use=form.use.data, unit=form.unit.data.strip(),
                          owner_id=form.owner.data or None, start_date=form.start_date.data,
                          due_date=form.due_date.data or measure.due_date,
                          public_wording=(form.public_wording.data or "").strip())
        for name, value in values.items():
            service.change(measure, name, value, _uid())
        db.session.commit()
        flash(_("The measure is saved."), "success")
        return redirect(url_for(".pain", pain_id=pain.id))
    return render_template("office/painmap/measure.html", form=form, pain=pain, measure=measure, full=full,
                           due_days=due_days(g.tenant), m=service.measured(g.tenant, pain), **_labels())


@bp.route("/board")
@office_required()
def board():
    """Measures by status (the action-planning tools' board), overdue ones marked."""
    rows = db.session.execute(select(Measure).join(Pain, Measure.pain_id == Pain.id)
                              .where(Pain.status != "merged")
                              .order_by(Measure.due_date.is_(None), Measure.due_date, Measure.id)).scalars().all()
    columns = {s: [] for s in MEASURE_STATUSES}
    for m in rows:
        columns.setdefault(m.status, []).append(m)
    return render_template("office/painmap/board.html", columns=columns, people=table.members(),
                           responsible=table.responsible, today=local_today(g.tenant.tz), uid=_uid(),
                           can_manage=_role_at_least("officer"), **_labels())


@bp.route("/versions")
@bp.route("/versions/<version_id>")
@office_required()
def version(version_id=None):
    """The map frozen per period: the list of versions and what changed in one (the latest by default) since the
    version before it."""
    all_versions = versions.all_versions()
    if version_id is not None:
        chosen = get_or_404(PainmapVersion, version_id)
    else:
        chosen = all_versions[0] if all_versions else None
    changes = versions.changes(chosen, versions.previous(chosen)) if chosen is not None else None
    return render_template("office/painmap/versions.html", versions=all_versions, chosen=chosen, changes=changes,
                           **_labels())


# ----------------------------------------------------------------------------------------------------- suggestions

class AcceptForm(FlaskForm):
    target = SelectField(_l("Accept as"), coerce=int, default=0)
    process_id = SelectField(_l("Process"), coerce=int, default=0)


class DismissForm(FlaskForm):
    reason = TextAreaField(_l("Reason for dismissal"), validators=[DataRequired(), Length(max=2000)])


def _accept_form(suggestion: Suggestion | None = None) -> AcceptForm:
    form = AcceptForm(prefix="accept")
    pains = db.session.execute(select(Pain).where(Pain.status.not_in(("merged", "rejected")))
                               .order_by(Pain.id)).unique().scalars()
    form.target.choices = [(0, _("a new pain"))] + [
        (p.id, _("evidence of pain №%(id)s: %(wording)s", id=p.id, wording=p.wording[:80])) for p in pains]
    form.process_id.choices = _process_choices()
    if suggestion is not None and request.method == "GET":
        found = service.find_process(suggestion.process)
        form.process_id.data = found.id if found else 0
    return form


@bp.route("/suggestions")
@office_required("officer")
def suggestions():
    rows = db.session.execute(select(Suggestion).where(Suggestion.status == "open")
                              .order_by(Suggestion.period.desc(), Suggestion.id)).scalars().all()
    decided = db.session.execute(select(Suggestion).where(Suggestion.status != "open")
                                 .order_by(Suggestion.decided_at.desc(), Suggestion.id.desc()).limit(20)).scalars().all()
    items = [(s, service.as_json(g.tenant, s), _accept_form(s), DismissForm(prefix=f"dismiss-{s.id}")) for s in rows]
    return render_template("office/painmap/suggestions.html", items=items, decided=decided, people=table.members(),
                           person=table.person, min_answers=service.min_answers(g.tenant),
                           **_labels())


def _open_suggestion(suggestion_id) -> Suggestion | None:
    s = get_or_404(Suggestion, suggestion_id)
    if s.status != "open":
        flash(_("This suggestion was already decided."), "error")
        return None
    return s


@bp.route("/suggestions/<suggestion_id>/accept", methods=["POST"])
@office_required("officer")
def accept(suggestion_id):
    s = _open_suggestion(suggestion_id)
    if s is None:
        return redirect(url_for(".suggestions"))
    form = _accept_form()
    if not form.validate_on_submit():
        flash(_("Choose a new pain or one of the pains of the list."), "error")
        return redirect(url_for(".suggestions"))
    target = get_or_404(Pain, form.target.data) if form.target.data else None
    process = db.session.get(Process, form.process_id.data) if form.process_id.data else None
    if target is None:
        pain = service.accept(g.tenant, s, _uid(), process_name=process.name if process else "")
        if process is None and pain.process_id is not None:
            service.change(pain, "process_id", None, _uid())
            db.session.commit()
        flash(_("A new pain is on the map."), "success")
    else:
        pain = service.accept(g.tenant, s, _uid(), pain=target)
        flash(_("The figure is added to the pain's evidence."), "success")
    return redirect(url_for(".pain", pain_id=pain.id))


@bp.route("/suggestions/<suggestion_id>/dismiss", methods=["POST"])
@office_required("officer")
def dismiss(suggestion_id):
    s = _open_suggestion(suggestion_id)
    if s is None:
        return redirect(url_for(".suggestions"))
    form = DismissForm(prefix=f"dismiss-{s.id}")
    if not form.validate_on_submit():
        flash(_("Say why the suggestion is dismissed: the reason is required."), "error")
        return redirect(url_for(".suggestions") + f"#suggestion-{s.id}")
    service.dismiss(s, form.reason.data, _uid())
    flash(_("The suggestion is dismissed; it will not come back for %(period)s.", period=s.period), "success")
    return redirect(url_for(".suggestions"))


# -------------------------------------------------------------------------------------------------------------- API

def _m_json(m: service.Measured) -> dict:
    return {"n": m.n, "N": m.total, "period": m.period or None, "percent": m.percent,
            "ci_low": round(m.low * 100, 1) if m.low is not None else None,
            "ci_high": round(m.high * 100, 1) if m.high is not None else None, "too_few_answers": m.too_few,
            "band": m.band, "priority": m.priority}


def pain_json(tenant, pain: Pain) -> dict:
    m = service.measured(tenant, pain)
    p = pain.process
    return {
        "id": pain.id, "wording": pain.wording, "kind": pain.kind, "status": pain.status,
        "audience": pain.audience, "segment": pain.segment, "touchpoint": pain.touchpoint,
        "process": {"id": p.id, "name": p.name, "group": p.group, "touchpoints": p.touchpoints,
                    "life_situations": p.life_situations} if p else None,
        "prevalence": _m_json(m), "band": m.band, "priority": m.priority,
        "priority_override": pain.priority_override, "priority_reason": pain.priority_reason or None,
        "progress": service.progress(pain), "merged_into": pain.merged_into_id,
        "evidence": [{"id": e.id, "source": e.source, "analysis_id": e.analysis_id, "kind": e.kind or None,
                      "period": e.period or None, "figure": e.figure or None, "title": e.title, "n": e.n,
                      "N": e.total, "method": e.method or None, "examples": e.examples,
                      "prevalence": _m_json(service.measure(tenant, e))} for e in pain.evidence],
        "measures": [{"id": x.id, "wording": x.wording, "public_wording": x.public_wording or None, "use": x.use,
                      "unit": x.unit, "owner_id": x.owner_id,
                      "start_date": x.start_date.isoformat() if x.start_date else None,
                      "due_date": x.due_date.isoformat() if x.due_date else None, "status": x.status,
                      "progress": x.progress, "result": x.result or None} for x in pain.measures],
    }


FIGURES_SCHEMA = {"type": "object", "properties": {
    "n": {"type": ["integer", "null"]}, "N": {"type": ["integer", "null"]}, "period": {"type": ["string", "null"]},
    "percent": {"type": ["integer", "null"]}, "ci_low": {"type": ["number", "null"]},
    "ci_high": {"type": ["number", "null"]}, "too_few_answers": {"type": "boolean"},
    "band": {"type": ["string", "null"]}, "priority": {"type": ["string", "null"]}}}
PAIN_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "wording": {"type": "string"}, "kind": {"type": "string", "enum": list(PAIN_KINDS)},
    "status": {"type": "string", "enum": list(PAIN_STATUSES)}, "process": {"type": ["object", "null"]},
    "prevalence": FIGURES_SCHEMA, "band": {"type": ["string", "null"]}, "priority": {"type": ["string", "null"]},
    "progress": {"type": "integer"}, "evidence": {"type": "array", "items": {"type": "object"}},
    "measures": {"type": "array", "items": {"type": "object"}}}}


@tenant_api.route("/painmap")
@documented("/{tenant}/painmap", "get", "The pain map: pains with evidence, prevalence (Wilson 95 % interval), band, "
            "priority and measures", tags=("painmap",),
            parameters=[{"name": "status", "in": "query", "required": False,
                         "schema": {"type": "string", "enum": list(PAIN_STATUSES)},
                         "description": "Only pains of this status (by default all but merged and rejected)"}],
            response={"type": "object", "properties": {"pains": {"type": "array", "items": PAIN_SCHEMA}}})
@api_auth()
def api_painmap():
    status = request.args.get("status", "")
    if status and status not in PAIN_STATUSES:
        return jsonify(error=f"status: expected one of {', '.join(PAIN_STATUSES)}"), 422
    return jsonify(pains=[pain_json(g.tenant, p) for p in table.pains({"status": status})])
