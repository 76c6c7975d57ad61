"""What the pain map asks of the jobs: suggestions after each analysis (the worker proposes, a person decides)."""

from __future__ import annotations

from ..capabilities import add_tick_duty
from .service import suggest


def suggest_after_analysis(tenant, analysis) -> None:
    if analysis.result:
        suggest(tenant, analysis)


add_tick_duty("painmap", after_analysis=suggest_after_analysis)
