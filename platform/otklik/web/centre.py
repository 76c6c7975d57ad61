"""The Analytical Centre: compares authorities on comparable indicators, aggregates only."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from ..extensions import db
from ..models import Analysis, Tenant
from ..tenancy import across_tenants
from .access import analyst_required

bp = Blueprint("centre", __name__, url_prefix="/centre")


@bp.route("/")
@analyst_required
def home():
    tenants = db.session.execute(select(Tenant).where(Tenant.active.is_(True)).order_by(Tenant.name)).scalars().all()
    done = dict(
        db.session.execute(
            across_tenants(
                select(Analysis.tenant_id, func.count(Analysis.id))
                .where(Analysis.status == "done")
                .group_by(Analysis.tenant_id)
            )
        ).all()
    )
    return render_template("centre/home.html", tenants=tenants, done=done)
