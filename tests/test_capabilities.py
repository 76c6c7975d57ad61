"""Capabilities are explicit: the core loads the modules it names, fails the start naming a missing or broken one,
and iterates what they registered (office-home panels, tick duties, command groups)."""

from datetime import UTC, date, datetime

import pytest

from otklik import capabilities, cli, create_app, jobs, web
from otklik.capabilities import CapabilityError

CONFIG = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"}


def test_a_missing_capability_module_fails_the_start_naming_it(monkeypatch):
    monkeypatch.setattr(web, "CAPABILITY_VIEWS", (*web.CAPABILITY_VIEWS, "otklik.nope.views"))
    with pytest.raises(CapabilityError, match=r"'otklik\.nope\.views'.*ModuleNotFoundError"):
        create_app(CONFIG)


def test_a_broken_capability_module_fails_the_start_naming_it(monkeypatch, tmp_path):
    (tmp_path / "otklik_broken_capability.py").write_text("raise RuntimeError('half-written')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(cli, "CAPABILITY_CLI", (*cli.CAPABILITY_CLI, "otklik_broken_capability"))
    with pytest.raises(CapabilityError, match=r"'otklik_broken_capability'.*RuntimeError: half-written"):
        create_app(CONFIG)


def test_a_missing_tick_capability_fails_the_start_too(monkeypatch):
    monkeypatch.setattr(jobs, "CAPABILITY_TICK", ("otklik.nope.deadlines",))
    with pytest.raises(CapabilityError, match=r"'otklik\.nope\.deadlines'"):
        create_app(CONFIG)


def test_every_listed_capability_module_exists_and_registers_something(app):
    """No list names a module that is not there, and each module named for the tick adds a duty."""
    import importlib.util

    for name in (*web.CAPABILITY_VIEWS, *cli.CAPABILITY_CLI, *jobs.CAPABILITY_TICK):
        assert importlib.util.find_spec(name) is not None, name
    duty_modules = {next(f for f in (d.warnings, d.volume, d.after_analysis, d.recover) if f).__module__
                    for d in capabilities.TICK_DUTIES}
    assert set(jobs.CAPABILITY_TICK) <= duty_modules
    assert {"appeals", "classifier", "analyses", "demo"} <= {c.name for c in capabilities.CLI_COMMANDS}
    assert {"appeals", "analyses", "demo", "tenants"} <= set(app.cli.list_commands(None))


def test_the_tick_does_the_registered_duties(app, make_tenant, monkeypatch):
    """The tick asks every duty, for every tenant: warnings are collected, answer counters added up."""
    make_tenant("nenets", slug="nenets-duties", tracking_since=date(2025, 1, 1))
    asked = []

    def warnings(tenant, today):
        asked.append((tenant.slug, today))
        return [f"{tenant.slug}: test warning"]

    monkeypatch.setattr(capabilities, "TICK_DUTIES", list(capabilities.TICK_DUTIES))
    monkeypatch.setattr(jobs, "TICK_DUTIES", capabilities.TICK_DUTIES)
    capabilities.add_tick_duty("test.warnings", warnings=warnings)
    capabilities.add_tick_duty("test.volume", volume=lambda tenant, kind, period: 1000)
    result = jobs.tick(datetime(2025, 4, 2, 9, tzinfo=UTC).isoformat())
    assert asked == [("nenets-duties", date(2025, 4, 2))]
    assert "nenets-duties: test warning" in result["warnings"]
    # Nenets: a month of surveys is analysed alone from 30 answers; the test duty's 1000 make every month due.
    assert {"nenets-duties__surveys__2025-01", "nenets-duties__surveys__2025-03"} <= set(result["enqueued"])
    assert "nenets-duties__surveys__2025-Q1" not in result["enqueued"]
