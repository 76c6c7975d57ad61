"""An authority hosted on the platform, with the plugin settings copied from its profile."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import JSON, Boolean, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..extensions import db
from .base import Timestamps


class Tenant(Timestamps, db.Model):
    __tablename__ = "tenant"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    region: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Europe/Moscow")
    short_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    legal_act: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # The date the act was adopted (its title and number are in `legal_act`).
    act_date: Mapped[date | None] = mapped_column(Date)
    # Peer group for the Analytical Centre's comparison (DOMAIN.md, comparison): the kind of authority
    # (e.g. "health", "social_protection", "housing_supervision", "regional_executive"; free codes, titled in vocabulary).
    authority_kind: Mapped[str] = mapped_column(String(60), nullable=False, default="")
    # Rates per 10,000 population need the population served, with its source and year ("Росстат, 2025").
    population: Mapped[int | None] = mapped_column(Integer)
    population_source: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    profile_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # {"audiences": [...], "clauses": {...}}: the profile's [tenant] rules beside name and time zone.
    rules: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # {"plugin name": {validated settings}}: only the plugins named here run for this tenant.
    plugins: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    # Scheduled analyses cover periods from this date on (earlier data is analysed by hand only).
    tracking_since: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # The authority's taxpayer number (ИНН): the open-data passports' identifier is `<INN>-<name>` (Methodological
    # Recommendations on open data 3.0). Empty until the administrator enters it; never stored unless valid.
    inn: Mapped[str] = mapped_column(String(12), nullable=False, default="")

    @validates("inn")
    def _check_inn(self, _key, value):
        value = (value or "").strip()
        problem = inn_problem(value) if value else None
        if problem:
            raise ValueError(problem)
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def audiences(self) -> list[str]:
        return list(self.rules.get("audiences", ["external"]))

    def clause(self, key: str) -> str:
        return self.rules.get("clauses", {}).get(key, "")

    def settings_of(self, plugin: str) -> dict:
        """This tenant's validated settings of one plugin ({} when it is not enabled)."""
        return dict(self.plugins.get(plugin) or {})

    def __repr__(self) -> str:
        return f"<Tenant {self.slug}>"


# The Federal Tax Service's weights of the check digits of an INN: one for a legal entity's 10 digits, two for a
# person's 12 (the 11th digit, then the 12th).
INN_WEIGHTS_10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def inn_check_digit(digits: str, weights: tuple[int, ...]) -> int:
    """The FNS check digit: the weighted sum of the digits before it, modulo 11, then modulo 10."""
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 % 10


def inn_problem(value: str) -> str | None:
    """Why `value` is not an INN (in Russian, for the form and the refusal), or None when it is one."""
    if not value.isdigit() or len(value) not in (10, 12):
        return gettext("An INN is 10 digits (an organisation) or 12 digits; entered: «%(value)s».", value=value[:40])
    if len(value) == 10:
        good = inn_check_digit(value[:9], INN_WEIGHTS_10) == int(value[9])
    else:
        good = (inn_check_digit(value[:10], INN_WEIGHTS_11) == int(value[10])
                and inn_check_digit(value[:11], INN_WEIGHTS_12) == int(value[11]))
    return None if good else gettext("The INN «%(value)s» fails the Federal Tax Service's check digit: check the "
                                     "digits.", value=value)
