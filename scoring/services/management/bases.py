"""Designated bases after publication: reading them, their history and yearly figures, and the
staff decisions of dynamic management — rectification orders, restoration, and four-eyes revocation.

Nothing here changes a base on its own: every status change is a staff action checked against
BASE_TRANSITIONS and the facts it rests on (a failed evaluation, a failed re-evaluation).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core import permissions
from scoring.core.actors import Actor, Role
from scoring.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed, invalid
from scoring.core.figures import effective_figures
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import BASE_TRANSITIONS, transition
from scoring.core.scores import InvalidValue, parse_figure
from scoring.services.admin.notifications import events as notices
from scoring.services.admin.rubrics import freeze_shipped, get_version
from scoring.services.designation.applications import attachment_out
from scoring.services.review.publication import china_today
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import (
    Application,
    Attachment,
    BaseEvent,
    BaseYearFigures,
    DesignatedBase,
    Evaluation,
    Rectification,
    Revocation,
    Round,
)

RECTIFICATION_MONTHS = 6  # DOMAIN.md §6 default
TEXT_MAX = 4000
DOCUMENT_NO_MAX = 100
BASE_STATUSES = ("active", "rectifying", "revoked")


# ---- inputs -----------------------------------------------------------------------------------


class FiguresIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Annotated[int, Field(ge=2000, le=2100)]
    figures: dict[str, Any]


class RectificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reasons: Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]
    deadline: date | None = None  # default: six months from today


class RestoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(max_length=TEXT_MAX)] | None = None


class RevocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]


class RevocationConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    document_no: Annotated[str, Field(min_length=1, max_length=DOCUMENT_NO_MAX)]
    decided_on: date


# ---- helpers ----------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 August + 6 months = 28/29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise NotFound()


def get_base(session: Session, *, actor: Actor, base_id: int, for_update: bool = False) -> DesignatedBase:
    """A base its caller may see (staff, or an applicant of its organisation); others get 404."""
    stmt = select(DesignatedBase).where(DesignatedBase.id == base_id)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    base = session.scalar(stmt)
    if base is None or not permissions.can_see_base(actor, organisation_id=base.organisation_id):
        raise NotFound()
    return base


def add_event(session: Session, base: DesignatedBase, event: str, actor: Actor, **detail: Any) -> None:
    session.add(
        BaseEvent(base_id=base.id, event=event, detail=audit.jsonable(detail), actor_id=actor.user_id)
    )


def performance_rubric(session: Session, kind: str, version: str | None = None) -> Rubric:
    """The frozen performance rubric of a kind (the shipped one is frozen on first use)."""
    if version is None:
        from scoring.core.actors import SYSTEM

        version = freeze_shipped(session, actor=SYSTEM, kind=kind, purpose="performance").version
    return get_version(session, kind=kind, version=version, purpose="performance")


def base_out(base: DesignatedBase) -> dict[str, Any]:
    return {
        "id": base.id,
        "name": base.name,
        "kind": base.kind,
        "district": base.district,
        "organisation_id": base.organisation_id,
        "round_id": base.round_id,
        "status": base.status,
        "designated_on": base.designated_on.isoformat(),
        "document_no": base.document_no,
        "promotion_marked": base.promotion_marked,
        "revoked_on": base.revoked_on.isoformat() if base.revoked_on else None,
        "revocation_document_no": base.revocation_document_no,
        "version": base.version,
    }


def list_bases(
    session: Session, *, actor: Actor, status: str | None = None, kind: str | None = None
) -> list[DesignatedBase]:
    """Staff: every base; an applicant: its organisation's bases; anyone else: none."""
    stmt = select(DesignatedBase).order_by(DesignatedBase.id)
    if not actor.is_staff:
        if actor.role is not Role.APPLICANT or actor.organisation_id is None:
            raise NotFound()
        stmt = stmt.where(DesignatedBase.organisation_id == actor.organisation_id)
    if status is not None:
        stmt = stmt.where(DesignatedBase.status == status)
    if kind is not None:
        stmt = stmt.where(DesignatedBase.kind == kind)
    return list(session.scalars(stmt))


