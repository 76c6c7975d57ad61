"""What the public side may read of publications: published versions and their history, nothing else.

This module imports only the publication model, so the citizens' pages (`otklik.web.public`) can use it without
reaching any internal model or capability (the import contract "public-side" checks it). It never computes a
figure: a payload is rendered as it was stored.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from ..extensions import db
from ..models.publication import PUBLIC_STATUSES, Publication


def canonical_json(payload) -> bytes:
    """The bytes a payload's SHA-256 is taken of (docs/PUBLISHING.md, "The row")."""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def payload_digest(payload) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def public_versions(tenant, artifact: str, period: str) -> list[Publication]:
    """The versions of one publication the public may open (published, superseded, withdrawn), newest first.

    Drafts, approved, scheduled and rejected versions are not listed: to the public they do not exist (404)."""
    return list(db.session.execute(
        select(Publication).where(Publication.tenant_id == tenant.id, Publication.artifact == artifact,
                                  Publication.period == period, Publication.status.in_(PUBLIC_STATUSES))
        .order_by(Publication.version.desc())
    ).scalars())


def current_version(tenant, artifact: str, period: str) -> Publication | None:
    """The version a citizen reads at the publication's address: the published one, else the newest withdrawn one
    (answered 410 with its notice), else None (404)."""
    versions = public_versions(tenant, artifact, period)
    return next((p for p in versions if p.status == "published"), None) or next(
        (p for p in versions if p.status == "withdrawn"), None)


def public_version(tenant, artifact: str, period: str, version: int) -> Publication | None:
    """One version of the history, or None when it is not public (a draft is 404 to the public)."""
    return next((p for p in public_versions(tenant, artifact, period) if p.version == version), None)


def published(tenant) -> list[Publication]:
    """Every currently published publication of an authority, newest first (the archive and the feed)."""
    return list(db.session.execute(
        select(Publication).where(Publication.tenant_id == tenant.id, Publication.status == "published")
        .order_by(Publication.published_at.desc(), Publication.id.desc())
    ).scalars())


def intact(pub: Publication) -> bool:
    """The stored payload is the one that was approved (its digest matches)."""
    return bool(pub.payload_sha256) and payload_digest(pub.payload) == pub.payload_sha256
