"""How a figure of a document reads for a person of the current locale: `1 234`, `12,5`, `41,5 %`, "—"."""

from __future__ import annotations

from .shapes import is_number


def as_fraction(value) -> float | None:
    """A share as a fraction of 1 (documents store fractions; a value above 1 is read as a percentage)."""
    if not is_number(value):
        return None
    return value / 100 if value > 1 else value


def figure(value, fmt: str = "num") -> str:
    from flask_babel import format_decimal, format_percent

    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not is_number(value):
        return str(value)
    if fmt == "share":
        return format_percent(as_fraction(value), "#,##0.0\u00a0%")
    if fmt == "int":
        return format_decimal(value, "#,##0")
    return format_decimal(value, "#,##0.##")
