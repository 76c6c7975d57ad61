"""Additional collections (issue 11, item 11; Nenets 7, Astrakhan 5.4, Vladimir 5, Omsk 20): from an escalation
signal or a pain, an officer starts an extra survey for the next quarter, with the general population N and where
it comes from, and the sample n Cochran asks of it (DOMAIN.md). Its page and the pain show responses against n; the
signal shows as answered on the analysis page.

The pain map does not import the analysis: a signal is read from the stored document (`results`), and the sample
size is the core's (`prevalence.sample_size`), the same function the escalation plugin calls.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from ..channels import tenant_channels
from ..extensions import db
from ..models import Analysis, Pain, QuestionnaireVersion, Survey, SurveyResponse
from ..models.painmap import AdditionalCollection
from ..periods import Period, local_today, period_containing
from ..prevalence import sample_size
from ..results.document import read

DEFAULT_CONFIDENCE, DEFAULT_MARGIN = 0.95, 0.05
MAX_POPULATION = 100_000_000  # above the population of Russia: a typo, not a population


class Refused(ValueError):
    """The collection cannot start; the message (Russian, through gettext) says what and where."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def signal_key(signal: dict) -> str:
    """A signal's identity within its analysis: its code, and the figure that passed the threshold (one analysis
    may raise `additional_collection` for unsatisfied complaints and for negative answers at once)."""
    code, metric = signal.get("code") or "", signal.get("metric") or ""
    return f"{code}:{metric}" if metric else code


def signal_of(analysis: Analysis, key: str) -> dict | None:
    if not analysis.result:
        return None
    for s in read(analysis.result).signals():
        if signal_key(s) == key:
            return s
    return None


def next_quarter(tenant) -> Period:
    """The quarter after today's in the tenant's zone: the collection's period."""
    return period_containing(local_today(tenant.tz), "quarter").next()


def accuracy(tenant) -> tuple[float, float]:
    """Confidence and margin: the tenant's escalation settings when set, else DOMAIN.md's 95 % and 5 %."""
    s = tenant.settings_of("escalation")
    return float(s.get("confidence") or DEFAULT_CONFIDENCE), float(s.get("margin") or DEFAULT_MARGIN)


def sample_for(tenant, population: int) -> int:
    confidence, margin = accuracy(tenant)
    return sample_size(population, confidence, margin)


def published_versions() -> list[QuestionnaireVersion]:
    """The authority's published questionnaire versions, newest first (the tenant scope filters the rows)."""
    return list(db.session.execute(select(QuestionnaireVersion).where(QuestionnaireVersion.status == "published")
                                   .order_by(QuestionnaireVersion.id.desc())).scalars())


def start(tenant, *, version: QuestionnaireVersion, population: int, population_source: str, title: str,
          pain: Pain | None = None, analysis: Analysis | None = None, signal: str | None = None,
          user_id: int | None = None) -> AdditionalCollection:
    """Create the survey for the next quarter and the collection that measures the pain or answers the signal.
    Checks everything before writing anything; the caller commits."""
    from flask_babel import gettext as _

    if version is None or version.status != "published":
        raise Refused("version", _("Choose a published questionnaire of the authority."))
    if population is None or population < 1 or population > MAX_POPULATION:
        raise Refused("population", _("General population: enter a whole number of people from 1 to %(max)s.",
                                      max=MAX_POPULATION))
    population_source = (population_source or "").strip()
    if not population_source:
        raise Refused("population_source", _("Say where the general population comes from (a register, a report, "
                                             "a statistics table)."))
    if pain is None and analysis is None:
        raise Refused("pain", _("An additional collection starts from a signal of an analysis or from a pain."))
    if analysis is not None and (not signal or signal_of(analysis, signal) is None):
        raise Refused("signal", _("The analysis has no such signal."))
    quarter = next_quarter(tenant)
    opens_at, closes_at = quarter.utc_bounds(tenant.tz)
    channels = [c.code for c in tenant_channels(tenant) if c.standard in ("survey_online", "survey_offline")]
    process = pain.process if pain is not None else None
    survey = Survey(questionnaire_version_id=version.id, title=title.strip()[:500] or version.questionnaire.title,
                    object=process.name if process else "", process_id=process.id if process else None,
                    audience=pain.audience if pain is not None else version.questionnaire.audience,
                    segment=(pain.segment if pain is not None else "")[:100], channels=channels,
                    opens_at=opens_at, closes_at=closes_at, status="open")
    db.session.add(survey)
    db.session.flush()
    collection = AdditionalCollection(
        survey_id=survey.id, pain_id=pain.id if pain is not None else None,
        analysis_id=analysis.id if analysis is not None else None, signal_code=signal if analysis else None,
        population=population, population_source=population_source, sample_size=sample_for(tenant, population),
        created_by=user_id)
    db.session.add(collection)
    db.session.flush()
    return collection


@dataclass(frozen=True)
class Progress:
    responses: int
    target: int

    @property
    def percent(self) -> int:
        """Responses as a whole percent of n, capped at 100 for the bar (the count itself is shown as is)."""
        return min(100, self.responses * 100 // self.target) if self.target else 0

    @property
    def reached(self) -> bool:
        return self.responses >= self.target


def progress(collections: list[AdditionalCollection]) -> dict[int, Progress]:
    """Responses so far against n, per collection id: one query for all."""
    ids = [c.survey_id for c in collections]
    counts = dict(db.session.execute(select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
                                     .where(SurveyResponse.survey_id.in_(ids))
                                     .group_by(SurveyResponse.survey_id)).all()) if ids else {}
    return {c.id: Progress(counts.get(c.survey_id, 0), c.sample_size) for c in collections}


def of_pain(pain_id: int) -> list[AdditionalCollection]:
    return list(db.session.execute(select(AdditionalCollection).where(AdditionalCollection.pain_id == pain_id)
                                   .order_by(AdditionalCollection.id)).scalars())


def of_analysis(analysis_id: int) -> dict[str, AdditionalCollection]:
    """The collections answering the analysis's signals, by signal key (the latest one where there are several)."""
    rows = db.session.execute(select(AdditionalCollection).where(AdditionalCollection.analysis_id == analysis_id)
                              .order_by(AdditionalCollection.id)).scalars()
    return {c.signal_code: c for c in rows if c.signal_code}
