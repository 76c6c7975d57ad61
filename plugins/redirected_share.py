"""Redirected share: appeals redirected to the competent body, as a share of everything registered (Vladimir 22.5)."""

from __future__ import annotations

from otklik.analysis import appeals
from otklik.analysis.metrics import Metric
from otklik.hookspecs import hookimpl
from otklik.results.standard import REDIRECTED, TITLES

NAME = "redirected_share"
SETTINGS: list = []


@hookimpl
def otklik_metrics(tenant, kind):
    return [Metric("redirected", TITLES["redirected"], ("appeals",), appeals.redirected, 70, REDIRECTED)]
