"""Plugin manager: registers every installed plugin once and calls, per tenant, only the ones it enabled.

Plugins are modules registered under the entry point group `otklik.plugins` (the built-in ones live in
`plugins/`). Each declares `NAME` and `SETTINGS`, a list of `Setting`; the settings a tenant gives a plugin
are validated against that declaration: unknown keys and wrong types are refused with the key and reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pluggy

from . import hookspecs

ENTRY_POINT_GROUP = "otklik.plugins"
_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}


@dataclass(frozen=True)
class Setting:
    """One setting a plugin declares (as CKAN's config declarations)."""

    name: str
    type: str  # str | int | float | bool | list | dict
    default: Any
    description: str
    choices: tuple = ()
    item_choices: tuple = ()  # for lists: the allowed items
    # Where the rule comes from when no act of the tenant says otherwise (a federal law, DOMAIN.md); a tenant's own
    # act is cited in its settings' `clauses` table. Shown beside the field of the settings form.
    clause: str = ""

    def check(self, value, where: str) -> Any:
        expected = _TYPES[self.type]
        if self.type in ("int", "float") and isinstance(value, bool) or not isinstance(value, expected):
            raise SettingsError(where, self.name, f"expected {self.type}, got {type(value).__name__} {value!r}")
        if self.choices and value not in self.choices:
            raise SettingsError(where, self.name, f"{value!r} is not one of: {', '.join(map(str, self.choices))}")
        if self.item_choices:
            wrong = [v for v in value if v not in self.item_choices]
            if wrong:
                raise SettingsError(
                    where, self.name, f"unknown {', '.join(map(repr, wrong))}; allowed: {', '.join(self.item_choices)}"
                )
        return value


@dataclass
class SettingsError(ValueError):
    """A refused setting: where (file or plugin), which key, and why."""

    where: str
    key: str
    reason: str
    extra: list = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.where}: {self.key}: {self.reason}" if self.key else f"{self.where}: {self.reason}"


class PluginManager:
    def __init__(self):
        self.pm = pluggy.PluginManager("otklik")
        self.pm.add_hookspecs(hookspecs)
        self.pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        self._by_name = {self.name_of(p): p for p in self.pm.get_plugins()}

    @staticmethod
    def name_of(plugin) -> str:
        return getattr(plugin, "NAME", None) or plugin.__name__.rsplit(".", 1)[-1]

    def register(self, module) -> None:
        """Register a plugin module at run time (tests, or a plugin shipped outside entry points)."""
        name = self.name_of(module)
        if name not in self._by_name:
            self.pm.register(module, name=name)
            self._by_name[name] = module
            _subset.cache_clear()

    @property
    def names(self) -> list[str]:
        return sorted(self._by_name)

    def module(self, name: str):
        return self._by_name[name]

    def declared(self, name: str) -> list[Setting]:
        return list(getattr(self._by_name[name], "SETTINGS", []))

    def describe(self, name: str) -> str:
        return (self._by_name[name].__doc__ or "").strip().splitlines()[0] if self._by_name[name].__doc__ else ""

    def validate(self, name: str, given: dict | None, where: str = "") -> dict:
        """Settings of one plugin with defaults filled in; unknown keys and wrong types raise SettingsError."""
        where = where or f"plugins.{name}"
        if name not in self._by_name:
            raise SettingsError(where, "", f"no such plugin; installed: {', '.join(self.names)}")
        given = dict(given or {})
        clauses = given.pop("clauses", {})
        declared = {s.name: s for s in self.declared(name)}
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise SettingsError(where, unknown[0], f"unknown setting; {name} takes: {', '.join(declared) or 'none'}")
        if not isinstance(clauses, dict) or any(not isinstance(v, str) for v in clauses.values()):
            raise SettingsError(where, "clauses", "expected a table of setting = \"clause of the act\"")
        stray = sorted(set(clauses) - set(declared) - {"plugin"})
        if stray:
            raise SettingsError(where, f"clauses.{stray[0]}", "cites a setting this plugin does not have")
        out = {key: s.check(given.get(key, s.default), where) for key, s in declared.items()}
        validator = getattr(self._by_name[name], "validate_settings", None)
        if validator:
            problem = validator(out)
            if problem:
                key, reason = problem
                raise SettingsError(where, key, reason)
        out["clauses"] = dict(clauses)
        return out

    def validate_all(self, plugins: dict, where: str = "") -> dict:
        return {name: self.validate(name, settings, f"{where}plugins.{name}") for name, settings in plugins.items()}

    def hook(self, tenant, hook_name: str):
        """The hook caller for one tenant: only the plugins it enabled are called."""
        enabled = frozenset(tenant.plugins) if tenant is not None else frozenset(self._by_name)
        return _subset(self, hook_name, enabled)

    def call(self, tenant, hook_name: str, **kwargs):
        return self.hook(tenant, hook_name)(tenant=tenant, **kwargs)

    def call_flat(self, tenant, hook_name: str, **kwargs) -> list:
        """A list hook's answers, flattened in registration order."""
        return [item for answer in reversed(self.call(tenant, hook_name, **kwargs)) for item in (answer or [])]


@cache
def _subset(manager: PluginManager, hook_name: str, enabled: frozenset):
    remove = [p for n, p in manager._by_name.items() if n not in enabled]
    return manager.pm.subset_hook_caller(hook_name, remove_plugins=remove)


_manager: PluginManager | None = None


def get_plugin_manager() -> PluginManager:
    global _manager
    if _manager is None:
        _manager = PluginManager()
    return _manager
