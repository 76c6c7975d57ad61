"""Periods and statuses read as officers write them."""

from otklik.vocabulary import period_label, status_label


def test_period_labels_in_russian(app):
    with app.test_request_context():
        assert period_label("2025-Q4") == "IV квартал 2025"
        assert period_label("2025-H1") == "1-е полугодие 2025"
        assert period_label("2025") == "2025 год"
        assert period_label("2025-03") == "03.2025"
        assert period_label("not-a-period") == "not-a-period"
        assert status_label("done") == "готово"


def test_period_labels_in_english(app):
    with app.test_request_context("/?lang=en"):
        assert period_label("2025-Q4") == "IV quarter 2025"