# ---- detail: history, rectifications, revocation, outcomes ------------------------------------


def base_detail(session: Session, *, actor: Actor, base_id: int) -> dict[str, Any]:
    """The base with its history; staff also see who evaluated and each evaluator's score, the base
    itself only the outcome of each evaluation (grade and mean total)."""
    from scoring.services.management import evaluations

    base = get_base(session, actor=actor, base_id=base_id)
    events = session.scalars(select(BaseEvent).where(BaseEvent.base_id == base.id).order_by(BaseEvent.id))
    rectifications = session.scalars(
        select(Rectification).where(Rectification.base_id == base.id).order_by(Rectification.id)
    )
    revocation = session.scalar(
        select(Revocation).where(Revocation.base_id == base.id).order_by(Revocation.id.desc()).limit(1)
    )
    out = base_out(base)
    out["history"] = [
        {"at": e.at.isoformat(), "event": e.event, "detail": _public_detail(e.detail, actor)} for e in events
    ]
    out["rectifications"] = [rectification_out(r) for r in rectifications]
    out["revocation"] = revocation_out(revocation, actor) if revocation else None
    out["outcomes"] = evaluations.outcomes_out(session, base, actor=actor)
    out["figures_by_year"] = year_on_year(session, base)
    out["evidence"] = [evidence_out(a) for a in base_evidence(session, base.id)]
    if actor.is_staff:
        out["evaluations"] = evaluations.staff_rows(session, base.id)
    return out


def _public_detail(detail: dict[str, Any], actor: Actor) -> dict[str, Any]:
    if actor.is_staff:
        return detail
    return {k: v for k, v in detail.items() if k not in ("evaluator_ids", "actor_name")}


def rectification_out(r: Rectification) -> dict[str, Any]:
    return {
        "id": r.id,
        "evaluation_id": r.evaluation_id,
        "reasons": r.reasons,
        "deadline": r.deadline.isoformat(),
        "status": r.status,
        "brought_forward_reason": r.brought_forward_reason,
        "issued_at": r.issued_at.isoformat(),
    }


def revocation_out(r: Revocation, actor: Actor) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": r.id,
        "status": r.status,
        "reason": r.reason,
        "proposed_at": r.proposed_at.isoformat(),
        "document_no": r.document_no,
        "decided_on": r.decided_on.isoformat() if r.decided_on else None,
    }
    if actor.is_staff:
        out["proposed_by_id"] = r.proposed_by_id
        out["confirmed_by_id"] = r.confirmed_by_id
    return out


# ---- figures by year --------------------------------------------------------------------------


def declare_figures(session: Session, *, actor: Actor, base_id: int, data: FiguresIn) -> dict[str, Any]:
    """The base (its applicant account) or staff declare a year's figures; a replay changes nothing."""
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    if not (actor.is_staff or actor.role is Role.APPLICANT):
        raise NotFound()
    if base.status == "revoked":
        raise InvalidTransition(msg("The title of this base has been revoked."))
    if data.year > china_today().year:
        raise invalid("year", msg("must not be in the future"))
    rubric = performance_rubric(session, base.kind)
    declared = {f.code: f for f in rubric.figures}
    problems: dict[str, Msg] = {}
    parsed: dict[str, str] = {}
    for code, raw in data.figures.items():
        figure = declared.get(code)
        if figure is None:
            problems[f"figures.{code}"] = msg("is not a figure of this kind of base")
            continue
        try:
            parsed[code] = _plain(parse_figure(figure, raw))
        except InvalidValue as exc:
            problems[f"figures.{code}"] = exc.rule
    if not data.figures:
        problems["figures"] = msg("must declare at least one figure")
    if problems:
        raise ValidationFailed(fields=problems)
    row = session.scalar(
        select(BaseYearFigures).where(BaseYearFigures.base_id == base.id, BaseYearFigures.year == data.year)
    )
    before = dict(row.figures) if row else None
    if row is not None and {**row.figures, **parsed} == row.figures:
        return {"base_id": base.id, "year": data.year, "figures": row.figures, "changed": False}
    if row is None:
        row = BaseYearFigures(base_id=base.id, year=data.year, figures=parsed)
        session.add(row)
    else:
        row.figures = {**row.figures, **parsed}
        row.declared_at = utcnow()
    session.flush()
    add_event(session, base, "figures_declared", actor, year=data.year)
    audit.record(
        session,
        actor=actor,
        action="base.figures",
        entity="base",
        entity_id=base.id,
        before={"year": data.year, "figures": before},
        after={"year": data.year, "figures": row.figures},
    )
    return {"base_id": base.id, "year": data.year, "figures": row.figures, "changed": True}


