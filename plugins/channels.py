"""Channels: the tenant's list of feedback channels, from the standard vocabulary plus its own ones."""

from __future__ import annotations

from otklik.channels import STANDARD_CHANNELS, Channel
from otklik.hookspecs import hookimpl
from otklik.plugins import Setting

NAME = "channels"
SETTINGS = [
    Setting("channels", "list", [], "Standard channel codes the act lists", item_choices=tuple(STANDARD_CHANNELS)),
    Setting(
        "custom",
        "dict",
        {},
        'Own channels: code = { title = "...", standard = "<standard code>" }',
    ),
]


def validate_settings(settings: dict):
    """A custom channel needs a title and maps onto a standard code, so the centre can compare."""
    if not settings["channels"] and not settings["custom"]:
        return "channels", "name at least one channel"
    for code, spec in settings["custom"].items():
        if code in STANDARD_CHANNELS:
            return f"custom.{code}", "is a standard code already; list it under channels"
        if not isinstance(spec, dict) or not spec.get("title"):
            return f"custom.{code}", "needs a title"
        if spec.get("standard") not in STANDARD_CHANNELS:
            return f"custom.{code}.standard", f"must be one of: {', '.join(STANDARD_CHANNELS)}"
    return None


@hookimpl
def otklik_channels(tenant):
    settings = tenant.settings_of(NAME)
    clause = settings.get("clauses", {}).get("channels", "")
    out = [Channel(code, STANDARD_CHANNELS[code], code, clause) for code in settings.get("channels", [])]
    for code, spec in settings.get("custom", {}).items():
        out.append(Channel(code, spec["title"], spec["standard"], settings["clauses"].get("custom", clause)))
    return out
