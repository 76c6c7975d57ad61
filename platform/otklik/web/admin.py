"""The regional administrator: onboards authorities from profiles, edits their plugin settings, adds people."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from .. import sessions
from ..access import admin_required
from ..extensions import db
from ..models import Membership, Tenant
from ..models.tenant import inn_problem
from ..models.user import TENANT_ROLES
from ..painmap.deadlines import overdue_counts
from ..plugins import SettingsError
from ..profiles import (
    MAX_POPULATION,
    Profile,
    available_profiles,
    load_profile,
    parse_profile,
    russian_time_zones,
)
from ..publishing.deadlines import warning_counts as publication_warning_counts
from ..tenancy import across_tenants, tenant_scope
from ..tenants import (
    OnboardingError,
    add_member,
    change_role,
    create_tenant,
    email_syntax_error,
    remove_member,
    reset_password,
    update_identity,
    update_plugins,
)
from ..vocabulary import AUTHORITY_KINDS, ROLE_LABELS
from . import plugin_settings

bp = Blueprint("admin", __name__, url_prefix="/admin")



def email_address(_form, field):
    """E-mail syntax (email_validator) without refusing reserved domains: the demo's addresses end in `.local`."""
    if field.data and email_syntax_error(field.data):
        raise ValidationError(_("«%(value)s» is not an e-mail address: write it as name@domain.", value=field.data))


class IdentityForm(FlaskForm):
    """Who the authority is: typed by the administrator, prefilled from the profile."""

    name = StringField(_l("Full name of the authority"), validators=[
        InputRequired(_l("Enter the full name of the authority.")), Length(max=500)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=200)])
    region = StringField(_l("Region"), validators=[InputRequired(_l("Enter the region.")), Length(max=200)])
    timezone = SelectField(_l("Time zone"), validators=[InputRequired(_l("Choose the time zone."))])
    act = TextAreaField(_l("Legal act"), validators=[
        InputRequired(_l("Name the act: kind, date, number and title.")), Length(max=2000)])
    act_date = DateField(_l("Date of the act"), validators=[Optional()])
    authority_kind = SelectField(_l("Kind of authority"), validators=[Optional()],
                                 choices=[SelectChoice("", "—")] + [SelectChoice(k, v) for k, v in AUTHORITY_KINDS.items()])
    population = IntegerField(_l("Population served"), validators=[Optional()])
    population_source = StringField(_l("Source of the population and its year"),
                                    validators=[Length(max=200)])  # no Optional: it would skip the check below
    inn = StringField(_l("INN of the authority"), validators=[Optional(), Length(max=40)])

    def validate_population(self, field):
        if field.data is not None and not 1 <= field.data <= MAX_POPULATION:
            raise ValidationError(_("A whole number of people from 1 to %(max)s.",
                                    max=f"{MAX_POPULATION:,}".replace(",", " ")))

    def validate_inn(self, field):
        """10 or 12 digits with the FNS check digits (the open-data passports' identifier is built from it)."""
        problem = inn_problem((field.data or "").strip())
        if problem:
            raise ValidationError(problem)

    def validate_population_source(self, field):
        if self.population.data and not (field.data or "").strip():
            raise ValidationError(_("Say where the population comes from and its year, e.g. «Росстат, оценка на "
                                    "01.01.2025»."))


class TenantForm(IdentityForm):
    profile = SelectField(_l("Profile"), validators=[Optional()])
    profile_text = TextAreaField(_l("…or paste a profile (TOML)"), validators=[Optional()])
    slug = StringField(_l("Address (slug)"), validators=[InputRequired(_l("Enter the address.")), Length(2, 63)])
    officer_email = EmailField(_l("Responsible officer's e-mail"), validators=[Optional(), email_address])
    officer_name = StringField(_l("Responsible officer's name"), validators=[Optional(), Length(max=200)])


class MemberForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[InputRequired(_l("Enter the e-mail.")), email_address])
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in TENANT_ROLES])


def timezone_label(zone: str) -> str:
    """"Asia/Omsk (UTC+06:00)": the zone and its offset today."""
    offset = datetime.now(ZoneInfo(zone)).strftime("%z")
    return f"{zone} (UTC{offset[:3]}:{offset[3:]})"


