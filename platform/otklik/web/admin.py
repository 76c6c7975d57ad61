"""The regional administrator: onboards authorities from profiles, edits their plugin settings, adds people."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from .. import sessions
from ..access import admin_required
from ..extensions import db
from ..models import Membership, Tenant
from ..models.user import TENANT_ROLES
from ..painmap.deadlines import overdue_counts
from ..plugins import SettingsError, get_plugin_manager
from ..profiles import available_profiles, load_profile, parse_profile
from ..publishing.deadlines import warning_counts as publication_warning_counts
from ..tenancy import across_tenants, tenant_scope
from ..tenants import OnboardingError, add_member, create_tenant, update_plugins

bp = Blueprint("admin", __name__, url_prefix="/admin")

ROLE_LABELS = {"officer": _l("Responsible officer"), "operator": _l("Operator"), "viewer": _l("Viewer")}


class TenantForm(FlaskForm):
    profile = SelectField(_l("Profile"), validators=[Optional()])
    profile_text = TextAreaField(_l("…or paste a profile (TOML)"), validators=[Optional()])
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(), Length(2, 63)])
    name = StringField(_l("Full name of the authority"), validators=[Optional(), Length(max=500)])
    officer_email = EmailField(_l("Responsible officer's e-mail"), validators=[Optional(), Email()])
    officer_name = StringField(_l("Responsible officer's name"), validators=[Optional(), Length(max=200)])


class MemberForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in TENANT_ROLES])


def _profiles() -> list[Path]:
    return available_profiles(current_app.config["TENANTS_DIR"])


@bp.route("/")
@bp.route("/tenants")
@admin_required
def tenants():
    counts = dict(
        db.session.execute(
            across_tenants(select(Membership.tenant_id, func.count(Membership.id)).group_by(Membership.tenant_id))
        ).all()
    )
    rows = db.session.execute(select(Tenant).order_by(Tenant.name)).scalars().all()
    overdue = overdue_counts(rows)  # the pain map's overdue measures: a count, no record of the authority
    deadlines = publication_warning_counts(rows)  # the release calendar: deadlines due or missed
    return render_template("admin/tenants.html", tenants=rows, members=counts, overdue=overdue, deadlines=deadlines)


@bp.route("/tenants/new", methods=["GET", "POST"])
@admin_required
def new_tenant():
    form = TenantForm()
    form.profile.choices = [SelectChoice("", "—")] + [SelectChoice(p.name, p.stem) for p in _profiles()]
    if form.validate_on_submit():
        try:
            if form.profile_text.data and form.profile_text.data.strip():
                profile = parse_profile(form.profile_text.data, _("pasted profile"))
            elif form.profile.data:
                path = next((p for p in _profiles() if p.name == form.profile.data), None)
                if path is None:
                    abort(400)
                profile = load_profile(path)
            else:
                raise OnboardingError(_("Choose a profile or paste one."))
            tenant = create_tenant(profile, form.slug.data.strip(), form.name.data or None)
            password = None
            if form.officer_email.data:
                _user, password = add_member(tenant, form.officer_email.data, "officer", form.officer_name.data or "")
            db.session.commit()
        except (SettingsError, OnboardingError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("admin/tenant_new.html", form=form), 400
        flash(_("Authority %(name)s is created.", name=tenant.name), "success")
        if password:
            flash(_("Password of %(email)s (shown once): %(pw)s", email=form.officer_email.data, pw=password), "secret")
        return redirect(url_for("admin.tenant", tenant_id=tenant.id))
    return render_template("admin/tenant_new.html", form=form)


def _tenant(tenant_id: int) -> Tenant:
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        abort(404)
    return tenant


def _member(membership_id: int) -> Membership:
    """A membership of the tenant in scope (CSRF checked: these are bare POST buttons)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    membership = db.session.execute(
        select(Membership).where(Membership.id == membership_id)
    ).scalar_one_or_none()
    if membership is None:
        abort(404)
    return membership


@bp.route("/tenants/<int:tenant_id>/members/<int:membership_id>/sign-out", methods=["POST"])
@admin_required
def member_sign_out(tenant_id: int, membership_id: int):
    """End every session of a person at once (a lost laptop, a leaked password)."""
    tenant = _tenant(tenant_id)
    with tenant_scope(tenant):
        membership = _member(membership_id)
        ended = sessions.end_all(membership.user_id)
        email = membership.user.email
    db.session.commit()
    flash(_("%(email)s is signed out in every browser (sessions ended: %(n)s).", email=email, n=ended), "success")
    return redirect(url_for("admin.tenant", tenant_id=tenant.id))


@bp.route("/tenants/<int:tenant_id>/members/<int:membership_id>/remove", methods=["POST"])
@admin_required
def member_remove(tenant_id: int, membership_id: int):
    """Take a person's role in this authority away; their open sessions end in the same transaction."""
    tenant = _tenant(tenant_id)
    with tenant_scope(tenant):
        membership = _member(membership_id)
        email = membership.user.email
        db.session.delete(membership)
        db.session.flush()
    db.session.commit()
    flash(_("%(email)s no longer works in %(name)s and is signed out.", email=email, name=tenant.name), "success")
    return redirect(url_for("admin.tenant", tenant_id=tenant.id))


@bp.route("/tenants/<int:tenant_id>", methods=["GET", "POST"])
@admin_required
def tenant(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = MemberForm()
    pm = get_plugin_manager()
    submitted = None  # the administrator's texts, shown again when refused
    if request.method == "POST" and request.form.get("action") == "settings":
        if not FlaskForm().validate_on_submit():  # CSRF only: the settings are plain fields
            abort(400)
        submitted = {name: request.form.get(f"settings-{name}", "{}") or "{}" for name in request.form.getlist("plugin")}
        try:
            plugins = {}
            for name, raw in submitted.items():
                try:
                    plugins[name] = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise SettingsError(f"plugins.{name}", f"line {exc.lineno}", exc.msg) from None
            update_plugins(tenant, plugins)
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.tenant", tenant_id=tenant.id))
        except SettingsError as exc:
            db.session.rollback()
            flash(_("The settings were not saved, nothing changed: %(error)s", error=str(exc)), "error")
    if form.validate_on_submit():
        try:
            _user, password = add_member(tenant, form.email.data, form.role.data, form.name.data or "")
            db.session.commit()
        except OnboardingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("%(email)s now works in %(name)s.", email=form.email.data, name=tenant.name), "success")
            if password:
                flash(_("Password of %(email)s (shown once): %(pw)s", email=form.email.data, pw=password), "secret")
        return redirect(url_for("admin.tenant", tenant_id=tenant.id))
    with tenant_scope(tenant):
        members = db.session.execute(select(Membership).order_by(Membership.role)).scalars().all()
    settings = {
        name: json.dumps({k: v for k, v in tenant.plugins.get(name, {}).items()}, ensure_ascii=False, indent=2)
        for name in tenant.plugins
    }
    settings.update({name: text for name, text in (submitted or {}).items() if name in settings})
    declared = {name: pm.declared(name) for name in tenant.plugins if name in pm.names}
    return render_template(
        "admin/tenant.html",
        tenant=tenant,
        members=members,
        form=form,
        settings=settings,
        declared=declared,
        role_labels=ROLE_LABELS,
    ), (422 if submitted is not None else 200)
