"""Metric definitions: what a plugin contributes through the metrics hook, and the context they compute on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..periods import Period


@dataclass
class MetricContext:
    """What a metric gets: the tenant (id, time zone, settings), the period, and a shared cache of frames.

    Frames are loaded once per analysis by SQL that already filters by tenant and period (`frame(name)`).
    `inputs` collects the input counts stored with the result; `settings` carries engine settings
    (`min_cell_size`).
    """

    tenant: Any
    kind: str
    period: Period
    loaders: dict[str, Callable] = field(default_factory=dict)
    _frames: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)  # input counts, stored with the result
    settings: dict = field(default_factory=dict)

    def frame(self, name: str):
        if name not in self._frames:
            self._frames[name] = self.loaders[name](self)
        return self._frames[name]

    @property
    def min_cell_size(self) -> int:
        return int(self.settings.get("min_cell_size", 5))


@dataclass(frozen=True)
class Metric:
    """A metric: what it computes, and the declared shape of what it stores (`otklik.results.shapes`), which is
    how every reader, the validator and the disclosure control know it. A metric without a shape cannot be
    stored (the runner refuses the document)."""

    key: str  # key in the result document
    title: Any  # translated when shown (lazy_gettext)
    kinds: tuple[str, ...]  # analysis kinds it belongs to
    compute: Callable[[MetricContext], Any]
    order: int = 100
    shape: Any = None
