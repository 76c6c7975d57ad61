"""Sign in and out, language choice. One login for the platform; rights come from roles and memberships."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from ..extensions import db, limiter
from ..models import Tenant, User
from ..tenancy import across_tenants

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


def home_url_for(user) -> str:
    from ..tenants import memberships_of

    if user.is_admin:
        return url_for("admin.tenants")
    if user.is_analyst:
        return url_for("centre.home")
    memberships = memberships_of(user)
    if len(memberships) == 1:
        slug = db.session.execute(select(Tenant.slug).where(Tenant.id == memberships[0].tenant_id)).scalar_one()
        return url_for("office.home", tenant_slug=slug)
    return url_for("auth.account")


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    tenants = db.session.execute(select(Tenant).where(Tenant.active.is_(True)).order_by(Tenant.name)).scalars().all()
    return render_template("index.html", tenants=tenants)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.execute(select(User).where(func.lower(User.email) == email)).scalar_one_or_none()
        if user is None or not user.active or not user.check_password(form.password.data):
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 401
        session.clear()
        login_user(user)
        session.permanent = True  # the idle timeout (PERMANENT_SESSION_LIFETIME) runs from each request
        session["login_at"] = datetime.now(UTC).isoformat()
        return redirect(_safe_next(request.args.get("next")) or home_url_for(user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    from ..tenants import memberships_of

    rows = []
    for m in memberships_of(current_user):
        tenant = db.session.get(Tenant, m.tenant_id)
        rows.append((tenant, m.role))
    return render_template("auth/account.html", rows=rows)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    from flask import current_app

    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.index"))


@bp.route("/health")
def health():
    db.session.execute(across_tenants(select(func.count(Tenant.id)))).scalar_one()
    return {"status": "ok"}
