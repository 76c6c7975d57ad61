"""The plugin contract: registration once, per-tenant subsets, declared and validated settings."""

import ast
import re
from pathlib import Path

import pytest
from flask import Blueprint

from otklik import hookspecs
from otklik.hookspecs import hookimpl
from otklik.plugins import PluginManager, Setting, SettingsError, get_plugin_manager

ROOT = Path(__file__).resolve().parents[1]
HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("otklik_"))


def test_every_hookspec_is_documented():
    for name in HOOKS:
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"


def test_every_hook_has_a_test():
    """As Datasette does: a hook nobody tests is a hook that silently breaks."""
    sources = "\n".join(p.read_text() for p in list(ROOT.glob("tests/**/test_*.py"))
                        + list(ROOT.glob("platform/otklik/**/tests/test_*.py")))
    untested = [name for name in HOOKS if not re.search(rf"\b{name}\b", sources.replace("def " + name, ""))]
    assert not untested, f"hooks without a test: {untested}"


# An extension point for third-party pages: its test registers a plugin of its own (below).
FOR_THIRD_PARTIES = {"otklik_blueprints"}


def test_every_hook_has_a_built_in_implementation():
    """Core features use the same hooks as third parties: one way in."""
    pm = get_plugin_manager().pm
    missing = [name for name in HOOKS if name not in FOR_THIRD_PARTIES and not getattr(pm.hook, name).get_hookimpls()]
    assert not missing, f"hooks no installed plugin implements: {missing}"


def test_built_in_plugins_come_from_entry_points():
    text = (ROOT / "pyproject.toml").read_text()
    section = text.split('[project.entry-points."otklik.plugins"]', 1)[1].split("\n[", 1)[0]
    declared = dict(re.findall(r'^(\w+)\s*=\s*"([\w.]+)"', section, re.M))
    assert {"channels", "periodicity"} <= set(declared)
    pm = get_plugin_manager()
    for name, module in declared.items():
        assert module.startswith("otklik_plugins.")
        assert pm.module(name).__name__ == module
    plugin_files = {p.stem for p in (ROOT / "plugins").glob("*.py") if p.stem != "__init__"}
    assert plugin_files == {m.rsplit(".", 1)[1] for m in declared.values()}, "a plugin file is not registered"


def test_plugins_are_registered_once():
    pm = get_plugin_manager()
    names = [pm.name_of(p) for p in pm.pm.get_plugins()]
    assert len(names) == len(set(names))


def test_every_plugin_declares_its_settings():
    pm = get_plugin_manager()
    for name in pm.names:
        for setting in pm.declared(name):
            assert isinstance(setting, Setting)
            assert setting.description, f"{name}.{setting.name} has no description"
            setting.check(setting.default, name)  # the default is valid for its own type


def test_settings_validation_refuses_unknown_keys_and_wrong_types():
    pm = get_plugin_manager()
    with pytest.raises(SettingsError, match="unknown setting"):
        pm.validate("periodicity", {"apeals": "quarter"})
    with pytest.raises(SettingsError, match="expected int"):
        pm.validate("periodicity", {"publication_deadline_days": "45"})
    with pytest.raises(SettingsError, match="not one of"):
        pm.validate("periodicity", {"appeals": "weekly"})
    with pytest.raises(SettingsError, match="unknown 'fax'"):
        pm.validate("channels", {"channels": ["post", "fax"]})
    with pytest.raises(SettingsError, match="no such plugin"):
        pm.validate("astrology", {})
    with pytest.raises(SettingsError, match="cites a setting"):
        pm.validate("channels", {"channels": ["post"], "clauses": {"colour": "п. 1"}})
    ok = pm.validate("periodicity", {"appeals": "half_year", "clauses": {"appeals": "п. 5.6"}})
    assert ok["appeals"] == "half_year" and ok["surveys"] == "month" and ok["clauses"] == {"appeals": "п. 5.6"}


