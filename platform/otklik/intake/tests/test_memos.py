"""Memos (служебные записки, Astrakhan 4.6): a fifth kind the import accepts by code or by its Russian word; a memo
without a date is refused by row and column, and nothing of the file is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from otklik.extensions import db
from otklik.intake.importer import ImportRefused, import_file
from otklik.models import Appeal
from otklik.tenancy import tenant_scope

from .helpers import csv_bytes, row, stored, tenant_row


@pytest.fixture
def tenant(app, make_tenant):
    return make_tenant("astrakhan", slug="astrakhan-memo")


def test_memos_import_by_code_and_by_word(app, tenant):
    rows = [row("M-1", kind="memo", audience="internal", channel="internal", topic_code="", segment=""),
            row("M-2", kind="Служебная записка", audience="Внутренний", channel="internal", topic_code="",
                segment="")]
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t):
            import_file(db.session, t, csv_bytes(rows), "memos.csv")
            db.session.commit()
            kinds = db.session.execute(select(Appeal.external_id, Appeal.kind, Appeal.audience)
                                       .order_by(Appeal.external_id)).all()
    assert [tuple(k) for k in kinds] == [("M-1", "memo", "internal"), ("M-2", "memo", "internal")]


def test_a_memo_without_a_date_is_refused_by_row_and_nothing_is_stored(app, tenant):
    rows = [row("M-1", kind="memo", audience="internal", channel="internal", topic_code="", segment=""),
            row("M-2", kind="memo", audience="internal", channel="internal", registered_at="", topic_code="",
                segment="")]
    with app.app_context():
        t = tenant_row(app, tenant)
        with tenant_scope(t), pytest.raises(ImportRefused) as refused:
            import_file(db.session, t, csv_bytes(rows), "memos.csv")
    [error] = [e for e in refused.value.errors if e["code"] == "required"]
    assert error["column"] == "registered_at" and error["row"] == 3  # the header is line 1
    assert error["reason"]
    assert stored(app) == 0
