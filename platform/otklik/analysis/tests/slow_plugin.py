"""A test-only metric that blocks on its first run, so a test can kill the work horse in the middle.

The first run writes its process id to $OTKLIK_TEST_SLOW_DIR/pid and sleeps; later runs (the retry) see the
marker and return at once. Registered only inside the worker subprocess of test_worker_killed.py.
"""

import os
import time
from pathlib import Path

from otklik.analysis.metrics import Metric
from otklik.hookspecs import hookimpl
from otklik.results.shapes import Field, Record

NAME = "slow_metric"
SETTINGS: list = []


def _slow(ctx):
    folder = Path(os.environ["OTKLIK_TEST_SLOW_DIR"])
    marker = folder / "started"
    if not marker.exists():
        marker.write_text("1")
        (folder / "pid.tmp").write_text(str(os.getpid()))
        (folder / "pid.tmp").replace(folder / "pid")
        time.sleep(120)
    return {"attempt_pid": os.getpid()}


@hookimpl
def otklik_metrics(tenant, kind):
    return [Metric("slow", "Slow test metric", ("appeals",), _slow, 1000,
                   Record((Field("attempt_pid", "Process id", "int"),)))]
