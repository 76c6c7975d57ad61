"""The standard channel vocabulary (DOMAIN.md) and a tenant's channels, as the channels hook reports them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

STANDARD_CHANNELS = {
    "website": _l("E-reception of the official website"),
    "post": _l("Post"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "reception": _l("Personal reception"),
    "epgu": _l("Gosuslugi (EPGU)"),
    "pos": _l("Federal Feedback Platform (POS)"),
    "social": _l("Official pages in social networks"),
    "hotline": _l("Consultation line"),
    "mfc": _l("MFC"),
    "survey_online": _l("Online survey (link, QR code)"),
    "survey_offline": _l("Offline survey (paper)"),
    "internal": _l("Employee's personal appeal to management"),
    "other": _l("Other sources"),
}


@dataclass(frozen=True)
class Channel:
    code: str
    label: object  # the title: a str, or a lazy translation read only when a page shows it
    standard: str  # one of STANDARD_CHANNELS: what the Analytical Centre compares on
    clause: str = ""

    @property
    def title(self) -> str:
        """The title in the request's language (the public form asks for channels on every answer, never titles)."""
        return str(self.label)


def tenant_channels(tenant) -> list[Channel]:
    from .plugins import get_plugin_manager

    return get_plugin_manager().call_flat(tenant, "otklik_channels")


def channel_codes(tenant) -> dict[str, Channel]:
    return {c.code: c for c in tenant_channels(tenant)}
