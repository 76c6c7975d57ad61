"""The six standard appeals metrics, the redirected share and segments, computed by hand on small fixtures."""

from datetime import date

import pytest

from otklik.analysis.runner import compute
from otklik.extensions import db
from otklik.models import Tenant
from otklik.tenancy import tenant_scope

from .helpers import add_appeals


def _compute(tenant, period="2025-Q1", kind="appeals"):
    t = db.session.get(Tenant, tenant.id)
    with tenant_scope(t):
        return compute(t, kind, period)


@pytest.fixture
def vladimir(make_tenant, db_session):
    return make_tenant("vladimir", slug="vladimir-a")


ROWS = [
    # channel, kind, registered (local), answered (local), topic, reason, outcome
    dict(channel="website", kind="appeal", registered_at="2025-01-10 10:00", answered_at="2025-01-20 09:00",
         topic_code="0002.0014.0146.0466", reason="Выплата", outcome="explained"),
    dict(channel="website", kind="complaint", registered_at="2025-01-15 10:00", answered_at="2025-02-14 18:00",
         topic_code="0002.0014.0146.0466.0001", reason="Выплата", outcome="supported"),
    dict(channel="post", kind="complaint", registered_at="2025-02-01 10:00", answered_at="2025-03-05 10:00",
         topic_code="0002.0007.0070.0300", reason="Компенсация ЖКУ", outcome="not_supported"),
    dict(channel="email", kind="complaint", registered_at="2025-02-02 10:00", answered_at=None,
         topic_code="0005.0005.0056.1153", reason="Компенсация ЖКУ", outcome="pending"),
    dict(channel="email", kind="request", registered_at="2025-03-03 10:00", answered_at="2025-03-03 16:00",
         topic_code="", reason="", outcome="redirected"),
    # outside the quarter: the day after, local time
    dict(channel="post", kind="appeal", registered_at="2025-04-01 00:10", answered_at="2025-04-02 10:00",
         topic_code="0002.0014.0146.0466", reason="Выплата", outcome="explained"),
]


def test_standard_metrics_by_hand(vladimir):
    add_appeals(vladimir, ROWS)
    doc = _compute(vladimir)
    assert doc["total"] == 5
    assert doc["by_channel"] == {
        "email": {"count": 2, "share": 0.4}, "website": {"count": 2, "share": 0.4}, "post": {"count": 1, "share": 0.2}
    }
    assert doc["reasons"][:2] == [
        {"reason": "Выплата", "count": 2, "share": 0.4}, {"reason": "Компенсация ЖКУ", "count": 2, "share": 0.4}
    ]
    assert doc["reasons"][2] == {"reason": "unspecified", "count": 1, "share": 0.2}
    # the fifth block (a sub-question) rolls into its question
    assert doc["by_topic"]["0002.0014.0146.0466"] == {"count": 2, "share": 0.4}
    assert doc["by_section"] == {"0002": {"count": 3, "share": 0.6}, "0005": {"count": 1, "share": 0.2},
                                 "unclassified": {"count": 1, "share": 0.2}}
    assert doc["by_thematic"]["0002.0014"] == {"count": 2, "share": 0.4}
    assert doc["by_thematic"]["0002.0007"] == {"count": 1, "share": 0.2}
    # waiting days: 10, 30, 32, 0 (calendar dates, local)
    w = doc["waiting_days"]
    assert w["answered"] == 4
    assert w["mean"] == 18.0
    assert w["median"] == 20.0  # (10 + 30) / 2
    assert w["p90"] == pytest.approx(31.4)  # 30 + 0.7 * (32 - 30), linear as numpy
    assert w["within_30"] == 3 and w["within_30_share"] == 0.75  # 30 included
    assert sum(b["count"] for b in w["distribution"]) == 4
    # complaints: 3 registered, 1 satisfied, 1 unsatisfied, 1 pending (counts in the denominator)
    assert doc["complaints"] == {"total": 3, "satisfied": 1, "satisfied_share": 0.3333, "unsatisfied": 1,
                                 "unsatisfied_share": 0.3333}
    assert doc["redirected"] == {"count": 1, "share": 0.2}  # Vladimir enables the redirected share
    assert "by_segment" not in doc  # Omsk's plugin, not Vladimir's
    assert doc["inputs"] == {"appeals": 5, "complaints": 3, "answered": 4}
    assert doc["period_start"] == "2025-01-01" and doc["period_end"] == "2025-03-31"


