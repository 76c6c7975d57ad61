"""What the analytical report asks of the jobs: when an analysis that ends in a month finishes (the scheduler's
tick enqueued it), that month's report is drafted (or its draft rebuilt), so every authority with a monthly
analysis, or whatever it analyses that month, finds the draft of last month waiting; a final report is left alone.
Registered after the pain map's duty, so the draft shows the map the analysis just froze."""

from __future__ import annotations

from ..capabilities import add_tick_duty
from .service import draft_after_analysis

add_tick_duty("analytical_report", after_analysis=draft_after_analysis)
