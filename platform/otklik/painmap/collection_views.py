"""Office pages of additional collections (issue 11, item 11): start one from a signal or a pain, seeing the sample
n before saving; a collection's page with responses against n. Officers only; another authority's collection is a
404 (the tenant scope). The analysis page and the pain page read `additional_collections_*` from the context
processor below, so the analysis does not import the pain map."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..access import office_required, tenant_role
from ..extensions import db
from ..models import Analysis, Pain, QuestionnaireVersion
from ..models.painmap import AdditionalCollection
from ..tenancy import get_or_404, register_tenant_blueprint
from . import collection

bp = Blueprint("collections", __name__, url_prefix="/<tenant_slug>/office/painmap/collections")
register_tenant_blueprint(bp)


class CollectionForm(FlaskForm):
    version = SelectField(_l("Questionnaire (published version)"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=500)])
    population = IntegerField(_l("General population N"), validators=[
        InputRequired(_l("Enter the general population: a whole number of people.")),
        NumberRange(1, collection.MAX_POPULATION)])
    population_source = TextAreaField(_l("Source of the general population"),
                                      validators=[DataRequired(), Length(max=2000)])
    shown_n = HiddenField()


@bp.app_context_processor
def _collections_for_pages():
    """What the analysis page and the pain page show: the collections answering signals, and their progress."""
    def by_signal(analysis_id):
        return collection.of_analysis(analysis_id) if getattr(g, "tenant", None) and tenant_role() else {}

    def of_pain(pain_id):
        if not (getattr(g, "tenant", None) and tenant_role()):
            return []
        found = collection.of_pain(pain_id)
        counted = collection.progress(found)
        return [(c, counted[c.id]) for c in found]

    return {"additional_collections_by_signal": by_signal, "additional_collections_of_pain": of_pain,
            "signal_key": collection.signal_key}


@bp.route("/new", methods=["GET", "POST"])
@office_required("officer")
def new():
    """`?pain=ID` or `?analysis=ID&signal=KEY`. The first submit shows n; the second, with the same N, saves."""
    args = request.values
    pain = get_or_404(Pain, args["pain"]) if args.get("pain") else None
    analysis = get_or_404(Analysis, args["analysis"]) if args.get("analysis") else None
    signal = collection.signal_of(analysis, args.get("signal") or "") if analysis is not None else None
    if (pain is None and analysis is None) or (analysis is not None and signal is None):
        flash(_("An additional collection starts from a signal of an analysis or from a pain."), "error")
        return redirect(url_for("painmap.index"))
    versions = collection.published_versions()
    form = CollectionForm()
    form.version.choices = [(str(v.id), f"{v.questionnaire.title} — v{v.number}") for v in versions]
    quarter = collection.next_quarter(g.tenant)
    if request.method == "GET":
        form.title.data = _("Additional collection: %(what)s", what=pain.wording[:300] if pain else signal["message"])
        if signal and signal.get("population"):
            form.population.data = signal["population"]
    n = None
    if request.method == "POST" and form.validate():
        n = collection.sample_for(g.tenant, form.population.data)
        if request.form.get("action") == "save":
            if form.shown_n.data != str(n):
                flash(_("The general population changed: check the sample below and start again."), "error")
            else:
                try:
                    found = collection.start(
                        g.tenant, version=get_or_404(QuestionnaireVersion, form.version.data),
                        population=form.population.data, population_source=form.population_source.data,
                        title=form.title.data, pain=pain, analysis=analysis,
                        signal=collection.signal_key(signal) if signal else None, user_id=current_user.id)
                except collection.Refused as refused:
                    db.session.rollback()
                    getattr(form, refused.field, form.version).errors.append(str(refused))
                else:
                    db.session.commit()
                    flash(_("The additional collection is started: its survey takes answers in %(q)s.",
                            q=quarter.name), "success")
                    return redirect(url_for(".detail", collection_id=found.id))
        form.shown_n.data = str(n)
    return render_template("office/painmap/collection_new.html", form=form, pain=pain, analysis=analysis,
                           signal=signal, versions=versions, quarter=quarter, n=n,
                           accuracy=collection.accuracy(g.tenant))


@bp.route("/<collection_id>")
@office_required("officer")
def detail(collection_id):
    found = get_or_404(AdditionalCollection, collection_id)
    signal = None
    if found.analysis_id:
        signal = collection.signal_of(db.session.get(Analysis, found.analysis_id), found.signal_code or "")
    return render_template("office/painmap/collection.html", c=found, p=collection.progress([found])[found.id],
                           signal=signal, first_last=found.survey.days(g.tenant.tz))
