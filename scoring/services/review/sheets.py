"""Blind online scoring: the no-conflict declaration, autosaved score sheets, submit and reopen.

An expert reads and writes only its own sheets and never another expert's scores or identity;
staff read every sheet. A sheet shows no application material before its declaration is signed.
Reading sheets is in sheet_views.py; the pure rules in scoring.core.sheet_rules.

Over 400 lines: the autosave's two precompiled statements (its measured hot path, bench/sheets.py)
sit beside the declaration, submit and reopen that share their locking and deadline rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from scoring.core.actors import Actor
from scoring.core.deadline_rules import effective_deadline
from scoring.core.errors import (
    DeadlinePassed,
    InvalidTransition,
    NotFound,
    StaleVersion,
    ValidationFailed,
    invalid,
)
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import SHEET_TRANSITIONS, ApplicationStatus, RoundStatus, SheetStatus, transition
from scoring.core.permissions.review import (
    can_manage_review,
    can_read_sheet,
    can_score_sheet,
)
from scoring.core.sheet_rules import (
    SheetRubric,
    missing_scores,
    progress,
    score_text,
    sheet_total,
    validate_scores,
)
from scoring.services.admin import rubrics
from scoring.services.admin.notifications import events as notices
from scoring.services.designation.rounds import format_deadline, msg_stale
from scoring.services.review.panels import move_application, replace_declined
from scoring.services.review.schemas import (
    DeclarationIn,
    ReopenIn,
    SheetUpdate,
    SubmitIn,
)
from scoring.store import audit
from scoring.store.db import commit_before_disk_flush, utcnow
from scoring.store.models import Application, Expert, Organisation, Round, Sheet

# Sheets that still count towards an application's panel (a declined sheet was replaced or is void).
_OPEN_STATUSES = (SheetStatus.ASSIGNED, SheetStatus.DRAFT)


# ---- inputs ------------------------------------------------------------------------------------


# ---- the rubric of a sheet, parsed once per process ---------------------------------------------


_RUBRICS: dict[tuple[str, str], SheetRubric] = {}


def sheet_rubric(session: Session, *, kind: str, version: str) -> SheetRubric:
    """Rubric versions are content hashes and never change: after the first read, no query at all."""
    hit = _RUBRICS.get((kind, version))
    if hit is None:
        rubric = rubrics.get_version(session, kind=kind, version=version)
        indicators = rubric.indicators()
        hit = SheetRubric(
            rubric=rubric,
            expert={i.code: i for i in indicators if i.kind == "expert"},
            data_codes=frozenset(i.code for i in indicators if i.kind != "expert"),
        )
        _RUBRICS[(kind, version)] = hit
    return hit


def rubric_of(session: Session, kind: str, versions: Mapping[str, str]) -> SheetRubric:
    return sheet_rubric(session, kind=kind, version=versions[kind])


# ---- loading and visibility --------------------------------------------------------------------


def _require_own(actor: Actor, expert_user_id: int | None) -> None:
    if not can_score_sheet(actor, sheet_expert_user_id=expert_user_id):
        raise NotFound()


def _require_before_deadline(
    round_deadline: datetime | None, sheet_deadline: datetime | None, reopened_reason: str | None
) -> None:
    # A sheet reopened by staff may be corrected after the deadline: reopening is their exception.
    deadline = effective_deadline(round_deadline, sheet_deadline)
    if deadline is not None and reopened_reason is None and utcnow() >= deadline:
        raise DeadlinePassed(
            msg(
                "The scoring deadline, %(deadline)s, has passed.",
                deadline=format_deadline(deadline),
            )
        )


def _require_scoring_open(
    round_status: str, sheet_deadline: datetime | None, reopened_reason: str | None
) -> None:
    # In 研究决定 the scores are being decided on: only a sheet staff reopened or gave its own time moves.
    if round_status == RoundStatus.REVIEWING:
        return
    if round_status == RoundStatus.DECIDING and (reopened_reason is not None or sheet_deadline is not None):
        return
    raise InvalidTransition(
        msg(
            "Scoring is closed: the round is in “%(state)s”. Ask the city DRC to reopen your sheet.",
            state=Msg(round_status.replace("_", " ")),
        )
    )


@dataclass(frozen=True)
class SheetContext:
    sheet: Sheet
    expert: Expert
    application: Application
    organisation: Organisation
    round: Round


def _load(session: Session, sheet_id: int, *, lock: bool = False) -> SheetContext:
    stmt = (
        select(Sheet, Expert, Application, Organisation, Round)
        .join(Expert, Expert.id == Sheet.expert_id)
        .join(Application, Application.id == Sheet.application_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .join(Round, Round.id == Application.round_id)
        .where(Sheet.id == sheet_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=Sheet).execution_options(populate_existing=True)
    row = session.execute(stmt).one_or_none()
    if row is None:
        raise NotFound()
    return SheetContext(*row)


def load_sheet(session: Session, *, actor: Actor, sheet_id: int, lock: bool = False) -> SheetContext:
    """The sheet for its own expert or for staff; NotFound for everyone else."""
    ctx = _load(session, sheet_id, lock=lock)
    if not can_read_sheet(actor, sheet_expert_user_id=ctx.expert.user_id):
        raise NotFound()
    return ctx


def _load_own(session: Session, *, actor: Actor, sheet_id: int) -> SheetContext:
    ctx = _load(session, sheet_id, lock=True)
    _require_own(actor, ctx.expert.user_id)
    return ctx


def _bump(sheet: Sheet) -> None:
    sheet.version += 1
    sheet.saved_at = utcnow()


def _check_version(sheet: Sheet, version: int | None) -> None:
    if version is not None and version != sheet.version:
        raise StaleVersion(msg_stale(version, sheet.version))


# ---- declaration -------------------------------------------------------------------------------


def declaration_text(application_title: str, organisation_name: str) -> Msg:
    return msg(
        "I declare that I have no conflict of interest with %(applicant)s in reviewing “%(title)s”: "
        "I do not work for it, hold no interest in it, did not help prepare this application, and "
        "I will keep the material and my scores confidential.",
        applicant=organisation_name,
        title=application_title,
    )


def decline_message(replaced: bool) -> Msg:
    if replaced:
        return msg("Your declaration is recorded. A reserve expert will review this application instead.")
    return msg(
        "Your declaration is recorded. No reserve expert without a conflict is left for this application: "
        "the city DRC must extend the panel from the expert pool."
    )


@dataclass(frozen=True)
class DeclarationResult:
    sheet: Sheet
    replaced: bool | None  # None when the expert declared no conflict


def declare(session: Session, *, actor: Actor, sheet_id: int, data: DeclarationIn) -> DeclarationResult:
    """Sign the no-conflict declaration (→ draft), or declare a conflict (→ declined, reserve called)."""
    ctx = _load_own(session, actor=actor, sheet_id=sheet_id)
    sheet = ctx.sheet
    action = "declare" if data.no_conflict else "decline"
    nxt = transition(SHEET_TRANSITIONS, sheet.status, action)
    if not data.no_conflict and not data.reason:
        raise invalid("reason", msg("is required when you declare a conflict of interest"))
    if data.no_conflict:  # declining stays possible after the deadline: it frees the seat for a reserve
        _require_scoring_open(ctx.round.status, sheet.deadline, sheet.reopened_reason)
        _require_before_deadline(ctx.round.scoring_deadline, sheet.deadline, sheet.reopened_reason)
    before = {"status": sheet.status}
    sheet.status = nxt
    sheet.declared_at = utcnow()
    sheet.version += 1
    after: dict[str, Any] = {"status": nxt, "version": sheet.version}
    replaced: bool | None = None
    if not data.no_conflict:
        sheet.conflict_reason = data.reason
        session.flush()
        replacement = replace_declined(session, sheet=sheet, application=ctx.application)
        replaced = replacement is not None
        after["replacement"] = (
            {"sheet_id": replacement.id, "expert_id": replacement.expert_id} if replacement else None
        )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"sheet.{action}",
        entity="sheet",
        entity_id=sheet.id,
        before=before,
        after=after,
        reason=data.reason or None,
    )
    if replaced is False:
        # The other experts may all have submitted already: then this application is scored.
        _complete_if_all_submitted(session, actor=actor, application_id=ctx.application.id)
    return DeclarationResult(sheet=sheet, replaced=replaced)


# ---- autosave ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SavedSheet:
    id: int
    status: str
    version: int
    scores: dict[str, str]
    comments: str
    total: Decimal | None
    progress: str
    saved_at: datetime | None
    changed: bool


# Autosave's two statements, built once: constructing them is a good part of a save's cost.
_SAVE_READ = (
    select(
        Sheet.status,
        Sheet.version,
        Sheet.scores,
        Sheet.comments,
        Sheet.total,
        Sheet.saved_at,
        Sheet.reopened_reason,
        Expert.user_id,
        Application.kind,
        Round.rubric_versions,
        Round.scoring_deadline,
        Round.status.label("round_status"),
        Sheet.deadline,
    )
    .join(Expert, Expert.id == Sheet.expert_id)
    .join(Application, Application.id == Sheet.application_id)
    .join(Round, Round.id == Application.round_id)
    .where(Sheet.id == bindparam("sheet_id"))
)
_SHEETS = cast(Table, Sheet.__table__)
_SAVE_WRITE = (
    update(_SHEETS)
    .where(
        _SHEETS.c.id == bindparam("sheet_id"),
        _SHEETS.c.version == bindparam("read_version"),
        _SHEETS.c.status == SheetStatus.DRAFT,
    )
    .values(
        scores=bindparam("new_scores", type_=_SHEETS.c.scores.type),
        comments=bindparam("new_comments"),
        total=bindparam("new_total", type_=_SHEETS.c.total.type),
        saved_at=bindparam("new_saved_at", type_=_SHEETS.c.saved_at.type),
        version=bindparam("new_version"),
    )
)


def save_sheet(session: Session, *, actor: Actor, sheet_id: int, data: SheetUpdate) -> SavedSheet:
    """Autosave a draft: one read, one UPDATE guarded by the version, one audit event.

    Idempotent: a body equal to what is stored changes nothing (no new version, no event), so a
    retried autosave succeeds. Anything else with a stale version is refused with nothing changed.
    """
    # The hottest write: its read and update go straight to the connection (pending ORM changes
    # written first, as autoflush would), without the ORM session's per-statement work.
    session.flush()
    conn = session.connection()
    row = conn.execute(_SAVE_READ, {"sheet_id": sheet_id}).one_or_none()
    if row is None:
        raise NotFound()
    _require_own(actor, row.user_id)
    transition(SHEET_TRANSITIONS, row.status, "save")
    info = rubric_of(session, row.kind, row.rubric_versions)
    parsed = validate_scores(info, data.scores)
    scores = {code: score_text(parsed[code]) for code in info.expert if code in parsed}
    comments = row.comments if data.comments is None else data.comments
    if scores == row.scores and comments == row.comments:
        return SavedSheet(
            sheet_id, row.status, row.version, scores, comments, row.total, progress(info, scores),
            row.saved_at, changed=False,
        )  # fmt: skip
    if data.version != row.version:
        raise StaleVersion(msg_stale(data.version, row.version))
    _require_scoring_open(row.round_status, row.deadline, row.reopened_reason)
    _require_before_deadline(row.scoring_deadline, row.deadline, row.reopened_reason)
    total = sheet_total(info, scores)
    now = utcnow()
    result = conn.execute(
        _SAVE_WRITE,
        {
            "sheet_id": sheet_id,
            "read_version": data.version,
            "new_scores": scores,
            "new_comments": comments,
            "new_total": total,
            "new_saved_at": now,
            "new_version": data.version + 1,
        },
    )
    if result.rowcount != 1:
        current = session.scalar(select(Sheet.version).where(Sheet.id == sheet_id))
        raise StaleVersion(msg_stale(data.version, current if current is not None else data.version))
    cached = session.identity_map.get(identity_key(Sheet, sheet_id))
    if cached is not None:
        session.expire(cached)
    before: dict[str, Any] = {"version": row.version, "scores": row.scores, "total": row.total}
    after: dict[str, Any] = {"version": data.version + 1, "scores": scores, "total": total}
    if comments != row.comments:
        before["comments"], after["comments"] = row.comments, comments
    audit.record(
        session,
        actor=actor,
        action="sheet.save",
        entity="sheet",
        entity_id=sheet_id,
        before=before,
        after=after,
    )
    return SavedSheet(
        sheet_id,
        "draft",
        data.version + 1,
        scores,
        comments,
        total,
        progress(info, scores),
        now,
        changed=True,
    )


def drafts_only(session: Session) -> None:
    """Declare that the session's transaction holds draft autosaves and nothing else, so its commit
    need not wait for the disk flush (see store.db.commit_before_disk_flush). Only the caller that
    owns the transaction knows its extent: the autosave endpoint, just before it commits."""
    commit_before_disk_flush(session.connection())


# ---- submit and reopen -------------------------------------------------------------------------


def submit(session: Session, *, actor: Actor, sheet_id: int, data: SubmitIn | None = None) -> Sheet:
    """Lock a complete sheet; the last open sheet of an application moves it to scored."""
    ctx = _load_own(session, actor=actor, sheet_id=sheet_id)
    sheet = ctx.sheet
    nxt = transition(SHEET_TRANSITIONS, sheet.status, "submit")
    _check_version(sheet, data.version if data else None)
    info = rubric_of(session, ctx.application.kind, ctx.round.rubric_versions)
    missing = missing_scores(info, sheet.scores)
    if missing:
        raise ValidationFailed(
            msg(
                "Score every indicator before submitting: %(count)s of %(total)s are not scored yet.",
                count=len(missing),
                total=info.expert_count,
            ),
            fields={f"scores.{code}": msg("is not scored yet") for code in missing},
            code="sheet_incomplete",
        )
    _require_scoring_open(ctx.round.status, sheet.deadline, sheet.reopened_reason)
    _require_before_deadline(ctx.round.scoring_deadline, sheet.deadline, sheet.reopened_reason)
    sheet.status = nxt
    sheet.submitted_at = utcnow()
    _bump(sheet)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sheet.submit",
        entity="sheet",
        entity_id=sheet.id,
        before={"status": "draft"},
        after={"status": nxt, "version": sheet.version, "total": sheet.total, "scores": sheet.scores},
    )
    _complete_if_all_submitted(session, actor=actor, application_id=ctx.application.id)
    return sheet


def _lock_application(session: Session, application_id: int) -> Application:
    app = session.scalar(
        select(Application)
        .where(Application.id == application_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert app is not None  # foreign key
    return app


def _complete_if_all_submitted(session: Session, *, actor: Actor, application_id: int) -> None:
    # Lock the application first: two experts submitting its last two sheets at once then queue
    # here, and the second one counts after the first has committed (no missed transition).
    app = _lock_application(session, application_id)
    if app.status != "under_review":
        return
    open_sheets = session.scalar(
        select(func.count())
        .select_from(Sheet)
        .where(Sheet.application_id == application_id, Sheet.status.in_(_OPEN_STATUSES))
    )
    submitted = session.scalar(
        select(func.count())
        .select_from(Sheet)
        .where(Sheet.application_id == application_id, Sheet.status == SheetStatus.SUBMITTED)
    )
    if open_sheets == 0 and submitted:
        move_application(session, actor=actor, app=app, action="complete_scoring", reason=None)


def reopen(session: Session, *, actor: Actor, sheet_id: int, data: ReopenIn) -> Sheet:
    """Staff send a submitted sheet back to its expert, with a recorded reason."""
    if not can_manage_review(actor):
        raise NotFound()
    ctx = _load(session, sheet_id, lock=True)
    sheet = ctx.sheet
    nxt = transition(SHEET_TRANSITIONS, sheet.status, "reopen")
    if not data.reason:
        raise invalid("reason", msg("is required to reopen a submitted sheet"))
    _check_version(sheet, data.version)
    app = _lock_application(session, ctx.application.id)
    if app.status not in (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.SCORED):
        raise InvalidTransition(
            msg(
                "The application has moved on to “%(state)s”: its sheets can no longer be reopened.",
                state=Msg(app.status.replace("_", " ")),
            )
        )
    sheet.status = nxt
    sheet.submitted_at = None
    sheet.reopened_reason = data.reason
    _bump(sheet)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sheet.reopen",
        entity="sheet",
        entity_id=sheet.id,
        before={"status": "submitted"},
        after={"status": nxt, "version": sheet.version},
        reason=data.reason,
    )
    notices.sheet_reopened(session, sheet, data.reason)
    if app.status == ApplicationStatus.SCORED:
        move_application(session, actor=actor, app=app, action="reopen_sheet", reason=data.reason)
    return sheet
