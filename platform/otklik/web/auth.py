"""Sign in and out, language choice. One login for the platform; rights come from roles and memberships."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from .. import sessions
from ..extensions import db, limiter
from ..models import Tenant
from ..tenancy import across_tenants
from ..vocabulary import ROLE_LABELS

bp = Blueprint("auth", __name__)

# What a person with a one-time password may still open: the account page to choose their own, and the way out.
_OPEN_TO_ONE_TIME = {"auth.account", "auth.password", "auth.logout", "auth.set_language", "auth.health", "static"}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[
        DataRequired(), Length(min=10, max=200, message=_l("The new password needs 10 to 200 characters."))])
    repeat = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])


# Sign-in limits. Per address (the key of every limit: extensions._client_key) and per account, both counting
# failed password checks only: a guesser spreading over many addresses is stopped by the account's limit, one
# guessing many accounts by the address's, and an office whose colleagues all sign in behind one shared address in
# the morning is never refused for signing in right (issue 24, item 8). Both refuse with the same words.
ACCOUNT_LIMIT = "5 per minute;30 per hour"
ADDRESS_LIMIT = "10 per minute;100 per hour"


def _account_key() -> str:
    """The per-account limit's key: an HMAC (SHA-256, keyed with SECRET_KEY) of the normalised e-mail, so Redis
    holds no e-mail, and an unknown e-mail is counted exactly like a known one (the limit tells nothing)."""
    email = request.form.get("email") if request.endpoint == "auth.login" else current_user.email
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return "account:" + hmac.new(secret, sessions.normalise_email(email).encode(), hashlib.sha256).hexdigest()[:32]


def _password_refused(_response) -> bool:
    return bool(g.get("password_refused"))


@bp.errorhandler(429)
def _too_many_attempts(exc):
    """Whichever limit refused (this address's or this account's), the same words: they tell nobody which, nor
    whether the e-mail exists. No password is checked."""
    flash(_("Too many sign-in attempts. Wait a few minutes and try again."), "error")
    if request.endpoint == "auth.password":
        return _account_page(PasswordForm(), 429)
    return render_template("auth/login.html", form=LoginForm()), 429


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


@bp.before_app_request
def _one_time_password_first():
    """After an administrator's reset, every page leads to the account page until the person sets their own
    password (the one-time one was seen by the administrator)."""
    if (current_user.is_authenticated and getattr(current_user, "must_change_password", False)
            and request.endpoint not in _OPEN_TO_ONE_TIME and not request.path.startswith("/api/")):
        flash(_("You signed in with a one-time password: choose your own password to go on."), "info")
        return redirect(url_for("auth.account"))
    return None


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    tenants = db.session.execute(select(Tenant).where(Tenant.active.is_(True)).order_by(Tenant.name)).scalars().all()
    return render_template("index.html", tenants=tenants)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ADDRESS_LIMIT, methods=["POST"], deduct_when=_password_refused)
@limiter.limit(ACCOUNT_LIMIT, methods=["POST"], key_func=_account_key, deduct_when=_password_refused)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = sessions.authenticate(form.email.data, form.password.data)
        if user is None:
            g.password_refused = True
            flash(_("Wrong e-mail or password."), "error")
            return render_template("auth/login.html", form=form), 401
        sessions.sign_in(user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or home_url_for(user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    sessions.sign_out()
    db.session.commit()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
@login_required
def account():
    return _account_page(PasswordForm())


def _account_page(password_form: PasswordForm, status: int = 200):
    from ..tenants import memberships_of

    rows = []
    for m in memberships_of(current_user):
        tenant = db.session.get(Tenant, m.tenant_id)
        rows.append((tenant, ROLE_LABELS.get(m.role, m.role)))
    global_role = {"admin": _("Regional administrator"), "analyst": _("Analyst of the Analytical Centre")}.get(
        current_user.global_role or "")
    open_sessions = [(s, sessions.is_current(s)) for s in sessions.open_sessions(current_user.id)]
    return render_template("auth/account.html", rows=rows, sessions=open_sessions, global_role=global_role,
                           password_form=password_form), status


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit(ACCOUNT_LIMIT, key_func=_account_key, deduct_when=_password_refused)
def password():
    """A new password ends every session of the account (a thief's included) and opens a new one here."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return _account_page(form, 422)
    user = current_user._get_current_object()
    if sessions.authenticate(user.email, form.current.data) is None:
        g.password_refused = True
        form.current.errors = [_("The current password is wrong.")]
        return _account_page(form, 422)
    if form.new.data == form.current.data:
        form.new.errors = [_("The new password must differ from the current one.")]
        return _account_page(form, 422)
    user.set_password(form.new.data)
    user.must_change_password = False
    sessions.sign_in(user)  # flushes the new hash first: the old sessions end, then this browser's new one opens
    db.session.commit()
    flash(_("The password is changed. Every other browser signed in to this account is signed out."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    sessions.end_all(current_user.id)
    sessions.sign_out()
    db.session.commit()
    flash(_("You have signed out in every browser."), "info")
    return redirect(url_for("auth.login"))


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
