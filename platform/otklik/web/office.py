"""The authority's office: the home page with its channels, schedule and what needs attention."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask_babel import lazy_gettext as _l

from ..access import office_required
from ..capabilities import HOME_PANELS, add_office_nav
from ..channels import tenant_channels
from ..schedule import next_runs
from ..tenancy import register_tenant_blueprint
from ..vocabulary import CADENCE_LABELS, KIND_LABELS

bp = Blueprint("office", __name__, url_prefix="/<tenant_slug>/office")
register_tenant_blueprint(bp)
add_office_nav("office.home", _l("Overview"), order=0)


@bp.route("/")
@office_required()
def home():
    tenant = g.tenant
    panels = [(panel.template, panel.context()) for panel in HOME_PANELS]  # capabilities' add_home_panel
    return render_template(
        "office/home.html",
        tenant=tenant,
        channels=tenant_channels(tenant),
        runs=next_runs(tenant),
        panels=panels,
        kind_labels=KIND_LABELS,
        cadence_labels=CADENCE_LABELS,
    )
