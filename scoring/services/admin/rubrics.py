"""Frozen rubric versions in the database: import a file, freeze the shipped one, read a round's copy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.load import (
    load_rubric,
    rubric_document,
    rubric_from_document,
    rubric_path,
    rubric_version,
    shipped_rubric,
)
from criteria.schema import PURPOSES, Rubric
from scoring.core.actors import Actor
from scoring.core.errors import NotFound
from scoring.core.i18n import msg
from scoring.core.vocabulary import BASE_KINDS, RubricPurpose
from scoring.services.admin.schemas import RubricDocument, RubricSummary
from scoring.store import audit
from scoring.store.models import RubricVersion


def freeze(session: Session, *, actor: Actor, rubric: Rubric, source: str) -> RubricVersion:
    """Store a copy of the rubric under its content hash; the same content is stored once."""
    version = rubric_version(rubric)
    existing = session.scalar(
        select(RubricVersion).where(
            RubricVersion.purpose == rubric.purpose,
            RubricVersion.kind == rubric.kind,
            RubricVersion.version == version,
        )
    )
    if existing is not None:
        return existing
    row = RubricVersion(
        purpose=rubric.purpose,
        kind=rubric.kind,
        version=version,
        title=rubric.title_zh,
        document=rubric_document(rubric),
        source=source,
        imported_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="rubric.import",
        entity="rubric_version",
        entity_id=row.id,
        after={"purpose": row.purpose, "kind": row.kind, "version": version, "source": source},
    )
    return row


def freeze_shipped(
    session: Session, *, actor: Actor, kind: str, purpose: str = "designation"
) -> RubricVersion:
    rubric = shipped_rubric(kind, purpose)
    return freeze(
        session, actor=actor, rubric=rubric, source=f"criteria/rubrics/{rubric_path(kind, purpose).name}"
    )


def import_file(session: Session, *, actor: Actor, path: Path) -> RubricVersion:
    """Validate a rubric file (RubricInvalid lists every problem) and store it as a new version."""
    return freeze(session, actor=actor, rubric=load_rubric(path), source=path.name)


def get_version(
    session: Session, *, kind: str, version: str, purpose: str = RubricPurpose.DESIGNATION
) -> Rubric:
    where = (RubricVersion.purpose == purpose, RubricVersion.kind == kind, RubricVersion.version == version)
    hit = _CACHE.get((purpose, kind, version))
    # Parsed already: only ask that it is stored (the document is not read and decoded again).
    if hit is not None and session.scalar(select(RubricVersion.id).where(*where)) is not None:
        return hit
    row = session.scalar(select(RubricVersion.document).where(*where))
    if row is None:
        raise NotFound(
            msg("Rubric version %(version)s of kind %(kind)s is not stored.", version=version, kind=kind)
        )
    return _parse_cached(purpose, kind, version, row)


def _parse_cached(purpose: str, kind: str, version: str, document: dict[str, Any]) -> Rubric:
    key = (purpose, kind, version)
    hit = _CACHE.get(key)
    if hit is None:
        hit = rubric_from_document(document)
        _CACHE[key] = hit
    return hit


# Versions are content hashes, so a parsed version never goes stale: cache it for the process.
_CACHE: dict[tuple[str, str, str], Rubric] = {}


def current_rubrics() -> list[RubricSummary]:
    """The current (shipped) designation rubric of each kind."""
    out: list[RubricSummary] = []
    for kind in BASE_KINDS:
        rubric = shipped_rubric(kind)
        out.append(
            RubricSummary(
                kind=rubric.kind,
                purpose=rubric.purpose,
                version=rubric_version(rubric),
                title=rubric.title_zh,
                title_en=rubric.title_en,
            )
        )
    return out


def current_document(kind: str, purpose: str = RubricPurpose.DESIGNATION) -> RubricDocument:
    """The current rubric of a kind and purpose as its canonical document."""
    if kind not in BASE_KINDS or purpose not in PURPOSES:
        raise NotFound(msg("There is no rubric of kind %(kind)s.", kind=kind))
    return RubricDocument.model_validate(rubric_document(shipped_rubric(kind, purpose)))
