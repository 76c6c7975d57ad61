"""Words, not codes (issue 14, item 7): a classifier code reads with its title in the information note, on the
analysis page and in the XLSX: the title in the authority's loaded classifier, else its section's title."""

import io

import pytest
from openpyxl import load_workbook

from otklik.extensions import db
from otklik.intake.classifier import load_classifier, topic_titles
from otklik.models import Tenant
from otklik.tenancy import tenant_scope

from .documents import TOPIC_PAYMENT, TOPIC_UTILITIES, add_quarter, analysed

PAYMENT_TITLE = "Выплаты, пособия и компенсации"
CLASSIFIER = f"code;title\n{TOPIC_PAYMENT};{PAYMENT_TITLE}\n0002.0007.0073.0510;Назначение выплаты\n".encode()


@pytest.fixture
def analysis(app, make_tenant, make_user, login_as):
    """Vladimir's quarter (TOPIC_PAYMENT 576 appeals, TOPIC_UTILITIES 424), its classifier naming only the
    payment topic; a viewer signed in."""
    tenant = make_tenant("vladimir", slug="vladimir-topics")
    with app.app_context():
        with tenant_scope(db.session.get(Tenant, tenant.id)):
            load_classifier(tenant.id, CLASSIFIER)
        add_quarter(tenant)
        analysis_id = analysed(tenant, "appeals", "2025-Q1")
    make_user("viewer@vladimir.test", tenant=tenant, role="viewer")
    login_as("viewer@vladimir.test")
    return tenant, analysis_id


PAYMENT = f"{TOPIC_PAYMENT} — {PAYMENT_TITLE}"
UTILITIES = f"{TOPIC_UTILITIES} — раздел «Экономика»"  # not in the loaded classifier: its section (0003)


def test_note_names_topics_and_sections(client, analysis):
    tenant, analysis_id = analysis
    html = client.get(f"/{tenant.slug}/office/reports/{analysis_id}/note").get_data(as_text=True)
    # 400 + 5 + 8 + 2 + 5 + 5 + 10 + 101 + 40 = 576 on payments; 265 + 30 + 17 + 29 + 3 + 20 + 60 = 424 utilities
    assert f"Темы с наибольшим числом обращений: {PAYMENT} (576); {UTILITIES} (424)." in html
    assert "0002 — Социальная сфера" in html and "0003 — Экономика" in html  # the sections table


def test_analysis_page_names_topics(client, analysis):
    tenant, analysis_id = analysis
    html = client.get(f"/{tenant.slug}/office/analyses/{analysis_id}").get_data(as_text=True)
    assert PAYMENT in html and UTILITIES in html and "0002 — Социальная сфера" in html


def test_xlsx_names_topics(client, analysis):
    tenant, analysis_id = analysis
    wb = load_workbook(io.BytesIO(client.get(f"/{tenant.slug}/office/reports/{analysis_id}/xlsx").data))
    topics = {r[0]: r[1] for r in wb["Темы"].iter_rows(min_row=4, max_col=2, values_only=True) if r[0]}
    assert topics == {PAYMENT: 576, UTILITIES: 424}


def test_topic_titles_of_unknown_sections_and_sub_questions(app, make_tenant):
    tenant = make_tenant("vladimir", slug="vladimir-codes")
    with app.app_context(), tenant_scope(db.session.get(Tenant, tenant.id)):
        load_classifier(tenant.id, CLASSIFIER)
        assert topic_titles([f"{TOPIC_PAYMENT}.0001", "0009.0001.0001.0001", "0005", ""]) == {
            f"{TOPIC_PAYMENT}.0001": PAYMENT_TITLE,  # a sub-question reads as its question
            "0005": "Жилищно-коммунальная сфера",
        }
