"""What stops a round from ending cleanly: sheets still missing, applications unscored or undecided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.deadline_rules import effective_deadline
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import ApplicationStatus, SheetStatus
from scoring.store.models import Application, Expert, Round, Sheet

A = ApplicationStatus
OPEN_SHEETS = (SheetStatus.ASSIGNED, SheetStatus.DRAFT)
# Before a decision an application must be scored; accepted ones were never put before a panel.
UNSCORED = (A.ACCEPTED, A.UNDER_REVIEW)


@dataclass(frozen=True)
class MissingSheet:
    sheet_id: int
    application_id: int
    application_title: str
    expert_id: int
    expert_name: str
    status: str
    deadline: datetime | None


def missing_sheets(session: Session, rnd: Round) -> list[MissingSheet]:
    """Sheets of the round's applications under review that are not submitted (nor declined)."""
    rows = session.execute(
        select(Sheet, Application.title, Expert.name)
        .join(Application, Application.id == Sheet.application_id)
        .join(Expert, Expert.id == Sheet.expert_id)
        .where(Application.round_id == rnd.id, Sheet.status.in_(OPEN_SHEETS))
        .order_by(Sheet.application_id, Sheet.id)
    )
    return [
        MissingSheet(
            sheet_id=sheet.id,
            application_id=sheet.application_id,
            application_title=title,
            expert_id=sheet.expert_id,
            expert_name=name,
            status=sheet.status,
            deadline=effective_deadline(rnd.scoring_deadline, sheet.deadline),
        )
        for sheet, title, name in rows
    ]


def unscored_applications(session: Session, round_id: int) -> list[tuple[int, str, str]]:
    """(id, title, status) of the round's applications past the formal check but not scored yet."""
    return [
        (i, t, s)
        for i, t, s in session.execute(
            select(Application.id, Application.title, Application.status)
            .where(Application.round_id == round_id, Application.status.in_(UNSCORED))
            .order_by(Application.id)
        )
    ]


def deciding_blockers(session: Session, rnd: Round, reason: str | None) -> dict[str, Msg]:
    """Problems of moving to 研究决定: missing sheets need a recorded reason, listed by field."""
    missing = missing_sheets(session, rnd)
    if not missing or (reason or "").strip():
        return {}
    fields: dict[str, Msg] = {
        f"sheets.{m.sheet_id}": msg(
            "%(expert)s has not submitted the sheet for “%(title)s”",
            expert=m.expert_name,
            title=m.application_title,
        )
        for m in missing
    }
    fields["reason"] = msg(
        "is required to start deciding while %(count)s sheet(s) are missing", count=len(missing)
    )
    return fields