# ---- evidence for a year's figures --------------------------------------------------------------


def evidence_base(
    session: Session, *, actor: Actor, base_id: int, year: int, deleting: bool = False
) -> DesignatedBase:
    """The base whose evidence for `year` the caller may add to (or remove from), row locked.

    The base itself and staff may, unless the title is revoked; removing a file is refused once an
    evaluation of that year has been submitted, since its evaluators read that file."""
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    if not (actor.is_staff or actor.role is Role.APPLICANT):
        raise NotFound()
    if base.status == "revoked":
        raise InvalidTransition(msg("The title of this base has been revoked."))
    if not 2000 <= year <= china_today().year:
        raise invalid("figures_year", msg("must be a year from 2000 to this year"))
    if deleting and session.scalar(
        select(Evaluation.id)
        .where(Evaluation.base_id == base.id, Evaluation.year == year, Evaluation.status == "submitted")
        .limit(1)
    ):
        raise InvalidTransition(
            msg("An evaluation of this year's figures has been submitted; the evidence it read is kept.")
        )
    return base


def evidence_out(att: Attachment) -> dict[str, Any]:
    return attachment_out(att) | {"figures_year": att.figures_year}


def indicator_names(rubric: Rubric, locale: str) -> dict[str, str]:
    """Code → wording of each performance indicator, for choosing and labelling evidence."""
    return {i.code: (i.text_en if locale == "en" else i.text_zh) for i in rubric.indicators()}


def default_evidence_year(base: dict[str, Any]) -> int:
    """The year evidence is most likely for: the latest declared, else last year."""
    years = base.get("figures_by_year", {}).get("years") or []
    return max([china_today().year - 1, *years])


def base_evidence(session: Session, base_id: int, year: int | None = None) -> list[Attachment]:
    stmt = select(Attachment).where(Attachment.base_id == base_id)
    if year is not None:
        stmt = stmt.where(Attachment.figures_year == year)
    return list(
        session.scalars(stmt.order_by(Attachment.figures_year, Attachment.indicator_code, Attachment.id))
    )


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def year_on_year(session: Session, base: DesignatedBase) -> dict[str, Any]:
    """Each figure by year, with its change from the year before: for percentages in points
    ("+1.2"), for counts and amounts in units. The designation application's figures are the
    first year (the round's data year)."""
    years: dict[int, dict[str, str]] = {}
    app = session.get(Application, base.application_id)
    rnd = session.get(Round, base.round_id)
    if app is not None and rnd is not None:
        data_year = int(rnd.references.get("data_year", rnd.year - 1))
        figures = effective_figures(app.figures or {}, app.verified_figures or {})
        years[data_year] = {k: _plain(v) for k, v in figures.items() if v is not None}
    for row in session.scalars(
        select(BaseYearFigures).where(BaseYearFigures.base_id == base.id).order_by(BaseYearFigures.year)
    ):
        years[row.year] = dict(row.figures)
    rubric = performance_rubric(session, base.kind)
    ordered = sorted(years)
    series = []
    for figure in rubric.figures:
        points = []
        previous: Decimal | None = None
        for year in ordered:
            raw = years[year].get(figure.code)
            value = Decimal(raw) if raw is not None else None
            change = None
            if value is not None and previous is not None:
                delta = value - previous
                change = ("+" if delta > 0 else "") + _plain(delta)
            points.append({"year": year, "value": raw, "change": change})
            if value is not None:
                previous = value
        if any(p["value"] is not None for p in points):
            series.append(
                {
                    "code": figure.code,
                    "name_zh": figure.name_zh,
                    "name_en": figure.name_en,
                    "type": figure.type,
                    "unit": figure.unit,
                    "points": points,
                }
            )
    return {"years": ordered, "series": series}


