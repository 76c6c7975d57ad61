"""Column layouts of exports from systems many authorities share, offered on the import page.

The headers are those of typical exports (Feedback Platform "ПОС" and the "Дело" document system as configured
in regional governments); an authority whose export differs saves its own mapping on the office page instead.
"""

from __future__ import annotations

from otklik.hookspecs import hookimpl

NAME = "appeal_layouts"
SETTINGS: list = []


@hookimpl
def otklik_appeal_importers(tenant):
    from otklik.intake.importers import Importer

    return [
        Importer("pos_export", "Выгрузка Платформы обратной связи (ПОС)", {
            "external_id": "Номер сообщения", "kind": "Тип сообщения", "channel": "Канал",
            "registered_at": "Дата регистрации", "answered_at": "Дата ответа", "topic_code": "Код тематики",
            "reason": "Подкатегория", "outcome": "Результат рассмотрения",
        }),
        Importer("delo_export", "Выгрузка СЭД «Дело»", {
            "external_id": "Рег. №", "kind": "Вид обращения", "channel": "Способ доставки",
            "received_at": "Дата поступления", "registered_at": "Дата регистрации", "answered_at": "Дата ответа",
            "topic_code": "Тематика (код)", "reason": "Краткое содержание вопроса", "client_type": "Тип заявителя",
            "outcome": "Результат",
        }),
    ]
