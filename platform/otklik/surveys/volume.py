"""Answers in a period, for the scheduler's `month_or_quarter` rule (Nenets 6: monthly to quarterly by volume)."""

from __future__ import annotations

from sqlalchemy import func, select

from ..capabilities import add_tick_duty
from ..extensions import db
from ..models.survey import SurveyResponse
from ..tenancy import across_tenants
from ..vocabulary import AUDIENCE_OF_KIND


def answers_in_period(tenant, kind: str, period) -> int:
    """Responses of the tenant's `kind` audience submitted within the period's UTC bounds (tenant time zone)."""
    audience = AUDIENCE_OF_KIND.get(kind)
    if audience is None:
        return 0
    start, end = period.utc_bounds(tenant.tz)
    stmt = select(func.count(SurveyResponse.id)).where(
        SurveyResponse.tenant_id == tenant.id,
        SurveyResponse.audience == audience,
        SurveyResponse.submitted_at >= start,
        SurveyResponse.submitted_at < end,
    )
    # Filtered on tenant_id explicitly, so it also answers outside a tenant scope.
    return int(db.session.execute(across_tenants(stmt)).scalar_one())


add_tick_duty("surveys.volume", volume=answers_in_period)
