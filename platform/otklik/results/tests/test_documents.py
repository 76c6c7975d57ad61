"""The result document contract: every built-in metric's output matches its declared shape, the validator names
what is wrong, documents of schema 1 are still read, and a document leaves the office only through disclosure."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from otklik.analysis.runner import compute
from otklik.analysis.tests import test_survey_metrics as surveys_fx
from otklik.analysis.tests.helpers import add_appeals
from otklik.extensions import db
from otklik.models import Tenant
from otklik.results import standard
from otklik.results.disclosure import UndeclaredShape, disclose, disclose_values
from otklik.results.document import SCHEMA_VERSION, declarations, read, validate
from otklik.tenancy import tenant_scope

APPEALS = (
    [{"kind": "complaint", "channel": "email", "outcome": "supported", "reason": "Сроки выплаты",
      "registered_at": "2025-02-03 10:00", "answered_at": "2025-02-10 10:00", "topic_code": "0002.0007.0071.0001",
      "segment": "citizens"}] * 6
    + [{"kind": "complaint", "channel": "pos", "outcome": "not_supported", "reason": "Отказ в выплате",
        "registered_at": "2025-02-04 10:00", "answered_at": "2025-03-20 10:00", "topic_code": "0003.0008.0086.0543",
        "segment": "citizens"}] * 5
    + [{"kind": "complaint", "channel": "post", "outcome": "pending", "reason": "Иное",
        "registered_at": "2025-02-05 10:00"}] * 4
    + [{"kind": "appeal", "channel": "email", "outcome": "redirected", "reason": "Не по адресу",
        "registered_at": "2025-03-03 10:00", "answered_at": "2025-03-05 10:00", "segment": "business"}] * 5
    + [{"kind": "appeal", "channel": "website", "outcome": "explained", "reason": "Сроки выплаты",
        "registered_at": "2025-03-10 10:00", "answered_at": "2025-03-12 10:00"}] * 10
)


def _document(tenant, kind, period):
    with tenant_scope(db.session.get(Tenant, tenant.id)):
        return compute(db.session.get(Tenant, tenant.id), kind, period)


@pytest.fixture
def documents(app, make_tenant, db_session):
    """Engine documents of every kind, from authorities whose plugins together enable every built-in metric."""
    vladimir = make_tenant("vladimir", slug="vlad-docs")  # redirected share
    omsk = make_tenant("omsk", slug="omsk-docs")  # segments, employee surveys
    add_appeals(vladimir, APPEALS)
    add_appeals(omsk, APPEALS)
    surveys_fx.add_survey(omsk, surveys_fx.RESPONSES)
    return {
        "appeals": _document(vladimir, "appeals", "2025-Q1"),
        "appeals_segments": _document(omsk, "appeals", "2025-Q1"),
        "surveys": _document(omsk, "surveys", "2025-03"),
        "employee_surveys": _document(omsk, "employee_surveys", "2025-03"),
    }


def test_every_built_in_metric_validates_against_its_declared_shape(documents):
    for name, doc in documents.items():
        assert doc["schema"] == SCHEMA_VERSION
        assert validate(doc) == [], name
    seen = set(documents["appeals"]) | set(documents["appeals_segments"])
    assert {"redirected", "by_segment", "waiting_days", "complaints", "reasons"} <= seen
    for kind in ("appeals", "surveys", "employee_surveys"):
        for key, metric in declarations(kind).items():
            assert metric.shape is not None, key
    # every declared survey metric was computed and holds figures
    assert set(declarations("surveys")) <= set(documents["surveys"])
    assert documents["surveys"]["responses"] == len([r for r in surveys_fx.RESPONSES if r[3] == "external"
                                                     and r[0].startswith("2025-03")])


def test_the_validator_names_what_is_wrong(documents):
    doc = dict(documents["appeals"])
    doc["by_channel"] = {**doc["by_channel"], "email": {"count": "eleven", "share": 0.37}}
    doc["complaints"] = {**doc["complaints"], "satisfied_share": 1.7}
    doc["mystery"] = {"count": 3}
    errors = validate(doc)
    assert any(e.startswith("by_channel[email].count") for e in errors)
    assert any(e.startswith("complaints.satisfied_share") and "0..1" in e for e in errors)
    assert "mystery: no plugin declares this metric" in errors


def test_a_schema_1_document_is_read_by_the_versioned_reader(app):
    """A survey document as schema 1 stored it: totals as objects, CSAT at the top level, hidden cells as true."""
    old = {"kind": "surveys", "period": "2024-12", "responses": {"count": 40},
           "csat": {"q1": {"title": "1. Насколько Вы удовлетворены?", "parameter": "overall", "n": 40,
                           "mean": 4.25, "share_4_5": 0.8}},
           "by_channel": {"survey_online": {"count": 37, "share": 0.925}, "survey_offline": {"suppressed": True}},
           "survey_link": "/x/s/abc"}
    with app.test_request_context():
        d = read(old)
        assert d.raw["schema"] == SCHEMA_VERSION and validate(d.raw) == []
        assert d.count("responses") == 40 and d.overall_csat() == 4.25
        assert d.raw["by_channel"]["survey_offline"] == {"suppressed": "primary"}
        keys = [s.key for s in d.sections()]
        assert keys[:3] == ["responses", "by_channel", "csat"]
        assert d.survey_items() == [{"title": None, "link": "/x/s/abc", "instrument": None}]


def test_disclosure_refuses_an_undeclared_metric(documents):
    doc = {**documents["appeals"], "mystery": {"count": 3}}
    with pytest.raises(UndeclaredShape, match="mystery"):
        disclose(doc, 5)
    with pytest.raises(ValueError, match="below 5"):
        disclose(documents["appeals"], 3)


def _pinned(total: int, shown: list[int], n_hidden: int) -> list[bool]:
    """For each hidden cell of a breakdown whose total is shown: is it pinned to one value (linprog)?"""
    out = []
    for i in range(n_hidden):
        c = [1.0 if j == i else 0.0 for j in range(n_hidden)]
        kw = {"A_eq": [[1.0] * n_hidden], "b_eq": [total - sum(shown)], "bounds": [(0, None)] * n_hidden}
        low, high = linprog(c, **kw), linprog([-x for x in c], **kw)
        out.append(abs(low.fun + high.fun) < 1e-9)
    return out


def test_a_disclosed_appeals_document_gives_no_small_group_back(documents):
    """30 appeals: e-mail 11, website 10, POS 5, post 4; 15 complaints: 6 satisfied, 5 unsatisfied, 4 pending."""
    shown = disclose(documents["appeals"], 5)
    doc = shown.values
    assert "reasons" not in doc and "inputs" not in doc and "signals" not in doc  # free text stays in the office
    channels = doc["by_channel"]
    assert channels["email"]["count"] == 11 and channels["website"]["count"] == 10
    assert channels["post"] == {"suppressed": "primary"} and channels["pos"] == {"suppressed": "secondary"}
    visible = [c["count"] for c in channels.values() if "count" in c]
    assert _pinned(doc["total"], visible, 2) == [False, False]
    complaints = doc["complaints"]
    assert (complaints["total"], complaints["satisfied"], complaints["unsatisfied"]) == (15, 6, None)
    assert complaints["unsatisfied_share"] is None
    kinds = doc["by_kind"]  # 15 complaints, 15 appeals: nothing small
    assert kinds["complaint"]["count"] == 15 and kinds["appeal"]["count"] == 15
    audit = {(s.path, s.cell): s.reason for s in shown.audit}
    assert audit[("by_channel", "post")] == "primary" and audit[("complaints", "unsatisfied")] == "secondary"
    assert audit[("reasons", "*")] == "free_text"


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=7),
       satisfied=st.integers(0, 30), unsatisfied=st.integers(0, 30), pending=st.integers(0, 30),
       k=st.integers(5, 9))
def test_no_hidden_cell_of_declared_figures_is_pinned(cells, satisfied, unsatisfied, pending, k):
    """Random channel breakdowns and complaint records through the declared shapes: each hidden cell keeps a
    range of values consistent with everything shown, and no shown count is a small group."""
    total = sum(cells)
    complaints = satisfied + unsatisfied + pending
    if complaints > total:
        total += complaints - total
        cells = [*cells, complaints - sum(cells)] if complaints > sum(cells) else cells
    channels = {f"c{i}": {"count": n, "share": round(n / total, 4) if total else None}
                for i, n in enumerate(cells) if n}
    values = {"total": total, "by_channel": channels,
              "complaints": {"total": complaints, "satisfied": satisfied, "unsatisfied": unsatisfied,
                             "satisfied_share": round(satisfied / complaints, 4) if complaints else None,
                             "unsatisfied_share": round(unsatisfied / complaints, 4) if complaints else None}}
    shapes = {"total": standard.TOTAL, "by_channel": standard.BY_CHANNEL, "complaints": standard.COMPLAINTS}
    out = disclose_values(values, shapes, k).values
    if out["total"] is None:  # a small total: everything resting on it is hidden
        assert all("count" not in c for c in out["by_channel"].values())
        return
    shown = [c["count"] for c in out["by_channel"].values() if "count" in c]
    hidden = sum(1 for c in out["by_channel"].values() if "count" not in c)
    assert all(n >= k for n in shown)
    if hidden:
        assert not any(_pinned(out["total"], shown, hidden))
    c = out["complaints"]
    if c.get("total") is None:
        assert c.get("satisfied") in (None, 0) and c.get("unsatisfied") in (None, 0)
        return
    known = [c[f] for f in ("satisfied", "unsatisfied") if c.get(f) is not None]
    assert all(n == 0 or n >= k for n in known)
    rest_hidden = 2 - len(known) + 1  # the hidden ones and the rest (pending), which is never shown
    unknown = c["total"] - sum(known)
    if len(known) < 2:
        assert not any(_pinned(c["total"], known, rest_hidden))
    else:
        assert unknown == 0 or unknown >= k  # the rest is known: it must not be a small group


def test_rates_hide_a_small_group_and_a_small_count():
    """Unsatisfied complaints per topic (count of its own complaints), k = 5: a topic of 4 complaints goes whole;
    2 of 12 goes (a small group); 6 of 12 stays (6 and the other 6)."""
    values = {"unsatisfied_by_topic": {"A": {"count": 6, "of": 12, "share": 0.5},
                                       "B": {"count": 2, "of": 12, "share": 0.1667},
                                       "C": {"count": 3, "of": 4, "share": 0.75},
                                       "D": {"count": 9, "of": 12, "share": 0.75}}}
    out = disclose_values(values, {"unsatisfied_by_topic": standard.UNSATISFIED_BY_TOPIC}, 5)
    cells = out.values["unsatisfied_by_topic"]
    assert cells["A"] == {"count": 6, "of": 12, "share": 0.5}
    assert cells["B"] == {"count": None, "of": 12, "share": None}
    assert cells["C"] == {"suppressed": "primary"}
    assert cells["D"] == {"count": None, "of": 12, "share": None}  # 12 - 9 = 3 would be a small group
