"""Blueprints: admin (regional), office (authority), public (citizens), centre (analysts), api.

Capabilities add their own blueprints in their folders (`<capability>/views.py` with a `bp`), listed in
CAPABILITY_VIEWS; their office pages use `access.office_required` and register themselves in the navigation.
"""

CAPABILITY_VIEWS = (
    "otklik.intake.views",
    "otklik.surveys.views",
    "otklik.analysis.views",
    "otklik.reports.views",
    "otklik.painmap.views",
    "otklik.publishing.views",
)
