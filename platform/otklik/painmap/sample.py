"""The demo's pain map (issue 11, item 14): a catalogue from the authority's surveys, pains accepted from the
worker's own suggestions, measures in every status (one overdue), and one pain verified by a later period.

Everything goes through the service, as an officer's clicks would: suggestions come from the demo's analyses,
evidence from their stored figures, history is kept. The verified pain rests on a manual source measured twice
(Astrakhan: "unit and method set by the research programme"), whose figures fall with non-overlapping intervals.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Evidence, Measure, Pain, PainEvent, Process, Suggestion
from ..periods import local_today, period_containing
from . import service
from .catalogue import link_by_name

DEMO_MARK = "[demo] "  # pains the demo made carry it in their status reason, so a second run replaces them
MEASURES = (  # wording, use, status, progress, days from today to the due date
    ("Запустить электронную очередь и запись на приём", "digital_services", "in_progress", 60, 20),
    ("Сократить перечень запрашиваемых документов", "regulation", "planned", 0, 75),
    ("Инструктаж специалистов по разъяснению порядка", "staff_instructions", "done", 100, -10),
    ("Памятка для заявителей на сайте", "applicant_explanations", "on_hold", 30, 40),
    ("Доработка формы обращения на портале", "federal_portals", "cancelled", 0, 60),
)
OVERDUE = ("Перераспределить нагрузку в часы пик", "reengineering", "in_progress", 40, -7)


def _catalogue(tenant) -> dict[str, Process]:
    """A process per object the authority's surveys and suggestions name, plus the handling of appeals."""
    names = {s.process for s in db.session.execute(select(Suggestion)).scalars() if s.process}
    names.add("Рассмотрение обращений граждан")
    have = {p.name: p for p in db.session.execute(select(Process)).scalars()}
    for name in sorted(names - set(have)):
        kind = "appeals_handling" if "обращен" in name.lower() else "service"
        have[name] = Process(name=name, kind=kind, group="Услуги, получаемые лично",
                             touchpoints=["Личный приём", "Сайт"], life_situations=["Обращение в орган власти"])
        db.session.add(have[name])
    db.session.commit()
    link_by_name(tenant.id)  # the demo's appeals and surveys that name an entry point to it
    return have


def _clear() -> None:
    ids = [p.id for p in db.session.execute(select(Pain).where(Pain.status_reason.startswith(DEMO_MARK))).scalars()]
    if not ids:
        return
    db.session.execute(delete(PainEvent).where(PainEvent.pain_id.in_(ids)))
    db.session.execute(delete(Measure).where(Measure.pain_id.in_(ids)))
    db.session.execute(delete(Evidence).where(Evidence.pain_id.in_(ids)))
    for s in db.session.execute(select(Suggestion).where(Suggestion.pain_id.in_(ids))).scalars():
        s.status, s.pain_id, s.decided_at = "open", None, None
    db.session.execute(delete(Pain).where(Pain.id.in_(ids)))
    db.session.commit()


def _measure(pain: Pain, wording, use, status, progress, due_in: int, today: date) -> None:
    pain.measures.append(Measure(wording=wording, use=use, status=status, progress=progress,
                                 unit="Отдел по работе с обращениями", start_date=today - timedelta(days=30),
                                 due_date=today + timedelta(days=due_in),
                                 public_wording=wording if status == "done" else ""))
    service.record(pain, "measure", "", wording, None)


def demo_map(tenant, end: date | None = None) -> int:
    """Build the demo map of one authority; returns how many pains it holds."""
    _clear()
    today = end or local_today(tenant.tz)
    processes = _catalogue(tenant)
    open_ones = db.session.execute(select(Suggestion).where(Suggestion.status == "open")
                                   .order_by(Suggestion.source != "survey_option", Suggestion.period.desc(),
                                             Suggestion.id)).scalars().all()
    pains = []
    for suggestion in open_ones[:4]:
        pain = service.accept(tenant, suggestion, None, process_name=suggestion.process)
        service.change(pain, "status", "in_work", None)
        pain.status_reason = DEMO_MARK + "принята из предложений демонстрационного анализа"  # shown as is
        pains.append(pain)
    for i, pain in enumerate(pains):
        for wording, use, status, progress, due_in in MEASURES[i % 2::2] or MEASURES[:1]:
            _measure(pain, wording, use, status, progress, due_in, today)
    if pains:
        _measure(pains[0], *OVERDUE, today)
        for wording, use, status, progress, due_in in MEASURES:  # every status appears at least once
            if not any(m.status == status for p in pains for m in p.measures):
                _measure(pains[-1], wording, use, status, progress, due_in, today)
    pains.append(_verified(tenant, processes["Рассмотрение обращений граждан"], today))
    db.session.commit()
    return len(pains)


def _verified(tenant, process: Process, today: date) -> Pain:
    """A pain measured twice by a manual count at the reception: 26 of 60 visitors waited over 30 minutes,
    then 6 of 60 after the electronic queue; its measure is done, so re-measurement verifies it."""
    last = period_containing(today, "quarter")
    before = period_containing(last.start - timedelta(days=1), "quarter")
    earlier = period_containing(before.start - timedelta(days=1), "quarter")
    pain = Pain(wording="Долгое ожидание в очереди на личном приёме", process_id=process.id, touchpoint="Личный приём",
                status="in_work", status_reason=DEMO_MARK + "measured at the reception")
    db.session.add(pain)
    db.session.flush()
    method = "Хронометраж ожидания на приёме: доля посетителей, ждавших дольше 30 минут (выборка 60 посетителей)"
    for period, n in ((earlier, 26), (before, 6)):
        pain.evidence.append(Evidence(source="manual", kind="manual", period=period.name, figure="manual:reception",
                                      title="Ожидание на приёме дольше 30 минут", n=n, total=60, method=method))
    pain.measures.append(Measure(wording="Электронная очередь на личном приёме", use="digital_services",
                                 status="done", progress=100, unit="Отдел по работе с обращениями",
                                 start_date=earlier.start, due_date=before.start + timedelta(days=14),
                                 public_wording="Введена электронная очередь на личном приёме"))
    db.session.flush()
    service.remeasure(tenant, pain)
    pain.status_reason = DEMO_MARK + pain.status_reason
    return pain
