"""Repairing the stored panel aggregates: recompute every one from the sheets, rewrite any that differ."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import NotFound
from scoring.core.permissions.review import can_manage_review
from scoring.store import audit
from scoring.store.models.aggregates import RebuildReport, rebuild

__all__ = ["RebuildReport", "repair"]


def repair(session: Session, *, actor: Actor) -> RebuildReport:
    """Staff and administrators (the command line): one audit event, with the counts and the ids fixed.

    Audited even when nothing differed: the event records that the check was run and what it found.
    """
    if not can_manage_review(actor):
        raise NotFound()
    report = rebuild(session.connection())
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="panel_aggregates.repair",
        entity="panel_aggregates",
        entity_id=None,
        after={
            "checked": report.checked,
            "missing": list(report.missing),
            "different": list(report.different),
            "extra": list(report.extra),
        },
    )
    session.flush()
    return report
