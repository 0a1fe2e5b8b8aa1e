"""Panel discussions: for an outlier sheet, or an application whose sheets spread more than the round's
threshold, staff record the panel's outcome — the score kept with a reason, or the sheet reopened for its
expert with a reason. They appear in the staff page, the API, the exports and the review report."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import Conflict, NotFound, invalid
from scoring.core.i18n import Msg, msg
from scoring.core.permissions.review import can_manage_review
from scoring.core.schema import Schema
from scoring.core.vocabulary import DiscussionOutcome
from scoring.services.review import ranking as ranking_service
from scoring.services.review import sheets as sheet_service
from scoring.services.review.results_reasons import beijing
from scoring.services.review.schemas import REASON_MAX, ReadModel, ReopenIn
from scoring.store import audit
from scoring.store.models import Application, PanelDiscussion, Round, User

OUTCOMES: dict[str, Msg] = {
    DiscussionOutcome.KEPT: msg("score kept"),
    DiscussionOutcome.REOPENED: msg("sheet reopened for its expert"),
}


class DiscussionIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    outcome: DiscussionOutcome
    sheet_id: int | None = None  # the outlier sheet discussed; required to reopen
    reason: Annotated[str, Field(max_length=REASON_MAX)] = ""


class DiscussionOut(ReadModel):
    id: int
    application_id: int
    sheet_id: int | None
    outcome: str
    outcome_text: str
    reason: str
    by: str | None
    at: str | None  # Beijing time


def record_discussion(
    session: Session, *, actor: Actor, application_id: int, data: DiscussionIn, locale: str = "zh_CN"
) -> DiscussionOut:
    """Record the panel's outcome; reopening also sends the sheet back to its expert (one event each)."""
    if not can_manage_review(actor):
        raise NotFound()
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound()
    rnd = session.get(Round, app.round_id)
    assert rnd is not None  # applications reference rounds by foreign key
    if not data.reason:
        raise invalid("reason", msg("is required: the panel's reason is what the record is for"))
    row = ranking_service.compute_ranking(session, rnd, app.kind).row(app.id)
    sheet_ids = {sid for sid, _ in row.totals} if row is not None else set()
    large_spread = row is not None and row.spread is not None and row.spread > rnd.outlier_threshold
    if row is None or not (row.outliers or large_spread):
        raise Conflict(
            msg("This application has no outlier sheet and no large spread: there is nothing to discuss."),
            code="nothing_to_discuss",
        )
    if data.sheet_id is not None and data.sheet_id not in sheet_ids:
        raise invalid("sheet_id", msg("is not a submitted sheet of this application"))
    if data.outcome == DiscussionOutcome.REOPENED:
        if data.sheet_id is None:
            raise invalid("sheet_id", msg("is required to reopen a sheet"))
        sheet_service.reopen(session, actor=actor, sheet_id=data.sheet_id, data=ReopenIn(reason=data.reason))
    record = PanelDiscussion(
        round_id=rnd.id,
        application_id=app.id,
        sheet_id=data.sheet_id,
        outcome=data.outcome,
        reason=data.reason,
        recorded_by_id=actor.user_id,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="panel.discussion",
        entity="application",
        entity_id=app.id,
        after={"discussion_id": record.id, "sheet_id": data.sheet_id, "outcome": data.outcome},
        reason=data.reason,
    )
    return discussion_out(session, record, locale)


def discussion_out(session: Session, record: PanelDiscussion, locale: str) -> DiscussionOut:
    by = session.get(User, record.recorded_by_id) if record.recorded_by_id is not None else None
    return DiscussionOut(
        id=record.id,
        application_id=record.application_id,
        sheet_id=record.sheet_id,
        outcome=record.outcome,
        outcome_text=OUTCOMES[record.outcome].render(locale),
        reason=record.reason,
        by=by.display_name if by else None,
        at=beijing(record.recorded_at),
    )


def discussions_of(
    session: Session, *, round_id: int, locale: str = "zh_CN"
) -> dict[int, list[DiscussionOut]]:
    """The round's discussions by application, oldest first."""
    out: dict[int, list[DiscussionOut]] = {}
    query = select(PanelDiscussion).where(PanelDiscussion.round_id == round_id).order_by(PanelDiscussion.id)
    for record in session.scalars(query):
        out.setdefault(record.application_id, []).append(discussion_out(session, record, locale))
    return out


def list_discussions(session: Session, *, actor: Actor, round_id: int, locale: str) -> list[DiscussionOut]:
    if not can_manage_review(actor):
        raise NotFound()
    ranking_service.load_round(session, round_id)
    return [d for ds in discussions_of(session, round_id=round_id, locale=locale).values() for d in ds]
