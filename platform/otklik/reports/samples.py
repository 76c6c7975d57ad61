"""Realistic stored result documents, shaped as the analysis engine writes them (issue 5, item 5).

Tests and screenshots of the report pages use them where running the engine is beside the point.
"""

from __future__ import annotations


def appeals_document(tenant_slug: str = "vladimir-test", period: str = "2025-Q1") -> dict:
    return {
        "tenant": tenant_slug,
        "kind": "appeals",
        "period": period,
        "period_start": "2025-01-01",
        "period_end": "2025-03-31",
        "timezone": "Europe/Moscow",
        "computed_at": "2025-04-01T03:00:00+00:00",
        "total": 1234,
        "by_channel": {
            "website": {"count": 512, "share": 0.4149},
            "email": {"count": 301, "share": 0.2439},
            "post": {"count": 221, "share": 0.1791},
            "reception": {"count": 200, "share": 0.1621},
        },
        "reasons": [
            {"reason": "Назначение ежемесячной выплаты", "count": 420, "share": 0.3404},
            {"reason": "=HYPERLINK(\"http://evil\")", "count": 3, "share": 0.0024},
            {"reason": "Компенсация ЖКУ", "count": 311, "share": 0.252},
        ],
        "by_topic": {
            "0002.0014.0146.0466": {"count": 600, "share": 0.4862},
            "0003.0008.0086.0543": {"count": 400, "share": 0.3241},
            "0005.0005.0056.1153": {"count": 234, "share": 0.1896},
        },
        "by_section": {"0002": {"count": 600, "share": 0.4862}, "0003": {"count": 400, "share": 0.3241},
                       "0005": {"count": 234, "share": 0.1896}},
        "waiting_days": {"answered": 1100, "mean": 17.25, "median": 16, "p90": 29, "within_30_share": 0.9473},
        "complaints": {"total": 120, "satisfied": 30, "satisfied_share": 0.25, "unsatisfied": 45,
                       "unsatisfied_share": 0.375},
        "redirected": {"count": 61, "share": 0.0494},
        "inputs": {"appeals": 1234},
        "signals": [
            {"code": "additional_collection", "message": "Рекомендован дополнительный сбор обратной связи",
             "sample_size": 278, "population": 1000, "clause": "п. 5"},
        ],
    }


def surveys_document(tenant_slug: str = "omsk-test", period: str = "2025-03") -> dict:
    """Shaped as otklik.analysis.surveys writes it (schema 1)."""
    return {
        "schema": 1,
        "tenant": tenant_slug,
        "kind": "surveys",
        "period": period,
        "cadence": "month",
        "period_start": "2025-03-01",
        "period_end": "2025-03-31",
        "timezone": "Asia/Omsk",
        "responses": 356,
        "survey": {"title": "Опрос получателей услуги", "link": "/omsk-test/s/form-1",
                   "instrument": "Анкета получателя государственной услуги (форма № 1) (версия 1)",
                   "surveys": [{"id": 1, "title": "Опрос получателей услуги", "link": "/omsk-test/s/form-1",
                                "object": "Меры социальной поддержки",
                                "instrument": "Анкета получателя государственной услуги (форма № 1) (версия 1)",
                                "responses": 300},
                               {"id": 2, "title": "Опрос о доступе к информации", "link": "/omsk-test/s/info-2",
                                "object": "Доступ к информации", "instrument": "Анкета о доступе к информации (версия 2)",
                                "responses": 56}]},
        "by_channel": {"survey_online": {"count": 300, "share": 0.8427},
                       "survey_offline": {"count": 56, "share": 0.1573}},
        "csat": {"q1": {"title": "1. Насколько Вы в целом удовлетворены?", "parameter": "overall", "n": 350,
                        "mean": 4.12, "share_4_5": 0.78}},
        "parameters": {"clarity": {"title": "Понятность и удобство подачи заявления", "n": 340, "mean": 4.3,
                                   "share_4_5": 0.81},
                       "status_info": {"title": "Информирование о статусе услуги", "n": 330, "mean": 3.6,
                                       "share_4_5": 0.55},
                       "overall": {"title": "overall", "n": 350, "mean": 4.12, "share_4_5": 0.78}},
        "negative": {"answers": 1020, "count": 122, "share": 0.1196},
        "by_object": {"Меры социальной поддержки": {"responses": 200, "csat_mean": 4.2, "share_4_5": 0.8},
                      "unspecified": {"responses": 156, "csat_mean": 4.0, "share_4_5": 0.75}},
        "choices": {"q3": {"title": "3. Удалось ли Вам найти нужную информацию?", "respondents": 350,
                           "options": {"yes": {"title": "Да", "count": 280, "share": 0.8},
                                       "no": {"title": "Нет", "count": 70, "share": 0.2}}}},
        "informed": {"answered": 356, "count": 250, "share": 0.7022},
        "prevalence": [{"question": "q4", "option": "queue", "title": "Очереди", "count": 150, "respondents": 350,
                        "percent": 43, "level": "medium"}],
        "themes": [{"theme": "очередь", "count": 14, "share": 0.35, "examples": ["Долго ждать в очереди",
                                                                                 "Очередь с утра"],
                    "lemmas": ["очередь", "ждать"]},
                   {"theme": "сайт", "count": 9, "share": 0.225, "examples": ["Сайт не открывается"],
                    "lemmas": ["сайт"]}],
        "inputs": {"responses": 356, "open_answers": 40},
        "signals": [],
    }
