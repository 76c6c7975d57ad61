"""The demo's open-data identity (issue 22): an authority that publishes gets a placeholder INN and a placeholder
responsible person, so `flask demo` serves passports. Region code 00 exists for no taxpayer, so the INN
`0012345673` (weighted sum 179, 179 mod 11 = 3: the check digit) is valid in form and belongs to nobody."""

from __future__ import annotations

from ..extensions import db
from ..tenants import update_plugins

DEMO_INN = "0012345673"
DEMO_RESPONSIBLE = {"name": "Ответственный за открытые данные (демонстрационные данные)",
                    "phone": "+7 (000) 000-00-00", "email": "opendata@demo.local"}
ARTIFACT_FLAGS = {"appeals_analysis": "appeals_analysis", "survey_summary": "survey_summary",
                  "you_said_we_did": "painmap"}


def demo_open_data(tenant) -> None:
    """Give a publishing authority without an INN the demo's INN and responsible person (never overwriting)."""
    settings = tenant.settings_of("publication")
    published = [a for a, flag in ARTIFACT_FLAGS.items() if settings.get(flag)]
    if not published or tenant.inn:
        return
    tenant.inn = DEMO_INN
    responsible = dict(settings.get("opendata_responsible") or {})
    for artifact in published:
        responsible.setdefault(artifact, dict(DEMO_RESPONSIBLE))
    plugins = dict(tenant.plugins)
    plugins["publication"] = {**plugins["publication"], "opendata_responsible": responsible}
    update_plugins(tenant, plugins)
    db.session.commit()
