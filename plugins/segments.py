"""Counts of appeals by client segment (Omsk 14.4)."""

from __future__ import annotations

from otklik.analysis import appeals
from otklik.analysis.metrics import Metric
from otklik.hookspecs import hookimpl
from otklik.results.standard import BY_SEGMENT_APPEALS, TITLES

NAME = "segments"
SETTINGS: list = []


@hookimpl
def otklik_metrics(tenant, kind):
    return [Metric("by_segment", TITLES["by_segment"], ("appeals",), appeals.by_segment, 80, BY_SEGMENT_APPEALS)]
