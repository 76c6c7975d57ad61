"""Which tenant a piece of work belongs to, and automatic, fail-closed scoping of every ORM query to it.

The tenant comes from the URL (`/<tenant_slug>/...`, `/api/v1/<tenant_slug>/...`) or, in jobs and commands,
from `tenant_scope(tenant)`. Every ORM SELECT, UPDATE and DELETE that touches a tenant-owned model gets
`tenant_id == current` added; with no tenant in context such a query raises `NoTenantContext`, unless the
statement says `.execution_options(all_tenants=True)` (the Analytical Centre, the regional administrator,
the scheduler). Core statements, `Connection.execute` and `pandas.read_sql` bypass this hook: analysis SQL
takes the tenant id as a required argument instead.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from flask import abort, g
from sqlalchemy import ForeignKey, event, select
from sqlalchemy.orm import Mapped, Session, declared_attr, mapped_column, with_loader_criteria
from werkzeug.local import LocalProxy

from .extensions import db

if TYPE_CHECKING:
    from .models.tenant import Tenant

ALL_TENANTS = "all_tenants"
"""The one execution option that lets a statement work across tenants. Grep for it to audit every use."""

_current_tenant: contextvars.ContextVar[Tenant | None] = contextvars.ContextVar("otklik_tenant", default=None)


class NoTenantContext(RuntimeError):
    """A query on tenant-owned data ran with no tenant in context: a bug, never a silent cross-tenant read."""


class CrossTenantWrite(RuntimeError):
    """A row of one tenant was about to be written while another tenant is in context."""


class TenantOwned:
    """Mixin of every tenant-owned model: a `tenant_id` that starts every index serving tenant queries."""

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), nullable=False, index=True)


def get_current_tenant() -> Tenant | None:
    return _current_tenant.get()


current_tenant: Tenant = LocalProxy(get_current_tenant)  # type: ignore[assignment]


def current_tenant_id() -> int | None:
    tenant = _current_tenant.get()
    return tenant.id if tenant is not None else None


def set_current_tenant(tenant: Tenant | None) -> contextvars.Token:
    return _current_tenant.set(tenant)


@contextmanager
def tenant_scope(tenant: Tenant):
    """Run a block (a job, a command, a test) as the given tenant."""
    token = _current_tenant.set(tenant)
    try:
        yield tenant
    finally:
        _current_tenant.reset(token)


def across_tenants(statement):
    """Mark a statement as deliberately cross-tenant (centre, admin, scheduler)."""
    return statement.execution_options(**{ALL_TENANTS: True})


def _is_tenant_owned(mapper) -> bool:
    return mapper is not None and issubclass(mapper.class_, TenantOwned)


def _touches_tenant_tables(statement) -> bool:
    """A tenant-owned table reached only through `select_from` or a subquery (`select(func.count())
    .select_from(Appeal)`) leaves no mapper in `all_mappers`: look for the tables themselves."""
    from sqlalchemy import Table
    from sqlalchemy.sql import visitors

    owned = _tenant_tables()
    return any(isinstance(el, Table) and el.name in owned for el in visitors.iterate(statement))


def _tenant_tables() -> frozenset[str]:
    return frozenset(
        m.local_table.name for m in db.Model.registry.mappers if issubclass(m.class_, TenantOwned)
    )


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state):
    """Add `tenant_id == current` to every ORM statement that touches tenant-owned data."""
    if state.is_column_load or state.is_relationship_load:
        return  # loads that follow an already scoped parent object
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.execution_options.get(ALL_TENANTS):
        return
    if not any(_is_tenant_owned(m) for m in state.all_mappers) and not _touches_tenant_tables(state.statement):
        return
    tenant_id = current_tenant_id()
    if tenant_id is None:
        names = ", ".join(sorted(m.class_.__name__ for m in state.all_mappers if _is_tenant_owned(m))) or "tables"
        raise NoTenantContext(f"query on tenant-owned {names} with no tenant in context")
    state.statement = state.statement.options(
        with_loader_criteria(TenantOwned, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )


@event.listens_for(Session, "before_flush")
def _stamp_new_rows(session, flush_context, instances):
    """New tenant-owned rows take the tenant from the context; a row for another tenant is refused."""
    tenant_id = current_tenant_id()
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantOwned):
            continue
        if obj.tenant_id is None:
            if tenant_id is None:
                raise NoTenantContext(f"new {type(obj).__name__} with no tenant in context")
            obj.tenant_id = tenant_id
        elif tenant_id is not None and obj.tenant_id != tenant_id:
            raise CrossTenantWrite(
                f"{type(obj).__name__} of tenant {obj.tenant_id} written in the context of tenant {tenant_id}"
            )


M = TypeVar("M")


def get_or_404(model: type[M], ident) -> M:
    """The one lookup by id: scoped to the current tenant (through the hook, never the identity map)."""
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        abort(404)
    obj = db.session.execute(select(model).where(model.id == ident)).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


def load_tenant_from_url(endpoint, values) -> None:
    """url_value_preprocessor of tenant blueprints: `tenant_slug` -> g.tenant and the tenant context; 404 if unknown.
    A view marked `finds_own_tenant` gets `tenant_slug` as an argument instead and must do the same itself."""
    from flask import current_app

    if not values or "tenant_slug" not in values:
        return
    if getattr(current_app.view_functions.get(endpoint), "_otklik_finds_own_tenant", False):
        return
    enter_tenant_of(values.pop("tenant_slug"))


def enter_tenant_of(slug: str) -> None:
    """The active tenant of `slug` becomes the request's tenant; 404 if there is none."""
    from .models.tenant import Tenant

    tenant = db.session.execute(select(Tenant).where(Tenant.slug == slug, Tenant.active.is_(True))).scalar_one_or_none()
    if tenant is None:
        abort(404)
    enter_tenant(tenant)


def enter_tenant(tenant: Tenant) -> None:
    """Make `tenant` the request's tenant: g.tenant and the tenant context, reset when the request ends."""
    g.tenant = tenant
    g._tenant_token = set_current_tenant(tenant)


def finds_own_tenant(view):
    """Mark a tenant page that reads its tenant together with what it shows, in one query (the public survey form,
    the platform's busiest page). Such a view takes `tenant_slug`, answers 404 for an unknown or inactive tenant
    and calls `enter_tenant` before anything else runs in the tenant's name."""
    view._otklik_finds_own_tenant = True
    return view


def add_tenant_to_urls(endpoint, values) -> None:
    """url_defaults of tenant blueprints: url_for() inside a tenant page keeps the tenant."""
    tenant = getattr(g, "tenant", None)
    if tenant is not None and "tenant_slug" not in values:
        values["tenant_slug"] = tenant.slug


def register_tenant_blueprint(bp) -> None:
    bp.url_value_preprocessor(load_tenant_from_url)
    bp.url_defaults(add_tenant_to_urls)


def reset_tenant_after_request(exc=None) -> None:
    token = g.pop("_tenant_token", None)
    if token is not None:
        _current_tenant.reset(token)
