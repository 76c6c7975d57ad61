"""Named column layouts for the import: the tenant's saved mappings, and layouts that plugins provide through the
`otklik_appeal_importers` hook (exports of systems many authorities share, such as the Feedback Platform)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db


@dataclass(frozen=True)
class Importer:
    """A layout: canonical field -> column header in the other system's export, and the export's own values of the
    coded columns (field -> {source value: code})."""

    name: str
    title: str
    columns: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def plugin_importers(tenant) -> list[Importer]:
    from ..plugins import get_plugin_manager
    from .importer import default_locale

    with default_locale():
        return list(get_plugin_manager().call_flat(tenant, "otklik_appeal_importers"))


def layouts(tenant) -> list[tuple[str, str]]:
    """(name, title) of every layout the tenant can import with: saved mappings first, then the plugins'."""
    from ..models.intake import ImportMapping

    saved = db.session.execute(select(ImportMapping.name).order_by(ImportMapping.name)).scalars().all()
    return [(n, n) for n in saved] + [(i.name, str(i.title)) for i in plugin_importers(tenant) if i.name not in saved]


def resolve(tenant, name: str | None) -> dict | None:
    """The column mapping of a layout name (None: the canonical layout); KeyError when there is no such layout."""
    from ..models.intake import ImportMapping

    if not name:
        return None
    saved = db.session.execute(select(ImportMapping).where(ImportMapping.name == name)).scalar_one_or_none()
    if saved is not None:
        return dict(saved.columns)
    for importer in plugin_importers(tenant):
        if importer.name == name:
            return dict(importer.columns)
    raise KeyError(name)


def resolve_values(tenant, name: str | None) -> dict:
    """The value mapping of a layout name ({} for the canonical layout or a layout without one)."""
    from ..models.intake import ImportMapping

    if not name:
        return {}
    saved = db.session.execute(select(ImportMapping).where(ImportMapping.name == name)).scalar_one_or_none()
    if saved is not None:
        return dict(saved.values or {})
    for importer in plugin_importers(tenant):
        if importer.name == name:
            return dict(importer.values)
    return {}
