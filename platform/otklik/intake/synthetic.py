"""Realistic synthetic appeals for the benchmark and the demo: channel, topic, waiting-time and outcome mixes
shaped like a regional social-protection body's register (no personal data, as in the real register)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

CHANNEL_WEIGHTS = {"website": 30, "pos": 16, "email": 14, "post": 12, "epgu": 10, "reception": 5, "phone": 4,
                   "hotline": 4, "social": 3, "mfc": 2, "internal": 1}
KIND_WEIGHTS = {"appeal": 62, "complaint": 25, "request": 8, "proposal": 5}
# (topic code, reason, object): social sphere first, as in a social-protection body's register
TOPICS = [
    ("0002.0007.0073.0510", "Назначение ежемесячной денежной выплаты", "Меры социальной поддержки"),
    ("0002.0007.0073.0511", "Задержка выплаты пособия на ребенка", "Пособия семьям с детьми"),
    ("0002.0007.0071.0499", "Оформление статуса многодетной семьи", "Госуслуга: удостоверение многодетной семьи"),
    ("0002.0007.0073.0513", "Компенсация расходов на ЖКУ", "Меры социальной поддержки"),
    ("0002.0007.0075.0530", "Социальное обслуживание на дому", "Социальное обслуживание"),
    ("0002.0007.0072.0504", "Путевки на санаторно-курортное лечение", "Санаторно-курортное лечение"),
    ("0002.0006.0063.0263", "Обеспечение техническими средствами реабилитации", "Реабилитация инвалидов"),
    ("0002.0004.0048.0230", "Трудоустройство, содействие занятости", "Содействие занятости"),
    ("0003.0008.0086.0613", "Задолженность по заработной плате", "Трудовые отношения"),
    ("0005.0005.0056.1153", "Качество коммунальных услуг", "Жилищно-коммунальные услуги"),
    ("0005.0005.0055.1121", "Капитальный ремонт общего имущества", "Жилищный надзор"),
    ("0001.0001.0001.0001", "Работа органа власти, сроки ответа", "Рассмотрение обращений"),
    ("0001.0002.0024.0097", "Доступ к информации о деятельности органа", "Доступ к информации"),
    ("0004.0015.0152.0965", "Правовая помощь малоимущим", "Бесплатная юридическая помощь"),
]
TOPIC_WEIGHTS = [14, 11, 8, 10, 6, 5, 6, 5, 4, 8, 5, 8, 4, 6]
SEGMENTS = ["граждане", "пенсионеры", "семьи с детьми", "инвалиды", "малоимущие", "юридические лица"]
SEGMENT_WEIGHTS = [40, 20, 18, 10, 8, 4]
# answered outcomes; a redirect is decided within 7 days
OUTCOMES = ["explained", "supported", "measures_taken", "not_supported", "redirected", "left_without_answer"]
OUTCOME_WEIGHTS = [48, 12, 10, 14, 11, 5]
MOSCOW = ZoneInfo("Europe/Moscow")


def _codes(channels) -> list[str]:
    return [getattr(c, "code", c) for c in channels]


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, datetime.min.time(), MOSCOW).astimezone(UTC)


def _choice(rng, options, weights, size):
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(options), size=size, p=p / p.sum())


def generate_appeals(tenant_channels: list[str], n: int, start: date, end: date, seed: int) -> Iterator[dict]:
    """n appeals registered in [start, end), in canonical-layout keys; dates are aware UTC datetimes.

    `tenant_channels` may be channel codes or `otklik.channels.Channel` objects. Deterministic for a seed."""
    codes = _codes(tenant_channels) or ["other"]
    ch_weights = [CHANNEL_WEIGHTS.get(c, 2) for c in codes]
    rng = np.random.default_rng(seed)
    t0, t1 = _as_datetime(start), _as_datetime(end)
    span = max((t1 - t0).total_seconds(), 1.0)
    block = 20_000
    made = 0
    while made < n:
        size = min(block, n - made)
        offsets = np.sort(rng.uniform(0, span, size))
        # business hours: fold each instant to 06:00-15:00 UTC (09:00-18:00 Moscow) of its day
        day = np.floor(offsets / 86400) * 86400
        office = day + 6 * 3600 + rng.uniform(0, 9 * 3600, size)
        office = np.minimum(office, span - 1)
        ch = _choice(rng, codes, ch_weights, size)
        kinds = _choice(rng, list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()), size)
        topics = _choice(rng, TOPICS, TOPIC_WEIGHTS, size)
        segs = _choice(rng, SEGMENTS, SEGMENT_WEIGHTS, size)
        outs = _choice(rng, OUTCOMES, OUTCOME_WEIGHTS, size)
        # waiting days: log-normal, median ~14, a tail past 30 (about 5 %)
        wait = np.clip(np.round(rng.lognormal(np.log(14), 0.45, size)), 1, 60)
        redirect_wait = rng.integers(1, 8, size)
        client = rng.random(size)
        for i in range(size):
            registered = (t0 + timedelta(seconds=float(office[i]))).replace(second=0, microsecond=0)
            outcome = OUTCOMES[outs[i]]
            days = int(redirect_wait[i]) if outcome == "redirected" else int(wait[i])
            answered = (registered + timedelta(days=days, hours=float(client[i]) * 5)).replace(second=0, microsecond=0)
            if answered >= t1:
                answered, outcome = None, "pending"
            channel = codes[ch[i]]
            internal = channel == "internal"
            code, reason, obj = TOPICS[topics[i]]
            yield {
                "external_id": f"A{seed}-{made + i + 1:07d}",
                "kind": list(KIND_WEIGHTS)[kinds[i]],
                "audience": "internal" if internal else "external",
                "channel": channel,
                "registered_at": registered,
                "answered_at": answered,
                "topic_code": code,
                "reason": reason,
                "segment": "сотрудники" if internal else SEGMENTS[segs[i]],
                "client_type": "employee" if internal else "legal_entity" if client[i] < 0.06 else "individual",
                "object": obj,
                "outcome": outcome,
            }
        made += size


CANONICAL_HEADER = ["external_id", "kind", "audience", "channel", "registered_at", "answered_at", "topic_code",
                    "reason", "segment", "client_type", "object", "outcome"]


def write_canonical_csv(path, rows: Iterable[dict], *, tz: str = "Europe/Moscow", encoding: str = "utf-8",
                        delimiter: str = ",", date_format: str = "%Y-%m-%d %H:%M") -> int:
    """Write rows as a canonical appeals file (local times of `tz`); returns the number of rows."""
    zone = ZoneInfo(tz)
    n = 0
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter)
        w.writerow(CANONICAL_HEADER)
        for row in rows:
            out = []
            for key in CANONICAL_HEADER:
                value = row.get(key)
                if isinstance(value, datetime):
                    value = value.astimezone(zone).strftime(date_format)
                out.append("" if value is None else value)
            w.writerow(out)
            n += 1
    return n
