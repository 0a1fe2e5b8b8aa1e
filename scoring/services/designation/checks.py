"""The checks an application passes after submission: the county's recommendation and the city
DRC's formal check (with corrections of declared figures)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core.actors import Actor
from scoring.core.errors import NotFound, ValidationFailed, invalid
from scoring.core.figure_needs import scored_figure_codes
from scoring.core.figures import FigureName, contradictions, effective_figures
from scoring.core.gates import GateResult, evaluate_gates
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import APPLICATION_TRANSITIONS, ApplicationStatus, transition
from scoring.core.permissions import can_recommend
from scoring.core.permissions.designation import can_formal_check
from scoring.core.submission import gate_figure_codes
from scoring.services.admin.notifications import events as notices
from scoring.services.designation.access import (
    CHECKING_ROUND_STATUS,
    check_version,
    load,
    require_before,
    require_round_status,
    touch,
)
from scoring.services.designation.rounds import (
    decimal_text,
    parse_figures,
    round_references,
    round_rubric,
    undeclarable,
)
from scoring.services.designation.schemas import FigureCorrection, FormalCheckIn, RecommendationIn
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import Application

A = ApplicationStatus
# The county decides on submitted applications only, the formal check on recommended ones only: the
# shared table also lets "return" start from either state, so each step reads its own slice of it.
COUNTY_TRANSITIONS = {
    key: nxt
    for key, nxt in APPLICATION_TRANSITIONS.items()
    if key[0] == A.SUBMITTED and key[1] in ("recommend", "decline", "return")
}
FORMAL_CHECK_TRANSITIONS = {
    key: nxt
    for key, nxt in APPLICATION_TRANSITIONS.items()
    if key[0] == A.RECOMMENDED and key[1] in ("accept", "return")
}


def recommend_application(
    session: Session, *, actor: Actor, application_id: int, data: RecommendationIn
) -> Application:
    """The county of the organisation's district recommends, declines (with a reason) or returns it."""
    app, org, rnd = load(session, application_id, lock=True)
    if not can_recommend(actor, district=org.district) or app.status == ApplicationStatus.DRAFT:
        raise NotFound()
    if data.decision in ("decline", "return") and not data.reason:
        raise invalid("reason", msg("is required when declining or returning an application"))
    check_version(app, data.version)
    before = app.status
    nxt = transition(COUNTY_TRANSITIONS, app.status, data.decision)
    require_round_status(rnd, CHECKING_ROUND_STATUS)
    require_before(rnd.recommendation_deadline)
    app.status = nxt
    app.status_reason = data.reason or None
    if data.decision != "return":  # a return leaves the recommendation unrecorded
        app.recommended_at = utcnow()
        app.recommended_by_id = actor.user_id
    touch(app)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="application.recommendation",
        entity="application",
        entity_id=app.id,
        before={"status": before},
        after={"status": app.status, "decision": data.decision, "version": app.version},
        reason=data.reason or None,
    )
    notices.application_moved(session, app)
    return app


def _corrections(
    rubric: Rubric, app: Application, given: Mapping[str, FigureCorrection]
) -> dict[str, dict[str, str | None]]:
    problems: dict[str, Msg] = {}
    out: dict[str, dict[str, str | None]] = {}
    known = {figure.code for figure in rubric.declared_figures()}
    for code, correction in given.items():
        path = f"verified_figures.{code}"
        if code not in known:
            problems[path] = undeclarable(rubric, code)
            continue
        if not correction.reason:
            problems[f"{path}.reason"] = msg("is required")
        try:
            value = parse_figures(rubric, {code: correction.value})[code]
        except ValidationFailed as exc:
            problems[f"{path}.value"] = exc.fields[f"figures.{code}"]
            continue
        out[code] = {
            "value": decimal_text(value),
            "declared": app.figures.get(code),
            "reason": correction.reason,
        }
    if problems:
        raise ValidationFailed(fields=problems)
    return out


def formal_check(session: Session, *, actor: Actor, application_id: int, data: FormalCheckIn) -> Application:
    """City staff accept a recommended application (every gate evaluable) or return it for correction."""
    if not can_formal_check(actor):
        raise NotFound()
    app, _org, rnd = load(session, application_id, lock=True)
    if data.decision == "return" and not data.reason:
        raise invalid("reason", msg("is required when returning an application"))
    check_version(app, data.version)
    before_status = app.status
    nxt = transition(FORMAL_CHECK_TRANSITIONS, app.status, data.decision)
    require_round_status(rnd, CHECKING_ROUND_STATUS)
    rubric = round_rubric(session, rnd, app.kind)
    verified = dict(app.verified_figures)
    verified.update(_corrections(rubric, app, data.verified_figures or {}))
    if data.decision == "accept":
        effective = effective_figures(app.figures, verified)
        unknown = {
            f"figures.{code}": msg("is required to evaluate the gates")
            if code in gate_figure_codes(rubric)
            else msg("is required: a data indicator reads it (declare 0 if there is none)")
            for code in scored_figure_codes(rubric)
            if effective.get(code) is None
        }
        if unknown:
            raise ValidationFailed(
                msg("Every gate must be evaluable before the application is accepted."),
                fields=unknown,
                code="gates_not_evaluable",
            )
        contradicting = contradictions(rubric, effective)  # e.g. a correction made a part exceed its total
        if contradicting:
            raise ValidationFailed(fields=contradicting)
        failing = [g for g in gates_over(rubric, effective, round_references(rnd)) if g.result == "fail"]
        failed = [g.code for g in failing]
        # One-vote veto (一票否决): accepting past a failed gate is an exception, recorded with its reason.
        if failed and not data.reason:
            raise ValidationFailed(
                msg(
                    "The application fails a hard threshold (%(gates)s): return it as not meeting the "
                    "conditions for applying, or record why it is accepted.",
                    gates=FigureName(
                        msgid="; ".join(g.text_en for g in failing), zh="；".join(g.text_zh for g in failing)
                    ),
                ),
                fields={"reason": msg("is required to accept an application that fails a gate")},
                code="gate_failed_reason_required",
            )
    else:
        failed = []
    before: dict[str, Any] = {"status": before_status}
    after: dict[str, Any] = {"status": nxt, "decision": data.decision}
    if failed:
        after["failed_gates"] = failed
    if verified != app.verified_figures:
        before["verified_figures"] = dict(app.verified_figures)
        after["verified_figures"] = verified
        app.verified_figures = verified
    app.status = nxt
    app.status_reason = data.reason or None
    app.checked_at = utcnow()
    app.checked_by_id = actor.user_id
    touch(app)
    after["version"] = app.version
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="application.formal_check",
        entity="application",
        entity_id=app.id,
        before=before,
        after=after,
        reason=data.reason or None,
    )
    notices.formal_check_done(session, app)
    return app


def gates_over(
    rubric: Rubric, figures: Mapping[str, Decimal | None], references: Mapping[str, Decimal]
) -> list[GateResult]:
    """The rubric's gates over these effective figures, each figure the rubric names absent unless given."""
    values: dict[str, Decimal | None] = {figure.code: None for figure in rubric.figures}
    values.update(figures)
    return evaluate_gates(rubric, values, references)
