"""JSON API under /api/v1: the OpenAPI document and the analyses. Tenant endpoints live under
/api/v1/<tenant_slug>/ on `otklik.api.tenant_api` (capabilities add theirs there) and take a per-tenant bearer
token (or, for GET, the session of a member). The OpenAPI document is generated from the `documented`
declarations of the views themselves."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from ..api import OPENAPI_PATHS, api_auth, documented, tenant_api
from ..extensions import csrf, db
from ..models import Analysis
from ..tenancy import get_or_404

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.route("/openapi.json")
def openapi():
    return jsonify(
        {
            "openapi": "3.1.0",
            "info": {"title": "Otklik API", "version": "1"},
            "servers": [{"url": "/api/v1"}],
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "paths": dict(sorted(OPENAPI_PATHS.items())),
        }
    )


@tenant_api.route("/analyses/<analysis_id>")
@documented("/{tenant}/analyses/{id}", "get", "One stored analysis with its result document", tags=("analyses",),
            parameters=[{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}])
@api_auth()
def analysis(analysis_id):
    a = get_or_404(Analysis, analysis_id)
    return jsonify(
        id=a.id, kind=a.kind, period=a.period, status=a.status, trigger=a.trigger, result=a.result,
        error=a.error or None,
        finished_at=a.finished_at.isoformat() if a.finished_at else None,
    )


@tenant_api.route("/analyses")
@documented("/{tenant}/analyses", "get", "The authority's analyses, newest period first (without their documents)",
            tags=("analyses",),
            parameters=[{"name": "kind", "in": "query", "required": False, "schema": {"type": "string"}}])
@api_auth()
def analyses():
    stmt = select(Analysis).order_by(*Analysis.latest_first())
    if request.args.get("kind"):
        stmt = stmt.where(Analysis.kind == request.args["kind"])
    rows = db.session.execute(stmt.limit(500)).scalars().all()
    return jsonify(analyses=[
        dict(id=a.id, kind=a.kind, period=a.period, status=a.status, trigger=a.trigger,
             finished_at=a.finished_at.isoformat() if a.finished_at else None)
        for a in rows
    ])


def register_tenant_api() -> None:
    """Nest the tenant API under /api/v1 once every capability has added its routes."""
    if "tenant_api" not in {b.name for b, _ in bp._blueprints}:
        bp.register_blueprint(tenant_api)