# ---- rectification, restoration, revocation ---------------------------------------------------


def order_rectification(
    session: Session, *, actor: Actor, base_id: int, data: RectificationIn, today: date | None = None
) -> Rectification:
    """限期整改 after a 不合格 outcome: reasons and a deadline (six months by default)."""
    from scoring.services.management import evaluations

    _require_staff(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    today = today or china_today()
    current = current_rectification(session, base.id)
    if base.status == "rectifying" and current is not None and current.reasons == data.reasons:
        return current  # replay
    outcome = evaluations.latest_outcome(session, base.id, purpose="regular")
    if outcome is None or outcome["grade"] != "fail":
        raise InvalidTransition(
            msg("A rectification order follows an evaluation graded 不合格 (fail); this base has none.")
        )
    deadline = data.deadline or add_months(today, RECTIFICATION_MONTHS)
    if deadline <= today:
        raise invalid("deadline", msg("must be after today"))
    base.status = transition(BASE_TRANSITIONS, base.status, "order_rectification")
    base.version += 1
    order = Rectification(
        base_id=base.id,
        evaluation_id=outcome["evaluation_ids"][0],
        reasons=data.reasons,
        deadline=deadline,
        issued_by_id=actor.user_id,
    )
    session.add(order)
    session.flush()
    add_event(session, base, "rectification_ordered", actor, deadline=deadline, reasons=data.reasons)
    audit.record(
        session,
        actor=actor,
        action="base.rectification",
        entity="base",
        entity_id=base.id,
        before={"status": "active"},
        after={"status": base.status, "rectification_id": order.id, "deadline": deadline},
        reason=data.reasons,
    )
    notices.rectification_ordered(session, order)
    return order


def _latest_rectification_id(base_id: int) -> Any:
    return (
        select(Rectification.id)
        .where(Rectification.base_id == base_id)
        .order_by(Rectification.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def current_rectification(session: Session, base_id: int) -> Rectification | None:
    return session.scalar(select(Rectification).where(Rectification.id == _latest_rectification_id(base_id)))


def restore(session: Session, *, actor: Actor, base_id: int, data: RestoreIn) -> DesignatedBase:
    """A base whose re-evaluation is 合格 or better returns to active, by a staff decision."""
    _require_staff(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    if base.status == "active":
        return base  # replay
    order = current_rectification(session, base.id)
    if base.status != "rectifying" or order is None or order.status != "passed":
        raise InvalidTransition(
            msg("A base is restored only after a re-evaluation graded 合格 (pass) or better.")
        )
    base.status = transition(BASE_TRANSITIONS, base.status, "restore")
    base.version += 1
    order.status = "closed"
    session.flush()
    add_event(session, base, "restored", actor, rectification_id=order.id)
    audit.record(
        session,
        actor=actor,
        action="base.restore",
        entity="base",
        entity_id=base.id,
        before={"status": "rectifying"},
        after={"status": base.status},
        reason=data.reason,
    )
    return base


def propose_revocation(session: Session, *, actor: Actor, base_id: int, data: RevocationIn) -> Revocation:
    """After a failed re-evaluation a staff member proposes revocation; another must confirm it."""
    _require_staff(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    pending = session.scalar(
        select(Revocation).where(Revocation.base_id == base.id, Revocation.status == "proposed")
    )
    if pending is not None:
        if pending.reason == data.reason:
            return pending  # replay
        raise Conflict(msg("A revocation of this base is already proposed."), code="revocation_pending")
    order = current_rectification(session, base.id)
    if base.status != "rectifying" or order is None or order.status != "failed":
        raise InvalidTransition(
            msg("Revocation can be proposed only after a re-evaluation graded 不合格 (fail).")
        )
    revocation = Revocation(
        base_id=base.id, rectification_id=order.id, reason=data.reason, proposed_by_id=actor.user_id
    )
    session.add(revocation)
    session.flush()
    add_event(session, base, "revocation_proposed", actor, reason=data.reason)
    audit.record(
        session,
        actor=actor,
        action="base.revocation_propose",
        entity="base",
        entity_id=base.id,
        after={"revocation_id": revocation.id},
        reason=data.reason,
    )
    return revocation


def confirm_revocation(
    session: Session, *, actor: Actor, base_id: int, data: RevocationConfirmIn, today: date | None = None
) -> DesignatedBase:
    """A second staff member records the government document that revokes the title."""
    _require_staff(actor)
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    today = today or china_today()
    if base.status == "revoked" and base.revocation_document_no == data.document_no:
        return base  # replay
    revocation = session.scalar(
        select(Revocation).where(Revocation.base_id == base.id, Revocation.status == "proposed")
    )
    if revocation is None:
        raise InvalidTransition(msg("No revocation of this base has been proposed."))
    if actor.user_id is None or actor.user_id == revocation.proposed_by_id:
        raise Conflict(
            msg("A second staff member must confirm: the person who proposed the revocation cannot."),
            code="four_eyes",
        )
    if data.decided_on > today:
        raise invalid("decided_on", msg("must not be in the future"))
    base.status = transition(BASE_TRANSITIONS, base.status, "revoke")
    base.revoked_on = data.decided_on
    base.revocation_document_no = data.document_no
    base.version += 1
    revocation.status = "confirmed"
    revocation.confirmed_by_id = actor.user_id
    revocation.confirmed_at = utcnow()
    revocation.document_no = data.document_no
    revocation.decided_on = data.decided_on
    order = current_rectification(session, base.id)
    if order is not None:
        order.status = "closed"
    session.flush()
    add_event(session, base, "revoked", actor, document_no=data.document_no, decided_on=data.decided_on)
    audit.record(
        session,
        actor=actor,
        action="base.revoke",
        entity="base",
        entity_id=base.id,
        before={"status": "rectifying"},
        after={"status": "revoked", "document_no": data.document_no, "decided_on": data.decided_on},
        reason=revocation.reason,
    )
    notices.revocation_decided(session, base, revocation.reason)
    return base


# ---- deadlines --------------------------------------------------------------------------------


def due(session: Session, *, actor: Actor, today: date | None = None) -> dict[str, list[dict[str, Any]]]:
    """Overdue rectifications (deadline passed, no re-evaluation outcome) and overdue evaluations
    (not submitted by their deadline). Listing only: nothing changes without a staff decision."""
    _require_staff(actor)
    today = today or china_today()
    overdue_orders = session.execute(
        select(Rectification, DesignatedBase)
        .join(DesignatedBase, DesignatedBase.id == Rectification.base_id)
        .where(Rectification.status == "open", Rectification.deadline < today)
        .order_by(Rectification.deadline, Rectification.id)
    ).all()
    now = datetime.combine(today, datetime.min.time())
    overdue_evaluations = session.execute(
        select(Evaluation, DesignatedBase)
        .join(DesignatedBase, DesignatedBase.id == Evaluation.base_id)
        .where(
            Evaluation.status.in_(("assigned", "draft")),
            Evaluation.deadline.is_not(None),
        )
        .order_by(Evaluation.deadline, Evaluation.id)
    ).all()
    return {
        "rectifications": [
            {
                "base_id": b.id,
                "base": b.name,
                "rectification_id": r.id,
                "deadline": r.deadline.isoformat(),
                "days_overdue": (today - r.deadline).days,
            }
            for r, b in overdue_orders
        ],
        "evaluations": [
            {
                "base_id": b.id,
                "base": b.name,
                "evaluation_id": e.id,
                "purpose": e.purpose,
                "status": e.status,
                "deadline": e.deadline.date().isoformat(),
                "days_overdue": (today - e.deadline.date()).days,
            }
            for e, b in overdue_evaluations
            if e.deadline is not None and e.deadline.replace(tzinfo=None) < now
        ],
    }


def bases_out(bases: Sequence[DesignatedBase]) -> list[dict[str, Any]]:
    return [base_out(b) for b in bases]