def test_waiting_days_against_pandas(vladimir):
    """The histogram quantiles equal pandas' on the expanded data."""
    import pandas as pd

    waits = [0, 1, 1, 3, 7, 12, 12, 29, 30, 31, 45, 60, 61]
    add_appeals(vladimir, [dict(registered_at="2025-01-01 12:00",
                                answered_at=f"{date.fromordinal(date(2025, 1, 1).toordinal() + d)} 12:00")
                           for d in waits])
    w = _compute(vladimir)["waiting_days"]
    s = pd.Series(waits)
    assert w["mean"] == round(s.mean(), 2)
    assert w["median"] == round(s.median(), 2)
    assert w["p90"] == round(s.quantile(0.9), 2)
    assert w["within_30"] == 9


def test_no_complaints_and_nothing_answered(vladimir):
    add_appeals(vladimir, [dict(registered_at="2025-02-01 10:00", outcome="pending")])
    doc = _compute(vladimir)
    assert doc["complaints"] == {"total": 0, "satisfied": 0, "satisfied_share": None, "unsatisfied": 0,
                                 "unsatisfied_share": None}
    assert doc["waiting_days"]["answered"] == 0
    assert doc["waiting_days"]["mean"] is None and doc["waiting_days"]["within_30_share"] is None


def test_empty_period(vladimir):
    doc = _compute(vladimir)
    assert doc["total"] == 0 and doc["by_channel"] == {} and doc["redirected"] == {"count": 0, "share": None}
    assert doc["signals"] == []


def test_last_evening_of_a_quarter_belongs_to_it(vladimir):
    """23:30 local on 31 March is 20:30 UTC the same day (Moscow) but counts in Q1 by the local date."""
    add_appeals(vladimir, [dict(registered_at="2025-03-31 23:30", answered_at="2025-04-01 00:30"),
                           dict(registered_at="2025-01-01 00:05")])
    q1 = _compute(vladimir)
    assert q1["total"] == 2
    assert q1["waiting_days"]["mean"] == 1.0  # 1 April minus 31 March, although 60 minutes apart
    assert _compute(vladimir, "2025-Q2")["total"] == 0
    assert _compute(vladimir, "2024-Q4")["total"] == 0


def test_omsk_time_zone_and_segments(make_tenant, db_session):
    """Asia/Omsk is UTC+6: 23:30 on 31 March local is 17:30 UTC; 00:30 on 1 April local is 18:30 UTC, 31 March."""
    omsk = make_tenant("omsk", slug="omsk-a")
    add_appeals(omsk, [
        dict(registered_at="2025-03-31 23:30", answered_at="2025-04-30 08:00", segment="citizens"),
        dict(registered_at="2025-04-01 00:30", answered_at="2025-05-01 08:00", segment="citizens"),
        dict(registered_at="2025-01-01 00:30", answered_at="2025-01-31 08:00", segment="business", kind="request"),
        dict(registered_at="2025-02-01 12:00", segment=""),
    ])
    doc = _compute(omsk)
    assert doc["timezone"] == "Asia/Omsk"
    assert doc["total"] == 3
    assert doc["waiting_days"]["answered"] == 2
    assert doc["waiting_days"]["within_30"] == 2  # 30 days each: included
    assert doc["by_segment"] == {"business": {"count": 1, "share": 0.3333},
                                 "citizens": {"count": 1, "share": 0.3333},
                                 "unspecified": {"count": 1, "share": 0.3333}}
    assert "redirected" not in doc
    assert _compute(omsk, "2025-Q2")["total"] == 1


def test_other_tenants_appeals_never_count(make_tenant, vladimir):
    other = make_tenant("vladimir", slug="vladimir-b")
    add_appeals(other, [dict(registered_at="2025-02-01 10:00")] * 3)
    add_appeals(vladimir, [dict(registered_at="2025-02-01 10:00")])
    assert _compute(vladimir)["total"] == 1


def test_document_is_json_clean(vladimir):
    import json

    add_appeals(vladimir, ROWS)
    doc = _compute(vladimir)
    text = json.dumps(doc, allow_nan=False)  # raises on NaN or infinity
    assert json.loads(text) == doc


def test_main_reasons_keep_the_top_fifty(vladimir):
    rows = [dict(registered_at="2025-02-01 10:00", reason=f"R{i:02d}") for i in range(52) for _ in range(1 + (i < 50))]
    add_appeals(vladimir, rows)
    reasons = _compute(vladimir)["reasons"]
    assert len(reasons) == 51 and all(r["count"] == 2 for r in reasons[:50])
    assert reasons[-1] == {"reason": "other", "count": 2, "share": round(2 / 102, 4), "reasons": 2}
