"""What the staff ranking page shows under each row besides the scores: the decisions taken on it with
their reasons, the panel's discussion outcomes, and the robustness verdict of rows near a line."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from scoring.services.review.ranking import KindRanking
from scoring.services.review.results_discussions import DiscussionOut, discussions_of
from scoring.services.review.results_reasons import decision_records, record_out
from scoring.services.review.results_robustness import assess_ranking, expert_names, render_verdict
from scoring.services.review.results_schemas import DecisionRecordOut


@dataclass
class RowNotes:
    decisions: list[DecisionRecordOut] = field(default_factory=list)
    discussions: list[DiscussionOut] = field(default_factory=list)
    robust: bool | None = None  # None: not near a line, no verdict
    verdict: str | None = None  # 稳健, or 敏感 with every scenario that moves the place, in words


def ranking_notes(session: Session, ranking: KindRanking, locale: str) -> dict[int, RowNotes]:
    """Notes by application id, only for rows that have any (callers have checked the actor is staff)."""
    ids = [r.application_id for r in ranking.rows]
    records = decision_records(
        session, round_id=ranking.round_id, application_ids=ids, tied_ids=ranking.tied_ids
    )
    talks = discussions_of(session, round_id=ranking.round_id, locale=locale)
    verdicts = assess_ranking(session, ranking)
    names = expert_names(session, verdicts)
    out: dict[int, RowNotes] = {}
    for app_id in ids:
        notes = RowNotes(
            decisions=[record_out(r, with_names=True) for r in records.get(app_id, [])],
            discussions=talks.get(app_id, []),
        )
        verdict = verdicts.get(app_id)
        if verdict is not None:
            notes.robust = verdict.robust
            notes.verdict = render_verdict(verdict, names, locale)
        if notes.decisions or notes.discussions or notes.verdict is not None:
            out[app_id] = notes
    return out
