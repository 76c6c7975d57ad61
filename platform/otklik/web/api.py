"""JSON API under /api/v1. Tenant endpoints live under /api/v1/<tenant_slug>/ and take a per-tenant bearer
token (or, for GET, the session of a member). The OpenAPI document is generated from the `documented`
declarations of the views themselves."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from flask import Blueprint, abort, g, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from ..extensions import csrf, db
from ..models import Analysis, ApiToken
from ..tenancy import get_or_404, register_tenant_blueprint
from .access import ROLE_RANK, tenant_role

bp = Blueprint("api", __name__, url_prefix="/api/v1")
tenant_api = Blueprint("tenant_api", __name__, url_prefix="/<tenant_slug>")
register_tenant_blueprint(tenant_api)
csrf.exempt(bp)
csrf.exempt(tenant_api)

OPENAPI_PATHS: dict[str, dict] = {}


def documented(path: str, method: str, summary: str, *, body: dict | None = None, response: dict | None = None,
               parameters: list | None = None, tags: tuple = ()):
    """Declare an endpoint in the OpenAPI document (path as OpenAPI writes it, e.g. /{tenant}/appeals)."""

    def decorator(view):
        op = {
            "summary": summary,
            "tags": list(tags),
            "security": [{"bearer": []}],
            "parameters": [{"name": "tenant", "in": "path", "required": True, "schema": {"type": "string"}}]
            + (parameters or []),
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": response or {"type": "object"}}}},
                "401": {"description": "No valid token for this authority"},
                "404": {"description": "No such authority or record"},
                "422": {"description": "Invalid data: nothing was stored; the errors say row, field and reason"},
            },
        }
        if body:
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        OPENAPI_PATHS.setdefault(path, {})[method.lower()] = op
        return view

    return decorator


def api_auth(min_role: str = "viewer", write: bool = False):
    """Bearer token of this tenant, or (read-only) the session of a member with at least `min_role`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            header = request.headers.get("Authorization", "")
            if header.startswith("Bearer "):
                token = db.session.execute(
                    select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(header[7:].strip()))
                ).scalar_one_or_none()
                if token is None or token.revoked_at is not None:
                    return jsonify(error="invalid or revoked token for this authority"), 401
                token.last_used_at = datetime.now(UTC)
                g.api_token = token
                return view(*args, **kwargs)
            if not write and current_user.is_authenticated:
                role = tenant_role()
                if role is None:
                    abort(404)
                if ROLE_RANK[role] >= ROLE_RANK[min_role]:
                    return view(*args, **kwargs)
                abort(403)
            return jsonify(error="authorization required: 'Authorization: Bearer <token>'"), 401

        return wrapper

    return decorator


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
