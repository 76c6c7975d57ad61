"""Office pages of the catalogue of processes: the list, an entry (add, edit, deactivate), the life situations, the
import from CSV and the links of appeals and surveys by name. Officers edit; operators and viewers read; another
authority's entries answer 404 (the tenant scoping and `get_or_404`)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..access import ROLE_RANK, office_required, tenant_role
from ..capabilities import add_office_nav
from ..extensions import db
from ..models import Process
from ..models.painmap import PROCESS_KINDS
from ..tenancy import get_or_404, register_tenant_blueprint
from . import catalogue

catalogue_bp = Blueprint("catalogue", __name__, url_prefix="/<tenant_slug>/office/catalogue")
register_tenant_blueprint(catalogue_bp)
bp = catalogue_bp  # create_app registers each capability module's `bp`
add_office_nav("catalogue.index", _l("Catalogue of processes"), order=55)

UNLINKED_SHOWN = 50  # texts "not in the catalogue" listed on the catalogue's page


def _can_edit() -> bool:
    return ROLE_RANK.get(tenant_role() or "", 0) >= ROLE_RANK["officer"]


class ProcessForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[(k, catalogue.KIND_LABELS[k]) for k in PROCESS_KINDS])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=catalogue.NAME_MAX)])
    group = StringField(_l("Process group"), validators=[Length(max=catalogue.GROUP_MAX)])
    touchpoints = TextAreaField(_l("Touchpoints (one a line)"))
    life_situations = SelectMultipleField(_l("Life situations"), choices=[], validate_choice=False,
                                          option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    new_situations = TextAreaField(_l("New life situations (one a line)"))

    def validate_name(self, field):
        """Two entries may not differ only in case or spaces (appeals are linked by the name)."""
        same = catalogue.by_normal_name().get(catalogue.normal(field.data))
        if same is not None and same.id != getattr(self, "process_id", None):
            raise ValidationError(_("The catalogue already has «%(name)s».", name=same.name))

    def situations(self) -> list[str]:
        return catalogue.split_list("\n".join([*(self.life_situations.data or []), self.new_situations.data or ""]))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


def _form(process: Process | None) -> ProcessForm:
    form = ProcessForm(obj=None)
    form.process_id = process.id if process else None
    known = [name for name, _n in catalogue.life_situations()]
    if process is not None:
        known += [s for s in process.life_situations or [] if s not in known]
    form.life_situations.choices = [(s, s) for s in known]
    if request.method == "GET" and process is not None:
        form.kind.data, form.name.data, form.group.data = process.kind, process.name, process.group
        form.touchpoints.data = "\n".join(process.touchpoints or [])
        form.life_situations.data = list(process.life_situations or [])
    return form


def _store(form: ProcessForm, process: Process) -> None:
    process.kind = form.kind.data
    process.name = " ".join(form.name.data.split())
    process.group = " ".join((form.group.data or "").split())
    process.touchpoints = catalogue.split_list(form.touchpoints.data)
    process.life_situations = form.situations()


@catalogue_bp.route("/")
@office_required()
def index():
    show_all = request.args.get("all") == "1"
    rows = catalogue.entries(active_only=not show_all)
    unlinked = catalogue.unlinked(g.tenant.id)
    return render_template("office/painmap/catalogue.html", rows=rows, show_all=show_all, can_edit=_can_edit(),
                           kind_labels=catalogue.KIND_LABELS, situations=catalogue.life_situations(),
                           unlinked=unlinked[:UNLINKED_SHOWN], unlinked_more=max(len(unlinked) - UNLINKED_SHOWN, 0),
                           form=FlaskForm())


@catalogue_bp.route("/new", methods=["GET", "POST"])
@office_required("officer")
def new():
    form = _form(None)
    if form.validate_on_submit():
        process = Process(active=True)
        _store(form, process)
        db.session.add(process)
        db.session.commit()
        flash(_("«%(name)s» is added to the catalogue.", name=process.name), "success")
        return redirect(url_for(".index"))
    return render_template("office/painmap/catalogue_form.html", form=form, process=None, can_edit=True,
                           kind_labels=catalogue.KIND_LABELS)


@catalogue_bp.route("/<int:process_id>", methods=["GET", "POST"])
@office_required()
def entry(process_id: int):
    process = get_or_404(Process, process_id)
    if request.method == "POST" and not _can_edit():
        abort(403)
    form = _form(process)
    if form.validate_on_submit():
        _store(form, process)
        db.session.commit()
        flash(_("«%(name)s» is saved.", name=process.name), "success")
        return redirect(url_for(".index"))
    return render_template("office/painmap/catalogue_form.html", form=form, process=process, can_edit=_can_edit(),
                           kind_labels=catalogue.KIND_LABELS)


@catalogue_bp.route("/<int:process_id>/active", methods=["POST"])
@office_required("officer")
def toggle(process_id: int):
    """Deactivate an entry (it stays linked to its appeals, surveys and pains) or bring it back."""
    process = get_or_404(Process, process_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    process.active = not process.active
    db.session.commit()
    if process.active:
        flash(_("«%(name)s» is active again.", name=process.name), "success")
    else:
        flash(_("«%(name)s» is deactivated: it stays linked to its appeals, surveys and pains.", name=process.name),
              "success")
    return redirect(url_for(".index"))


@catalogue_bp.route("/import", methods=["GET", "POST"])
@office_required("officer")
def upload():
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        try:
            outcome = catalogue.import_csv(form.file.data.read())
        except catalogue.CatalogueRefused as refused:
            db.session.rollback()
            errors = refused.errors
            flash(_("The file is refused; the catalogue is unchanged."), "error")
        else:
            flash(_("Imported: %(added)s added, %(updated)s updated. Now link appeals and surveys by name.",
                    added=outcome.added, updated=outcome.updated), "success")
            return redirect(url_for(".index"))
    return render_template("office/painmap/catalogue_import.html", form=form, errors=errors,
                           columns=catalogue.CSV_COLUMNS, kind_labels=catalogue.KIND_LABELS)


@catalogue_bp.route("/link", methods=["POST"])
@office_required("officer")
def link():
    if not FlaskForm().validate_on_submit():
        abort(400)
    report = catalogue.link_by_name(g.tenant.id)
    return render_template("office/painmap/catalogue_link.html", report=report)


@catalogue_bp.route("/life-situations", methods=["GET", "POST"])
@office_required()
def situations():
    """The authority's life situations (kept in its entries): renaming one renames it in every entry."""
    form = FlaskForm()
    if request.method == "POST":
        if not _can_edit():
            abort(403)
        if not form.validate_on_submit():
            abort(400)
        old, new_name = request.form.get("old", ""), request.form.get("new", "")
        if not catalogue.normal(old):
            abort(400)
        changed = catalogue.rename_life_situation(old, new_name)
        if catalogue.normal(new_name):
            flash(_("«%(old)s» is renamed «%(new)s» in %(n)s entries.", old=old, new=new_name.strip(), n=changed),
                  "success")
        else:
            flash(_("«%(old)s» is removed from %(n)s entries.", old=old, n=changed), "success")
        return redirect(url_for(".situations"))
    return render_template("office/painmap/catalogue_situations.html", situations=catalogue.life_situations(),
                           can_edit=_can_edit(), form=form)
