"""The people of an authority, for its responsible officer: who works here in which role; change a role, remove a
person. The regional administrator does the same (and adds people, resets passwords) on the admin pages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..access import office_required
from ..capabilities import add_office_nav
from ..extensions import db
from ..models import Membership
from ..models.user import TENANT_ROLES
from ..tenancy import register_tenant_blueprint
from ..tenants import OnboardingError, change_role, remove_member
from ..vocabulary import ROLE_LABELS

bp = Blueprint("people", __name__, url_prefix="/<tenant_slug>/office/people")
register_tenant_blueprint(bp)
add_office_nav("people.index", _l("People"), min_role="officer", order=90)


@bp.route("/")
@office_required("officer")
def index():
    members = db.session.execute(select(Membership).order_by(Membership.role, Membership.id)).scalars().all()
    return render_template("office/people.html", members=members, role_labels=ROLE_LABELS, roles=TENANT_ROLES)


def _membership(membership_id: int) -> Membership:
    """A membership of this authority (another's is 404), never the officer's own: an officer who demoted or removed
    themselves would lock the authority out of its own people page."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    membership = db.session.execute(select(Membership).where(Membership.id == membership_id)).scalar_one_or_none()
    if membership is None:
        abort(404)
    if membership.user_id == current_user.id:
        flash(_("You cannot change your own role or remove yourself: ask the regional administrator."), "error")
        return None
    return membership


@bp.route("/<int:membership_id>/role", methods=["POST"])
@office_required("officer")
def role(membership_id: int):
    membership = _membership(membership_id)
    if membership is not None:
        try:
            change_role(membership, request.form.get("role", ""))
        except OnboardingError:
            abort(400)
        db.session.commit()
        flash(_("%(email)s is now: %(role)s.", email=membership.user.email, role=ROLE_LABELS[membership.role]),
              "success")
    return redirect(url_for("people.index", tenant_slug=g.tenant.slug))


@bp.route("/<int:membership_id>/remove", methods=["POST"])
@office_required("officer")
def remove(membership_id: int):
    membership = _membership(membership_id)
    if membership is not None:
        email = membership.user.email
        remove_member(membership)
        db.session.commit()
        flash(_("%(email)s no longer works in %(name)s and is signed out.", email=email, name=g.tenant.name),
              "success")
    return redirect(url_for("people.index", tenant_slug=g.tenant.slug))
