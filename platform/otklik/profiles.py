"""Tenant profiles: one TOML file per authority in tenants/, naming its act, rules and plugins.

Onboarding copies a profile into the database (Tenant.rules, Tenant.plugins), where the regional administrator
can edit it. A bad profile is refused with the file, the key and the reason.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .plugins import SettingsError, get_plugin_manager
from .vocabulary import AUDIENCES

_TENANT_KEYS = {"name", "short_name", "region", "timezone", "act", "audiences", "clauses"}


@dataclass
class Profile:
    source: str
    name: str
    region: str
    timezone: str
    act: str
    rules: dict
    plugins: dict


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
        region=str(t.get("region", "")),
        timezone=t["timezone"],
        act=t["act"].strip(),
        rules={"audiences": audiences, "clauses": clauses, "short_name": t.get("short_name", "")},
        plugins=validated,
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


def available_profiles(directory: str | Path) -> list[Path]:
    return sorted(p for p in Path(directory).glob("*.toml") if not p.name.startswith("_"))
