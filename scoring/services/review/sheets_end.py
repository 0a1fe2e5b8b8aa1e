"""The end of scoring: staff extend a deadline, replace a no-show from the reserves, see what is missing.

A round can always be finished: an expert who never scores is replaced after the deadline (from the
reserves, or by one more expert drawn from the pool), and the replacement gets its own deadline.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.deadline_rules import effective_deadline, extension_problems
from scoring.core.draw import conflict_reasons
from scoring.core.errors import Conflict, InvalidTransition, NotFound, StaleVersion, ValidationFailed, invalid
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import SHEET_TRANSITIONS, RoundStatus, SheetStatus, transition
from scoring.core.permissions.review import can_manage_review
from scoring.core.round_rules import format_deadline
from scoring.services.admin.notifications import events as notices
from scoring.services.designation.round_end import OPEN_SHEETS, missing_sheets, unscored_applications
from scoring.services.designation.rounds import get_round_for_update, msg_stale
from scoring.services.review.panels import (
    SEED_BITS,
    _draw_application,
    _fill,
    _note_replacements,
    eligible_pool,
)
from scoring.services.review.sheets_end_schemas import (
    DeadlineExtensionIn,
    DeadlineOut,
    MissingSheetOut,
    ReplaceIn,
    ReplacementOut,
    RoundEndOut,
)
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import Application, Organisation, Panel, PanelMember, Round, Sheet

# Scoring time is given while panels score, and in 研究决定 to the sheets staff let back in.
_TIMED = (RoundStatus.REVIEWING, RoundStatus.DECIDING)


def _require_timed(rnd: Round) -> None:
    if rnd.status not in _TIMED:
        raise InvalidTransition(
            msg(
                "Scoring deadlines change only in review or deciding; the round is now “%(state)s”.",
                state=Msg(rnd.status.replace("_", " ")),
            )
        )


def extend_deadline(
    session: Session, *, actor: Actor, round_id: int, data: DeadlineExtensionIn
) -> DeadlineOut:
    """A later scoring deadline for the round, or for one expert's open sheets of the round, with a reason."""
    if not can_manage_review(actor):
        raise NotFound()
    rnd = get_round_for_update(session, round_id=round_id)
    _require_timed(rnd)
    now = utcnow()
    if data.expert_id is None:
        current = rnd.scoring_deadline
        sheets: list[Sheet] = []
    else:
        sheets = list(
            session.scalars(
                select(Sheet)
                .join(Application, Application.id == Sheet.application_id)
                .where(
                    Application.round_id == rnd.id,
                    Sheet.expert_id == data.expert_id,
                    Sheet.status.in_(OPEN_SHEETS),
                )
                .order_by(Sheet.id)
                .with_for_update(of=Sheet)
            )
        )
        if not sheets:
            raise invalid("expert_id", msg("has no sheet left to score in this round"))
        dues = [effective_deadline(rnd.scoring_deadline, s.deadline) for s in sheets]
        current = max((d for d in dues if d is not None), default=None)
    problems = extension_problems(new=data.deadline, current=current, now=now, reason=data.reason)
    if problems:
        raise ValidationFailed(fields=problems)
    if data.expert_id is None:
        rnd.scoring_deadline = data.deadline
        rnd.version += 1
    for sheet in sheets:
        sheet.deadline = data.deadline
        sheet.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.extend_scoring_deadline",
        entity="round",
        entity_id=rnd.id,
        before={"deadline": current, "expert_id": data.expert_id},
        after={"deadline": data.deadline, "expert_id": data.expert_id, "sheet_ids": [s.id for s in sheets]},
        reason=data.reason,
    )
    notices.scoring_deadline_extended(session, rnd, sheets, data.reason)
    return DeadlineOut(
        round_id=rnd.id,
        expert_id=data.expert_id,
        deadline=data.deadline,
        previous=current,
        sheet_ids=[s.id for s in sheets],
    )


def _draw_one_more(session: Session, *, panel: Panel, application: Application, seed: int) -> int | None:
    """One active pool expert not on the panel and without a conflict, at random from the seed."""
    on_panel = set(session.scalars(select(PanelMember.expert_id).where(PanelMember.panel_id == panel.id)))
    org = session.get(Organisation, application.organisation_id)
    target = _draw_application(application.id, application.organisation_id, org.district if org else None)
    candidates = [
        e for e in eligible_pool(session)
        if e.expert_id not in on_panel and not conflict_reasons(e, target, kind=panel.kind)
    ]  # fmt: skip
    if not candidates:
        return None
    return random.Random(seed).choice(candidates).expert_id