class _Tenant:
    """A tenant as hooks see it: enabled plugins with their settings."""

    def __init__(self, plugins):
        self.plugins = plugins

    def settings_of(self, name):
        return self.plugins.get(name, {})


def test_hooks_reach_only_the_plugins_a_tenant_enabled():
    pm = get_plugin_manager()
    channels = pm.validate("channels", {"channels": ["post", "email"], "custom": {
        "letters_box": {"title": "Ящик для писем", "standard": "post"}}})
    with_channels = _Tenant({"channels": channels})
    without = _Tenant({"periodicity": pm.validate("periodicity", {})})
    # otklik_channels
    got = pm.call_flat(with_channels, "otklik_channels")
    assert [(c.code, c.standard) for c in got] == [("post", "post"), ("email", "email"), ("letters_box", "post")]
    assert pm.call_flat(without, "otklik_channels") == []
    # otklik_schedule
    assert pm.call_flat(with_channels, "otklik_schedule") == []
    assert [(e.kind, e.cadence) for e in pm.call_flat(without, "otklik_schedule")] == [
        ("appeals", "quarter"), ("surveys", "month")]


def test_custom_channel_must_map_onto_a_standard_code():
    pm = get_plugin_manager()
    with pytest.raises(SettingsError, match="custom.kiosk.standard"):
        pm.validate("channels", {"channels": ["post"], "custom": {"kiosk": {"title": "Киоск", "standard": "kiosk"}}})


def test_otklik_blueprints_of_a_plugin_register_first_and_only_for_enabling_tenants(redis_url, make_tenant):
    """A third-party plugin adds pages; tenants that did not enable it get 404 there."""
    import types

    from otklik import create_app
    from otklik.tenancy import register_tenant_blueprint

    bp = Blueprint("hello_plugin", __name__, url_prefix="/<tenant_slug>/hello")
    register_tenant_blueprint(bp)
    bp.add_url_rule("/", "index", lambda: "hello from a plugin")
    module = types.ModuleType("hello_plugin")
    module.NAME = "hello"
    module.SETTINGS = []
    module.otklik_blueprints = hookimpl(lambda tenant: [("hello", bp)])
    manager = get_plugin_manager()
    manager.register(module)
    try:
        vladimir = make_tenant("vladimir", slug="with-hello")
        make_tenant("omsk", slug="without-hello")
        from otklik.extensions import db
        from otklik.testing import _database_url

        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": _database_url(), "REDIS_URL": redis_url,
                          "RATELIMIT_STORAGE_URI": redis_url})
        with app.app_context():
            from otklik.models import Tenant

            t = db.session.get(Tenant, vladimir.id)
            t.plugins = {**t.plugins, "hello": {}}
            db.session.commit()
        rules = [r.endpoint for r in app.url_map.iter_rules()]
        assert rules.index("hello_plugin.index") < rules.index("office.home")
        client = app.test_client()
        assert client.get("/with-hello/hello/").get_data(as_text=True) == "hello from a plugin"
        assert client.get("/without-hello/hello/").status_code == 404
    finally:
        manager.pm.unregister(name="hello")
        manager._by_name.pop("hello", None)


def test_plugin_manager_loads_entry_points_fresh():
    """A new manager finds the same installed plugins (no state hidden in the singleton)."""
    assert PluginManager().names == get_plugin_manager().names


def test_plugin_modules_parse_without_tenant_conditionals():
    """One way in: no `if tenant.slug == ...` in the core or the plugins."""
    offenders = []
    for path in list((ROOT / "platform" / "otklik").rglob("*.py")) + list((ROOT / "plugins").glob("*.py")):
        if "/tests/" in str(path):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "slug":
                if any(isinstance(c, ast.Constant) and isinstance(c.value, str) for c in node.comparators):
                    offenders.append(f"{path}:{node.lineno}")
    assert not offenders
