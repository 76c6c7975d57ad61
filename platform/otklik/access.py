"""Who may open what. Anything a user may not see answers 404: another tenant's pages are not even confirmed.

Core, below the capabilities: their office pages use `office_required`, the web shell the rest.
"""

from __future__ import annotations

import functools

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from .capabilities import OFFICE_NAV, NavItem

ROLE_RANK = {"viewer": 1, "operator": 2, "officer": 3}


def _login_redirect():
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def tenant_role() -> str | None:
    """The signed-in user's role in the tenant of this request (cached on g)."""
    if "tenant_role" not in g:
        from .tenants import role_in

        tenant = getattr(g, "tenant", None)
        g.tenant_role = role_in(current_user, tenant) if tenant and current_user.is_authenticated else None
    return g.tenant_role


def office_required(min_role: str = "viewer"):
    """Office pages: a member of this tenant with at least `min_role` (viewer < operator < officer)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_redirect()
            role = tenant_role()
            if role is None:
                abort(404)
            if ROLE_RANK[role] < ROLE_RANK[min_role]:
                abort(403)
            return view(*args, **kwargs)

        wrapper.min_role = min_role  # read by required_role: templates and the role crawl test use the rule itself
        return wrapper

    return decorator


def can(min_role: str) -> bool:
    """Whether the signed-in member's role in this request's tenant reaches `min_role` (templates: `can('officer')`
    around a control, so nobody is shown a link or a button that would answer 403)."""
    role = tenant_role()
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[min_role]


def required_role(endpoint: str) -> str | None:
    """The least tenant role `office_required` asks of an endpoint, or None when it is not an office page."""
    from flask import current_app

    view = current_app.view_functions.get(endpoint)
    return getattr(view, "min_role", None)


def can_open(endpoint: str) -> bool:
    """Whether the signed-in member may open an office endpoint (its `office_required` rule)."""
    role = required_role(endpoint)
    return role is None or can(role)


def global_role_required(role: str):
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_redirect()
            if current_user.global_role != role:
                abort(404)
            return view(*args, **kwargs)

        return wrapper

    return decorator


admin_required = global_role_required("admin")
analyst_required = global_role_required("analyst")


def visible_nav() -> list[NavItem]:
    """The office navigation entries (`capabilities.add_office_nav`) the signed-in member's role may open."""
    role = tenant_role()
    if role is None:
        return []
    return [i for i in OFFICE_NAV if ROLE_RANK[role] >= ROLE_RANK[i.min_role]]