def replace_expert(session: Session, *, actor: Actor, sheet_id: int, data: ReplaceIn) -> ReplacementOut:
    """Void the sheet of an expert who missed the deadline; a reserve (or one drawn now) takes it."""
    if not can_manage_review(actor):
        raise NotFound()
    sheet = session.scalar(
        select(Sheet).where(Sheet.id == sheet_id).with_for_update().execution_options(populate_existing=True)
    )
    if sheet is None:
        raise NotFound()
    app = session.scalar(
        select(Application)
        .where(Application.id == sheet.application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert app is not None  # foreign key
    rnd = get_round_for_update(session, round_id=app.round_id)
    if sheet.status == SheetStatus.SUBMITTED:
        raise Conflict(
            msg("This expert has submitted the sheet: a submitted sheet is never replaced."),
            code="sheet_submitted",
        )
    was = sheet.status
    nxt = transition(SHEET_TRANSITIONS, sheet.status, "replace")
    if data.version is not None and data.version != sheet.version:
        raise StaleVersion(msg_stale(data.version, sheet.version))
    _require_timed(rnd)
    now = utcnow()
    due = effective_deadline(rnd.scoring_deadline, sheet.deadline)
    if due is not None and now < due:
        raise Conflict(
            msg(
                "The expert still has until %(deadline)s: replace only after the deadline.",
                deadline=format_deadline(due),
            ),
            code="deadline_not_passed",
        )
    problems: dict[str, Msg] = {}
    if not data.reason:
        problems["reason"] = msg("is required to replace an expert")
    if data.deadline <= now:
        problems["deadline"] = msg("must be in the future")
    if problems:
        raise ValidationFailed(fields=problems)
    panel = session.scalar(
        select(Panel)
        .where(Panel.id == sheet.panel_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert panel is not None  # foreign key
    seed: int | None = None
    drawn_expert: int | None = None
    if data.draw_more:
        seed = secrets.randbits(SEED_BITS)
        drawn_expert = _draw_one_more(session, panel=panel, application=app, seed=seed)
        if drawn_expert is None:
            raise Conflict(
                msg("No active pool expert without a conflict is left to draw for this application."),
                code="pool_too_small",
            )
    # The no-show's seat is freed first, so that the fill counts it as missing.
    sheet.status = nxt
    sheet.version += 1
    if drawn_expert is not None:
        last = max(session.scalars(select(PanelMember.position).where(PanelMember.panel_id == panel.id)))
        session.add(
            PanelMember(panel_id=panel.id, expert_id=drawn_expert, position=last + 1, is_reserve=True)
        )
        panel.reserves += 1
        session.flush()
    added = _fill(session, panel=panel, application=app, wanted=1)
    if not added:
        raise Conflict(
            msg("No reserve expert without a conflict is left for this application: draw one from the pool."),
            fields={"draw_more": msg("must be chosen: the reserves are used up")},
            code="no_reserve_left",
        )
    new = added[0]
    new.deadline = data.deadline
    entry: dict[str, Any] = {
        "application_id": app.id,
        "replaced_sheet_id": sheet.id,
        "replaced_expert_id": sheet.expert_id,
        "expert_id": new.expert_id,
        "sheet_id": new.id,
        "reason": data.reason,
        "seed": seed,
        "at": now.isoformat(),
    }
    _note_replacements(panel, [entry])
    notices.sheets_assigned(session, [new])
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sheet.replace",
        entity="sheet",
        entity_id=sheet.id,
        before={"status": was, "deadline": due},
        after={
            "status": sheet.status,
            "replacement": {"sheet_id": new.id, "expert_id": new.expert_id, "deadline": data.deadline},
            "drawn": drawn_expert is not None,
            "seed": seed,
        },
        reason=data.reason,
    )
    return ReplacementOut(
        replaced_sheet_id=sheet.id,
        replaced_expert_id=sheet.expert_id,
        sheet_id=new.id,
        expert_id=new.expert_id,
        deadline=data.deadline,
        drawn=drawn_expert is not None,
        seed=seed,
    )


def round_end(session: Session, *, actor: Actor, round_id: int) -> RoundEndOut:
    """The sheets still missing (overdue or not) and the applications not scored yet, for staff."""
    if not can_manage_review(actor):
        raise NotFound()
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise NotFound()
    now = utcnow()
    return RoundEndOut(
        round_id=rnd.id,
        status=rnd.status,
        scoring_deadline=rnd.scoring_deadline,
        missing_sheets=[
            MissingSheetOut(
                sheet_id=m.sheet_id,
                application_id=m.application_id,
                application_title=m.application_title,
                expert_id=m.expert_id,
                expert_name=m.expert_name,
                status=m.status,
                deadline=m.deadline,
                overdue=m.deadline is not None and now >= m.deadline,
            )
            for m in missing_sheets(session, rnd)
        ],
        unscored_applications=[i for i, _, _ in unscored_applications(session, rnd.id)],
    )
