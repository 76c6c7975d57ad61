"""What the analytical report asks of the jobs: when an analysis that ends in a month finishes (the scheduler's
tick enqueued it), that month's report is drafted (or its draft rebuilt), so every authority with a monthly
analysis, or whatever it analyses that month, finds the draft of last month waiting; a final report is left alone.
Registered after the pain map's duty, so the draft shows the map the analysis just froze."""

from __future__ import annotations

from ..capabilities import add_tick_duty
from .service import draft, of_period


def draft_after_analysis(tenant, analysis) -> None:
    """The tick's duty: when an analysis that ends in a month finishes (the month's own, or the quarter, half-year
    or year ending with it), the month's report is drafted, unless it is already final."""
    if analysis.status != "done" or not analysis.result or analysis.period_end is None:
        return
    month = f"{analysis.period_end.year:04d}-{analysis.period_end.month:02d}"
    report = of_period(month)
    if report is None or not report.final:
        draft(tenant, month)


add_tick_duty("analytical_report", after_analysis=draft_after_analysis)
