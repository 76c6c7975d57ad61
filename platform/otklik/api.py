"""The tenant JSON API's shared parts, used by the capabilities that add endpoints to it: the blueprint
`tenant_api` (mounted by the web shell at /api/v1/<tenant_slug>), `api_auth` (a per-tenant bearer token, or for
GET the session of a member) and `documented` (the endpoint's entry in the OpenAPI document web.api serves)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from flask import Blueprint, abort, g, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from .access import ROLE_RANK, tenant_role
from .extensions import csrf, db
from .models import ApiToken
from .tenancy import register_tenant_blueprint

tenant_api = Blueprint("tenant_api", __name__, url_prefix="/<tenant_slug>")
register_tenant_blueprint(tenant_api)
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
