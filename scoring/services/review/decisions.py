"""Staff decisions from the ranking (designate, deviating only with a reason) and the government approval."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed, invalid
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import APPLICATION_TRANSITIONS, RoundStatus, transition
from scoring.core.lifecycle import ApplicationStatus as A
from scoring.core.permissions.review import can_manage_review
from scoring.services.designation.rounds import get_round_for_update
from scoring.services.review import ranking as ranking_service
from scoring.services.review.publication import china_today
from scoring.services.review.schemas import ApprovalIn, ApprovalOut, DecisionIn, DecisionOut
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import Application, Round

DECIDABLE = (A.SCORED, A.SHORTLISTED, A.NOT_DESIGNATED)


def _clear_proposal(rnd: Round) -> bool:
    """A changed decision or approval voids an unconfirmed proposal: the second person must see it."""
    if rnd.publication_proposed_by_id is None:
        return False
    rnd.publication_proposed_by_id = None
    rnd.publication_proposed_at = None
    return True


def decide(session: Session, *, actor: Actor, round_id: int, data: DecisionIn) -> DecisionOut:
    """Shortlist the chosen applications of a kind and mark the other decidable ones not designated.

    The chosen set must be eligible applications of the kind; if it is not exactly the proposed list
    (an extra or a missing application, or a tie at the quota line resolved), a reason is required.
    Replaying the same decision changes nothing and records nothing.
    """
    if not can_manage_review(actor):
        raise NotFound()
    rnd = get_round_for_update(session, round_id=round_id)
    kind = ranking_service.require_kind(rnd, data.kind)
    if rnd.status != RoundStatus.DECIDING:
        raise InvalidTransition(msg("Decisions are taken while the round is deciding."))

    ranking = ranking_service.compute_ranking(session, rnd, kind)
    rows = {r.application_id: r for r in ranking.rows}
    problems: dict[str, Msg] = {}
    seen: set[int] = set()
    for i, app_id in enumerate(data.designate):
        path = f"designate.{i}"
        row = rows.get(app_id)
        if app_id in seen:
            problems[path] = msg("lists the same application twice")
        elif row is None:
            problems[path] = msg("is not an application of this kind in this round")
        elif row.status not in DECIDABLE:
            problems[path] = msg("is not scored yet (status: %(status)s)", status=row.status)
        elif not row.eligible:
            problems[path] = msg("is not eligible: %(reasons)s", reasons=", ".join(row.eligibility_reasons))
        seen.add(app_id)
    if problems:
        raise ValidationFailed(fields=problems)
    chosen = set(data.designate)
    deviates = chosen != set(ranking.proposed_ids) or bool(ranking.tied_ids)
    if deviates and not data.reason:
        raise invalid(
            "reason",
            msg("is required when the decision differs from the proposed list or resolves a tie"),
        )

    apps = {
        a.id: a
        for a in session.scalars(
            select(Application)
            .where(
                Application.round_id == rnd.id,
                Application.kind == kind,
                Application.status.in_(DECIDABLE),
            )
            .order_by(Application.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for app_id, app in apps.items():
        target = A.SHORTLISTED if app_id in chosen else A.NOT_DESIGNATED
        if app.status == target:
            continue
        action = "shortlist" if target == A.SHORTLISTED else "reject"
        before[str(app_id)] = app.status
        app.status = transition(APPLICATION_TRANSITIONS, app.status, action)
        app.decision_reason = data.reason or _default_reason(ranking, app_id)
        app.version += 1
        app.updated_at = utcnow()
        after[str(app_id)] = app.status
    if not after:
        return decision_out(rnd.id, kind, apps, data.reason, changed=False)  # replay
    cleared = _clear_proposal(rnd)
    rnd.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.decide",
        entity="round",
        entity_id=rnd.id,
        before={"kind": kind, "applications": before},
        after={
            "kind": kind,
            "applications": after,
            "designated": sorted(chosen),
            "proposed": list(ranking.proposed_ids),
            "deviates": deviates,
            "publication_proposal_cleared": cleared,
        },
        reason=data.reason,
    )
    return decision_out(rnd.id, kind, apps, data.reason, changed=True)


def _default_reason(ranking: ranking_service.KindRanking, app_id: int) -> str | None:
    """With no staff reason, the decision follows the ranking: record the ranking's own explanation."""
    row = ranking.row(app_id)
    if row is None:
        return None
    texts = [text.render("zh_CN") for _, text in ranking_service.reasons_of(row, ranking)]
    return " ".join(texts) or None


def decision_out(
    round_id: int, kind: str, apps: dict[int, Application], reason: str | None, *, changed: bool
) -> DecisionOut:
    return DecisionOut(
        round_id=round_id,
        kind=kind,
        shortlisted=sorted(i for i, a in apps.items() if a.status == A.SHORTLISTED),
        not_designated=sorted(i for i, a in apps.items() if a.status == A.NOT_DESIGNATED),
        reason=reason,
        changed=changed,
    )


def record_approval(
    session: Session, *, actor: Actor, round_id: int, data: ApprovalIn, today: date | None = None
) -> ApprovalOut:
    """The city government's approval (document number and date) of the decided list."""
    if not can_manage_review(actor):
        raise NotFound()
    today = today or china_today()
    if data.approved_on > today:
        raise invalid("approved_on", msg("must not be in the future"))
    rnd = get_round_for_update(session, round_id=round_id)
    same = rnd.approval_document_no == data.document_no and rnd.approval_date == data.approved_on
    if same:
        return approval_out(rnd)  # replay
    if rnd.status in (RoundStatus.NOTICE, RoundStatus.PUBLISHED):
        raise Conflict(
            msg("The approval cannot change once the public notice has started."), code="notice_started"
        )
    if rnd.status != RoundStatus.DECIDING:
        raise InvalidTransition(msg("The approval is recorded while the round is deciding."))
    before = approval_out(rnd).model_dump(mode="json")
    rnd.approval_document_no = data.document_no
    rnd.approval_date = data.approved_on
    rnd.approval_recorded_by_id = actor.user_id
    cleared = _clear_proposal(rnd)
    rnd.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.approval",
        entity="round",
        entity_id=rnd.id,
        before=before,
        after=approval_out(rnd).model_dump(mode="json") | {"publication_proposal_cleared": cleared},
    )
    return approval_out(rnd)


def approval_out(rnd: Round) -> ApprovalOut:
    return ApprovalOut(
        round_id=rnd.id,
        document_no=rnd.approval_document_no,
        approved_on=rnd.approval_date,
        recorded_by_id=rnd.approval_recorded_by_id,
    )
