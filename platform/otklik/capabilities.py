"""What a capability adds to the core, and how the core loads the capabilities.

A capability (intake, surveys, analysis, reports, publishing, ...) says what it adds when its module is imported,
with one small function per kind of addition:

- `add_office_nav(endpoint, label, min_role, order)`: an entry of the office navigation;
- `add_home_panel(template, context, order)`: a panel of the office home, a template and its context function;
- `add_tick_duty(name, warnings=..., volume=..., recover=...)`: what the scheduler tick asks of it for each tenant;
- `add_cli_group(command)`: a `flask` command or group of commands;
- `add_report_section(name, table)`: a section of an analysis's reports (the information note and the XLSX),
  `table(tenant, analysis) -> ReportTable | None`, so reports show another capability's rows without importing it.

The core names the modules it loads, each list beside the code that uses it: `web.CAPABILITY_VIEWS` (blueprints,
navigation, home panels), `cli.CAPABILITY_CLI` (commands) and `jobs.CAPABILITY_TICK` (tick duties). `create_app`
imports them all with `load()`, which fails the start with an error naming a module that is missing or broken;
the office home, the tick and the command line then iterate what was registered. No capability imports another
to contribute, and the core imports none by name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import ModuleType


class CapabilityError(RuntimeError):
    """A capability module named by the core could not be imported: the app does not start without it."""


def load(names: Iterable[str]) -> list[ModuleType]:
    """Import the capability modules `names`, in order; any failure names the module."""
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except Exception as exc:
            raise CapabilityError(f"capability module {name!r} could not be imported: "
                                  f"{type(exc).__name__}: {exc}") from exc
    return modules


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    min_role: str = "viewer"
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    template: str
    context: Callable[[], dict]
    order: int = 100


@dataclass(frozen=True)
class TickDuty:
    """What the scheduler tick asks of a capability, per tenant (inside that tenant's scope).

    `warnings(tenant, today) -> list[str]`: deadline warnings the tick logs (publication deadlines, overdue measures).
    `volume(tenant, kind, period) -> int`: answers of `kind` in a period, for the schedule's `month_or_quarter` rule.
    `after_analysis(tenant, analysis)`: what it does with a finished analysis (the pain map proposes suggestions),
    run by the analysis job after the document is stored; its failure is logged and does not fail the analysis.
    `recover(tenant, now) -> list[str]`: put back on the queue the capability's jobs whose rows are `queued` or
    `running` but whose work Redis lost (`jobs.recover_job`); returns `job id: what was done` lines for the log.
    `next_due(tenant, today, now) -> date | datetime | None`: when the duty next has work for the tenant (a local
    day, or an instant; None: only a change of what it `watches` gives it work); the tick runs a tenant's duty only
    when it is due (`models.due`). A duty with warnings or recover and no `next_due` runs at every tick.
    `watches`: the models whose change (a row added, changed or deleted through the ORM) makes the duty due again.
    """

    name: str
    warnings: Callable | None = None
    volume: Callable | None = None
    after_analysis: Callable | None = None
    recover: Callable | None = None
    next_due: Callable | None = None
    watches: tuple = ()


@dataclass(frozen=True)
class ReportTable:
    """A table a capability adds to an analysis's reports: its rows in groups (a group's title, then its rows of
    cells in `columns` order); `sheet` names its XLSX sheet, `note` is one line said above it."""

    title: object
    sheet: str
    columns: tuple
    groups: list  # [(group title, [[cell, ...], ...]), ...]
    note: object = ""


@dataclass(frozen=True)
class ReportSection:
    name: str
    table: Callable  # (tenant, analysis) -> ReportTable | None


OFFICE_NAV: list[NavItem] = []
HOME_PANELS: list[HomePanel] = []
TICK_DUTIES: list[TickDuty] = []
CLI_COMMANDS: list = []
REPORT_SECTIONS: list[ReportSection] = []


def add_office_nav(endpoint: str, label, min_role: str = "viewer", order: int = 100) -> None:
    if all(item.endpoint != endpoint for item in OFFICE_NAV):
        OFFICE_NAV.append(NavItem(endpoint, label, min_role, order))
        OFFICE_NAV.sort(key=lambda i: i.order)


def add_home_panel(template: str, context: Callable[[], dict] | None = None, order: int = 100) -> None:
    """A panel of the office home: `template` is included with `ctx`, the dict `context()` returns per request."""
    if all(p.template != template for p in HOME_PANELS):
        HOME_PANELS.append(HomePanel(template, context or dict, order))
        HOME_PANELS.sort(key=lambda p: p.order)


def add_tick_duty(name: str, *, warnings: Callable | None = None, volume: Callable | None = None,
                  after_analysis: Callable | None = None, recover: Callable | None = None,
                  next_due: Callable | None = None, watches: tuple = ()) -> None:
    if all(d.name != name for d in TICK_DUTIES):
        TICK_DUTIES.append(TickDuty(name, warnings, volume, after_analysis, recover, next_due, tuple(watches)))


def add_cli_group(command) -> None:
    """A click command or group (`flask.cli.AppGroup`) that `flask` offers beside the core's."""
    if all(c.name != command.name for c in CLI_COMMANDS):
        CLI_COMMANDS.append(command)


def add_report_section(name: str, table: Callable) -> None:
    """A section of the note and the XLSX of every analysis: `table(tenant, analysis)` runs in the tenant's scope
    and returns a `ReportTable`, or None to add nothing."""
    if all(s.name != name for s in REPORT_SECTIONS):
        REPORT_SECTIONS.append(ReportSection(name, table))
