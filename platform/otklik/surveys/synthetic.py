"""Synthetic survey answers, for the bench and the demo: realistic, reproducible, anonymous by construction.

    generate_responses(survey, n, start, end, seed=0, channels=None, segments=None) -> int

- `survey`: a `Survey` (its questionnaire version decides the questions); call inside `tenant_scope(tenant)`
  (or a request of the tenant). The caller commits.
- `n`: how many responses to write; `start`, `end`: aware datetimes (or dates, read in the tenant's time zone),
  `submitted_at` is spread uniformly over [start, end).
- `seed`: the same seed gives the same answers.
- `channels`: {channel code: weight}; default 80 % `survey_online` (source web), 20 % `survey_offline`
  (source offline). `segments`: {segment: weight}; default the survey's own segment.

Each respondent has a latent satisfaction (mostly 4-5, a tail of 1-2); scales, matrix rows and yes/no answers
follow it, so the metrics look like real ones (means around 3.9, negative share about 12 %). Choices are drawn
with decreasing weights, branching is followed (skipped questions get no answer), optional questions are
sometimes left empty, open questions get a short remark from a list about a third of the time.
Returns the number of responses written.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

from sqlalchemy import insert

from ..extensions import db
from ..models.survey import Survey, SurveyAnswer, SurveyResponse
from .engine import answer_rows, check_answers, path

REMARKS = [
    "Сократить количество документов", "Долго ждать ответа", "Сделать запись на прием через Госуслуги",
    "Понятнее объяснять порядок получения услуги", "Вежливые и внимательные специалисты, спасибо",
    "Информировать о статусе заявления по СМС", "Неудобный график приема", "Сайт сложно найти нужную информацию",
    "Нужно больше специалистов в МФЦ", "Все устроило",
]


def _aware(moment, tz) -> datetime:
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    return datetime.combine(moment if isinstance(moment, date) else date.fromisoformat(moment), time(), tz)


def _mark(rng: random.Random, mood: float) -> str:
    return str(max(1, min(5, round(rng.gauss(mood, 0.8)))))


def _choice(rng: random.Random, options: list[dict], mood: float, type_: str) -> str:
    values = [str(o["value"]) for o in options]
    if type_ == "yesno" and "yes" in values:  # happier respondents say yes more often
        p_yes = 0.35 + 0.12 * mood
        if rng.random() < p_yes:
            return "yes"
        rest = [v for v in values if v != "yes"]
        return rng.choice(rest)
    weights = [1 / (i + 1.3) for i in range(len(values))]
    return rng.choices(values, weights)[0]


def _answer(rng: random.Random, question: dict, mood: float):
    type_ = question["type"]
    if not question.get("required", True) and rng.random() < (0.65 if type_ == "open" else 0.15):
        return None
    if type_ in ("single", "yesno", "demographic"):
        return _choice(rng, question["options"], mood, type_)
    if type_ == "scale":
        return _mark(rng, mood)
    if type_ == "matrix":
        return {row["key"]: _mark(rng, mood + rng.uniform(-0.4, 0.3)) for row in question["rows"]}
    if type_ == "multiple":
        values = [str(o["value"]) for o in question["options"]]
        k = 1 + (rng.random() < 0.35) + (rng.random() < 0.1)
        return rng.sample(values, min(k, len(values)))
    if type_ == "open":
        return rng.choice(REMARKS)
    return None


def generate_responses(survey: Survey, n: int, start, end, seed: int = 0, channels: dict | None = None,
                       segments: dict | None = None) -> int:
    from ..models import Tenant

    tenant = db.session.get(Tenant, survey.tenant_id)
    tz = tenant.tz if tenant is not None else UTC
    start, end = _aware(start, tz).astimezone(UTC), _aware(end, tz).astimezone(UTC)
    span = (end - start).total_seconds()
    rng = random.Random(seed)
    questions = survey.version.questions
    channels = channels or {"survey_online": 0.8, "survey_offline": 0.2}
    segments = segments or {survey.segment: 1.0}
    channel_codes, channel_weights = list(channels), list(channels.values())
    segment_names, segment_weights = list(segments), list(segments.values())
    written = 0
    batch = 500
    for offset in range(0, n, batch):
        responses, drafts = [], []
        for _ in range(min(batch, n - offset)):
            mood = min(5.0, max(1.0, rng.gauss(4.0, 1.0) if rng.random() > 0.1 else rng.uniform(1, 2.5)))
            raw: dict = {}
            # Walk the questionnaire as a respondent would, so jumps are followed.
            for question in questions:
                if question not in path(questions, raw):
                    continue
                value = _answer(rng, question, mood)
                if value is not None:
                    raw[question["key"]] = value
            checked = check_answers(questions, raw).answers
            channel = rng.choices(channel_codes, channel_weights)[0]
            responses.append(SurveyResponse(
                tenant_id=survey.tenant_id, survey_id=survey.id, questionnaire_version_id=survey.version.id,
                channel=channel, audience=survey.audience, object=survey.object,
                segment=rng.choices(segment_names, segment_weights)[0],
                submitted_at=start + (end - start) * rng.random() if span > 0 else start,
                source="offline" if channel == "survey_offline" else "web"))
            drafts.append(checked)
        db.session.add_all(responses)
        db.session.flush()
        rows = [{"tenant_id": survey.tenant_id, "response_id": r.id, "survey_id": survey.id, **row}
                for r, answers in zip(responses, drafts, strict=True) for row in answer_rows(questions, answers)]
        if rows:
            db.session.execute(insert(SurveyAnswer), rows)
        written += len(responses)
    return written
