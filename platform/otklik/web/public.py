"""Citizens' side of an authority: only what its rules allowed to publish, never an internal model."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from ..tenancy import register_tenant_blueprint

bp = Blueprint("public", __name__, url_prefix="/<tenant_slug>")
register_tenant_blueprint(bp)

PUBLIC_SECTIONS: list[tuple[int, str, object]] = []
"""(order, template, context function) sections of the public home, added by the publishing capability."""


@bp.route("/")
def home():
    sections = [(template, context()) for _o, template, context in sorted(PUBLIC_SECTIONS, key=lambda s: s[0])]
    return render_template("public/home.html", tenant=g.tenant, sections=sections)
