"""Blueprints: admin (regional), office (authority), public (citizens), centre (analysts), api.

Capabilities add their own blueprints in their folders (`<capability>/views.py` with a `bp`), listed in
CAPABILITY_VIEWS: every module listed must exist, and `create_app` fails naming one that is missing or broken.
Their office pages use `access.office_required`; navigation entries and office-home panels are registered with
`otklik.capabilities.add_office_nav` and `add_home_panel` when the module is imported.
"""

CAPABILITY_VIEWS = (
    "otklik.intake.views",
    "otklik.surveys.views",
    "otklik.surveys.public_views",
    "otklik.surveys.editor_views",
    "otklik.surveys.staff_views",
    "otklik.analysis.views",
    "otklik.reports.views",
    "otklik.painmap.views",
    "otklik.painmap.catalogue_views",
    "otklik.painmap.collection_views",
    "otklik.painmap.bulk_views",
    "otklik.publishing.views",
    "otklik.analytical.views",
    "otklik.analytical.centre_views",
    "otklik.oversight.views",
)
