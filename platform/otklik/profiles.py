"""Tenant profiles: one TOML file per authority in tenants/, naming its act, rules and plugins.

Onboarding copies a profile into the database (Tenant.rules, Tenant.plugins), where the regional administrator
can edit it. A bad profile is refused with the file, the key and the reason.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .plugins import SettingsError, get_plugin_manager
from .vocabulary import AUDIENCES

_TENANT_KEYS = {"name", "short_name", "region", "timezone", "act", "act_date", "authority_kind", "population",
                "population_source", "audiences", "clauses"}
MAX_POPULATION = 150_000_000  # above the population of Russia: a typo, not a population


@dataclass
class Profile:
    source: str
    name: str
    region: str
    timezone: str
    act: str
    rules: dict
    plugins: dict
    short_name: str = ""
    act_date: date | None = None
    authority_kind: str = ""  # the Analytical Centre's peer group (vocabulary.AUTHORITY_KINDS)
    population: int | None = None  # population served, for rates per 10,000 (with its source and year)
    population_source: str = ""


def parse_profile(text: str, source: str = "<profile>") -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(source, "(syntax)", str(exc)) from None
    unknown = sorted(set(data) - {"tenant", "plugins"})
    if unknown:
        raise SettingsError(source, unknown[0], "unknown table; a profile has [tenant] and [plugins.*]")
    t = data.get("tenant")
    if not isinstance(t, dict):
        raise SettingsError(source, "tenant", "missing [tenant] table")
    stray = sorted(set(t) - _TENANT_KEYS)
    if stray:
        raise SettingsError(source, f"tenant.{stray[0]}", f"unknown key; allowed: {', '.join(sorted(_TENANT_KEYS))}")
    for key in ("name", "timezone", "act"):
        if not isinstance(t.get(key), str) or not t[key].strip():
            raise SettingsError(source, f"tenant.{key}", "required text is missing")
    try:
        ZoneInfo(t["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(source, "tenant.timezone", f"unknown time zone {t['timezone']!r}") from None
    audiences = t.get("audiences", ["external"])
    if not isinstance(audiences, list) or not audiences or any(a not in AUDIENCES for a in audiences):
        raise SettingsError(source, "tenant.audiences", f"expected a non-empty list of {', '.join(AUDIENCES)}")
    for key in ("short_name", "region", "authority_kind", "population_source"):
        if not isinstance(t.get(key, ""), str):
            raise SettingsError(source, f"tenant.{key}", "expected text")
    act_date = t.get("act_date")
    if isinstance(act_date, str) and act_date.strip():
        try:
            act_date = date.fromisoformat(act_date.strip())
        except ValueError:
            raise SettingsError(source, "tenant.act_date", f"expected a date YYYY-MM-DD, got {act_date!r}") from None
    if act_date in ("", None):
        act_date = None
    elif not isinstance(act_date, date):
        raise SettingsError(source, "tenant.act_date", "expected a date YYYY-MM-DD")
    population = t.get("population")
    if population is not None and (isinstance(population, bool) or not isinstance(population, int)
                                   or not 1 <= population <= MAX_POPULATION):
        raise SettingsError(source, "tenant.population", f"expected a whole number of people, 1 to {MAX_POPULATION}")
    if population is not None and not t.get("population_source", "").strip():
        raise SettingsError(source, "tenant.population_source", "say where the population comes from and its year")
    clauses = t.get("clauses", {})
    if not isinstance(clauses, dict):
        raise SettingsError(source, "tenant.clauses", "expected a table")
    plugins = data.get("plugins", {})
    if not isinstance(plugins, dict) or not plugins:
        raise SettingsError(source, "plugins", "name at least one plugin as [plugins.<name>]")
    pm = get_plugin_manager()
    validated = {}
    for name, settings in plugins.items():
        if not isinstance(settings, dict):
            raise SettingsError(source, f"plugins.{name}", "expected a table")
        try:
            validated[name] = pm.validate(name, settings, source)
        except SettingsError as exc:
            raise SettingsError(source, f"plugins.{name}" + (f".{exc.key}" if exc.key else ""), exc.reason) from None
    return Profile(
        source=source,
        name=t["name"].strip(),
        region=t.get("region", "").strip(),
        timezone=t["timezone"],
        act=t["act"].strip(),
        rules={"audiences": audiences, "clauses": clauses},
        plugins=validated,
        short_name=t.get("short_name", "").strip(),
        act_date=act_date,
        authority_kind=t.get("authority_kind", "").strip(),
        population=population,
        population_source=t.get("population_source", "").strip(),
    )


def load_profile(path: str | Path) -> Profile:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SettingsError(str(path), "(file)", "no such file") from None
    except UnicodeDecodeError:
        raise SettingsError(str(path), "(file)", "not UTF-8 text") from None
    return parse_profile(text, str(path))


def russian_time_zones() -> list[str]:
    """Russia's IANA time zones (the rows of country RU in the time zone database's zone.tab), west to east: the
    choice the onboarding form offers."""
    import zoneinfo
    from datetime import UTC, datetime
    from importlib import resources

    text = ""
    for base in zoneinfo.TZPATH:
        candidate = Path(base) / "zone.tab"
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8")
            break
    if not text:
        try:
            text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
        except (ModuleNotFoundError, FileNotFoundError):
            text = "RU\t+5545+03735\tEurope/Moscow"
    zones = [cols[2] for cols in (line.split("\t") for line in text.splitlines() if not line.startswith("#"))
             if len(cols) >= 3 and cols[0] == "RU"]
    now = datetime.now(UTC)
    return sorted(zones, key=lambda z: (now.astimezone(ZoneInfo(z)).utcoffset(), z))


def available_profiles(directory: str | Path) -> list[Path]:
    return sorted(p for p in Path(directory).glob("*.toml") if not p.name.startswith("_"))
