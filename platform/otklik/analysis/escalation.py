"""Signals a finished analysis raises (through the `otklik_escalation_signals` hook)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Signal:
    """One signal, stored in the result document's `signals` list as a dict (see docs/ANALYSIS.md).

    `message` is already translated into the tenant's language when the analysis runs.
    """

    code: str  # e.g. "additional_collection"
    message: str
    level: str = "warning"  # info | warning
    metric: str = ""  # the figure that passed its threshold, e.g. "complaints.unsatisfied_share"
    value: float | None = None
    threshold: float | None = None
    population: int | None = None
    sample_size: int | None = None
    confidence: float | None = None
    margin: float | None = None
    clause: str = ""
    details: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)