def _timezones(form: IdentityForm, current: str | None = None) -> None:
    """Russia's zones; a zone the profile or the tenant has outside them stays choosable."""
    zones = russian_time_zones()
    for extra in (current, form.timezone.data):
        if extra and extra not in zones and extra in available_timezones():
            zones.append(extra)
    form.timezone.choices = [SelectChoice(z, timezone_label(z)) for z in zones]


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
    """Onboarding without JavaScript: choose a profile and press «Fill in from the profile» (or open
    ?profile=<file>), the identity fields take the profile's values, edit them, create. The new authority gets the
    identity typed here; the profile gives its rules and plugins."""
    form = TenantForm()
    form.profile.choices = [SelectChoice("", "—")] + [SelectChoice(p.name, p.stem) for p in _profiles()]
    chosen = request.args.get("profile") if request.method == "GET" else None
    prefill = request.method == "POST" and request.form.get("action") == "prefill"
    if chosen or prefill:
        if chosen:
            form.profile.data = chosen
        try:
            _prefill(form, _chosen_profile(form))
        except (SettingsError, OnboardingError) as exc:
            flash(str(exc), "error")
            _timezones(form)
            return render_template("admin/tenant_new.html", form=form), 422
        _timezones(form)
        return render_template("admin/tenant_new.html", form=form)
    _timezones(form)
    if form.validate_on_submit():
        try:
            profile = replace(_chosen_profile(form), **_identity_of(form, for_profile=True))
            tenant = create_tenant(profile, form.slug.data.strip())
            password = None
            if form.officer_email.data:
                _user, password = add_member(tenant, form.officer_email.data, "officer", form.officer_name.data or "")
            db.session.commit()
        except (SettingsError, OnboardingError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("admin/tenant_new.html", form=form), 422
        flash(_("Authority %(name)s is created.", name=tenant.name), "success")
        if password:
            flash(_("Password of %(email)s (shown once): %(pw)s", email=form.officer_email.data, pw=password), "secret")
        return redirect(url_for("admin.tenant", tenant_id=tenant.id))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/tenant_new.html", form=form), status


def _chosen_profile(form: TenantForm) -> Profile:
    if form.profile_text.data and form.profile_text.data.strip():
        return parse_profile(form.profile_text.data, _("pasted profile"))
    if form.profile.data:
        path = next((p for p in _profiles() if p.name == form.profile.data), None)
        if path is None:
            raise OnboardingError(_("There is no profile %(name)s.", name=form.profile.data))
        return load_profile(path)
    raise OnboardingError(_("Choose a profile or paste one."))


def _prefill(form: IdentityForm, profile: Profile) -> None:
    """The identity fields take the profile's values (what the administrator then edits)."""
    values = {"name": profile.name, "short_name": profile.short_name, "region": profile.region,
              "timezone": profile.timezone, "act": profile.act, "act_date": profile.act_date,
              "authority_kind": profile.authority_kind, "population": profile.population,
              "population_source": profile.population_source}
    for key, value in values.items():
        getattr(form, key).data = value
        getattr(form, key).raw_data = None  # show the profile's value, not the one sent with the button


def _identity_of(form: IdentityForm, for_profile: bool = False) -> dict:
    """The identity the administrator typed, as Profile fields (onboarding) or Tenant columns (editing)."""
    values = {"name": form.name.data.strip(), "short_name": (form.short_name.data or "").strip(),
              "region": form.region.data.strip(), "timezone": form.timezone.data, "act_date": form.act_date.data,
              "authority_kind": form.authority_kind.data or "", "population": form.population.data,
              "population_source": (form.population_source.data or "").strip()}
    values["act" if for_profile else "legal_act"] = form.act.data.strip()
    if not for_profile:
        values["inn"] = (form.inn.data or "").strip()  # a tenant column; profiles name no INN
    return values


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
        remove_member(membership)
    db.session.commit()
    flash(_("%(email)s no longer works in %(name)s and is signed out.", email=email, name=tenant.name), "success")
    return redirect(url_for("admin.tenant", tenant_id=tenant.id))


@bp.route("/tenants/<int:tenant_id>/members/<int:membership_id>/role", methods=["POST"])
@admin_required
def member_role(tenant_id: int, membership_id: int):
    tenant = _tenant(tenant_id)
    role = request.form.get("role", "")
    if role not in TENANT_ROLES:
        abort(400)
    with tenant_scope(tenant):
        membership = _member(membership_id)
        change_role(membership, role)
        email = membership.user.email
    db.session.commit()
    flash(_("%(email)s is now: %(role)s.", email=email, role=ROLE_LABELS[role]), "success")
    return redirect(url_for("admin.tenant", tenant_id=tenant.id))


@bp.route("/tenants/<int:tenant_id>/members/<int:membership_id>/reset-password", methods=["POST"])
@admin_required
def member_reset_password(tenant_id: int, membership_id: int):
    """A one-time password, shown once; every session of the person ends, and the next sign-in asks for a password
    of their own."""
    tenant = _tenant(tenant_id)
    with tenant_scope(tenant):
        membership = _member(membership_id)
        user = membership.user
        password = reset_password(user)
        email = user.email
    db.session.commit()
    flash(_("One-time password of %(email)s (shown once; they choose their own at the next sign-in): %(pw)s",
            email=email, pw=password), "secret")
    return redirect(url_for("admin.tenant", tenant_id=tenant.id))


@bp.route("/tenants/<int:tenant_id>", methods=["GET", "POST"])
@admin_required
def tenant(tenant_id: int):
    tenant = _tenant(tenant_id)
    form = MemberForm()
    identity = IdentityForm(prefix="identity", obj=None)
    _timezones(identity, tenant.timezone)
    action = request.form.get("action") if request.method == "POST" else None
    plugin_forms, settings_json, status = None, None, 200
    if action in ("settings", "settings_json", "identity") and not FlaskForm().validate_on_submit():
        abort(400)  # CSRF only: these forms are plain fields
    if action == "identity":
        if identity.validate():
            update_identity(tenant, **_identity_of(identity))
            db.session.commit()
            flash(_("The authority's details are saved."), "success")
            return redirect(url_for("admin.tenant", tenant_id=tenant.id))
        flash(_("The details were not saved, nothing changed: correct the fields marked below."), "error")
        status = 422
    elif action == "settings":
        plugins, plugin_forms = plugin_settings.read(tenant.plugins, request.form)
        if plugins is not None:
            tenant.plugins = plugins
            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("admin.tenant", tenant_id=tenant.id))
        flash(_("The settings were not saved, nothing changed: correct the fields marked below."), "error")
        status = 422
    elif action == "settings_json":
        settings_json = {name: request.form.get(f"settings-{name}", "{}") or "{}"
                         for name in request.form.getlist("plugin")}
        try:
            plugins = {}
            for name, raw in settings_json.items():
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
            status = 422
    elif form.validate_on_submit():
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
    elif request.method == "POST":
        status = 422
    if action != "identity":
        _fill_identity(identity, tenant)
    with tenant_scope(tenant):
        members = db.session.execute(select(Membership).order_by(Membership.role)).scalars().all()
    saved_json = {name: json.dumps(dict(tenant.plugins.get(name, {})), ensure_ascii=False, indent=2)
                  for name in tenant.plugins}
    saved_json.update({name: text for name, text in (settings_json or {}).items() if name in saved_json})
    return render_template(
        "admin/tenant.html",
        tenant=tenant,
        members=members,
        form=form,
        identity=identity,
        plugin_forms=plugin_forms or plugin_settings.forms_for(tenant.plugins),
        settings=saved_json,
        json_open=settings_json is not None,
        role_labels=ROLE_LABELS,
        roles=TENANT_ROLES,
        kind_labels=AUTHORITY_KINDS,
    ), status


def _fill_identity(form: IdentityForm, tenant: Tenant) -> None:
    values = {"name": tenant.name, "short_name": tenant.short_name, "region": tenant.region,
              "timezone": tenant.timezone, "act": tenant.legal_act, "act_date": tenant.act_date,
              "authority_kind": tenant.authority_kind, "population": tenant.population,
              "population_source": tenant.population_source, "inn": tenant.inn}
    for key, value in values.items():
        getattr(form, key).data = value
