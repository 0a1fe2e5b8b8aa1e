"""Applications for a designation round: draft, submit, county recommendation and formal check."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager

from criteria.schema import Gate, Rubric
from scoring.core.actors import Actor, Role
from scoring.core.errors import (
    Conflict,
    DeadlinePassed,
    Forbidden,
    InvalidTransition,
    NotFound,
    StaleVersion,
    ValidationFailed,
    invalid,
)
from scoring.core.figures import effective_figures
from scoring.core.gates import GateResult, evaluate_gates
from scoring.core.i18n import Msg, msg
from scoring.core.ids import RowId, Version
from scoring.core.lifecycle import APPLICATION_EDITABLE, APPLICATION_TRANSITIONS, transition
from scoring.core.permissions import can_edit_application, can_recommend, can_see_application
from scoring.services.admin.notifications import events as notices
from scoring.services.designation.rounds import (
    Kind,
    decimal_text,
    format_deadline,
    msg_stale,
    parse_figures,
    require_kind,
    round_references,
    round_rubric,
    undeclarable,
)
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import Application, Attachment, Expert, Organisation, Round, Sheet

PLAN_MAX = 20_000
NARRATIVE_MAX = 5_000
REASON_MAX = 2_000
# A returned application is corrected for the county or the formal check, so it may still be edited
# while the round is recommending; a draft only while applications are open.
_EDITABLE_ROUND_STATUS = {"draft": ("open",), "returned": ("open", "recommending")}
_CHECKING_ROUND_STATUS = ("open", "recommending")

Reason = Annotated[str, Field(max_length=REASON_MAX)]

# The county decides on submitted applications only, the formal check on recommended ones only: the
# shared table also lets "return" start from either state, so each step reads its own slice of it.
COUNTY_TRANSITIONS = {
    key: nxt
    for key, nxt in APPLICATION_TRANSITIONS.items()
    if key[0] == "submitted" and key[1] in ("recommend", "decline", "return")
}
FORMAL_CHECK_TRANSITIONS = {
    key: nxt
    for key, nxt in APPLICATION_TRANSITIONS.items()
    if key[0] == "recommended" and key[1] in ("accept", "return")
}


class ApplicationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    round_id: RowId
    kind: Kind
    title: Annotated[str, Field(min_length=2, max_length=200)]


class ApplicationUpdate(BaseModel):
    """Only the fields sent change. In narratives and figures, null or "" removes an entry."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    plan: Annotated[str, Field(max_length=PLAN_MAX)] | None = None
    narratives: dict[str, Annotated[str, Field(max_length=NARRATIVE_MAX)] | None] | None = None
    figures: dict[str, Any] | None = None
    version: Version


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Version | None = None


class RecommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["recommend", "decline", "return"]
    reason: Reason = ""
    version: Version | None = None


class FigureCorrection(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    value: Any
    reason: Reason = ""


class FormalCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["accept", "return"]
    reason: Reason = ""
    verified_figures: dict[str, FigureCorrection] | None = None
    version: Version | None = None


@dataclass(frozen=True)
class ApplicationView:
    """What the detail page and the API show of one application."""

    application: Application
    organisation: Organisation
    gates: list[GateResult]
    attachments: list[Attachment]


# ---- loading and visibility -------------------------------------------------------------------


def declared_expert_user_ids(session: Session, *, application_id: int, user_id: int | None) -> frozenset[int]:
    """{user_id} when that expert holds a sheet for the application and signed its declaration."""
    if user_id is None:
        return frozenset()
    found = session.scalar(
        select(Expert.user_id)
        .join(Sheet, Sheet.expert_id == Expert.id)
        .where(
            Sheet.application_id == application_id,
            Expert.user_id == user_id,
            Sheet.declared_at.is_not(None),
            Sheet.status != "declined",
        )
        .limit(1)
    )
    return frozenset({found}) if found is not None else frozenset()


def may_see(session: Session, actor: Actor, app: Application, org: Organisation) -> bool:
    experts = (
        declared_expert_user_ids(session, application_id=app.id, user_id=actor.user_id)
        if actor.role is Role.EXPERT
        else frozenset()
    )
    return can_see_application(
        actor,
        organisation_id=app.organisation_id,
        district=org.district,
        status=app.status,
        assigned_expert_user_ids=experts,
    )


def _load(session: Session, application_id: int, *, lock: bool) -> tuple[Application, Organisation, Round]:
    stmt = select(Application).where(Application.id == application_id)
    if lock:
        # Serialise writers on the row (PostgreSQL); the version check then sees the latest value.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    app = session.scalar(stmt)
    if app is None:
        raise NotFound()
    org = session.get(Organisation, app.organisation_id)
    rnd = session.get(Round, app.round_id)
    assert org is not None and rnd is not None  # foreign keys
    return app, org, rnd


def load_visible(
    session: Session, *, actor: Actor, application_id: int, lock: bool = False
) -> tuple[Application, Organisation, Round]:
    """The application, its organisation and round, or NotFound when the caller may not see it."""
    app, org, rnd = _load(session, application_id, lock=lock)
    if not may_see(session, actor, app, org):
        raise NotFound()
    return app, org, rnd


def load_editable(
    session: Session, *, actor: Actor, application_id: int, action: Msg
) -> tuple[Application, Organisation, Round]:
    """For the applicant's own changes: visible, its own, editable status, round open, before the deadline."""
    app, org, rnd = load_visible(session, actor=actor, application_id=application_id, lock=True)
    if not can_edit_application(actor, organisation_id=app.organisation_id):
        raise Forbidden()
    if app.status not in APPLICATION_EDITABLE:
        raise InvalidTransition(
            msg(
                "Cannot %(action)s: the record is in state “%(state)s”.",
                action=action,
                state=Msg(app.status.replace("_", " ")),
            )
        )
    _require_round_status(rnd, _EDITABLE_ROUND_STATUS[app.status])
    _require_before(rnd.application_deadline if app.status == "draft" else rnd.recommendation_deadline)
    return app, org, rnd


def _require_round_status(rnd: Round, allowed: Sequence[str]) -> None:
    if rnd.status not in allowed:
        raise InvalidTransition(
            msg(
                "The round is in state “%(state)s”: this step is not open.",
                state=Msg(rnd.status.replace("_", " ")),
            ),
            code="round_not_open",
        )


def _require_before(deadline: datetime | None, now: datetime | None = None) -> None:
    if deadline is not None and (now or utcnow()) > deadline:
        raise DeadlinePassed(
            msg("The deadline (%(deadline)s, Beijing time) has passed.", deadline=format_deadline(deadline))
        )


def _check_version(app: Application, version: int | None) -> None:
    if version is not None and version != app.version:
        raise StaleVersion(msg_stale(version, app.version))


def _touch(app: Application) -> None:
    app.version += 1
    app.updated_at = utcnow()


# ---- create, read, list -----------------------------------------------------------------------


def create_application(session: Session, *, actor: Actor, data: ApplicationCreate) -> Application:
    """A draft for the applicant's own organisation: one per round, kind and organisation."""
    if actor.role is not Role.APPLICANT or actor.organisation_id is None:
        raise Forbidden()
    rnd = session.get(Round, data.round_id)
    if rnd is None:
        raise invalid("round_id", msg("no such round"))
    require_kind(rnd, data.kind)
    _require_round_status(rnd, ("open",))
    _require_before(rnd.application_deadline)
    duplicate = session.scalar(
        select(Application.id).where(
            Application.round_id == rnd.id,
            Application.kind == data.kind,
            Application.organisation_id == actor.organisation_id,
        )
    )
    if duplicate is not None:
        raise Conflict(
            msg(
                "Your organisation already has an application of this kind in this round (no. %(id)s).",
                id=duplicate,
            ),
            code="duplicate_application",
        )
    app = Application(
        round_id=rnd.id,
        kind=data.kind,
        organisation_id=actor.organisation_id,
        title=data.title,
        plan="",
        narratives={},
        figures={},
        verified_figures={},
        status="draft",
        created_by_id=actor.user_id,
    )
    session.add(app)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="application.create",
        entity="application",
        entity_id=app.id,
        after={
            "round_id": rnd.id,
            "kind": app.kind,
            "organisation_id": app.organisation_id,
            "title": app.title,
            "status": app.status,
        },
    )
    return app


def application_gates(session: Session, app: Application, rnd: Round) -> list[GateResult]:
    """The gates of the frozen rubric over the effective figures (declared, corrected by staff)."""
    rubric = round_rubric(session, rnd, app.kind)
    values: dict[str, Decimal | None] = {figure.code: None for figure in rubric.figures}
    values.update(effective_figures(app.figures, app.verified_figures))
    return evaluate_gates(rubric, values, round_references(rnd))


def attachments_of(session: Session, application_id: int) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment).where(Attachment.application_id == application_id).order_by(Attachment.id)
        )
    )


def get_application(session: Session, *, actor: Actor, application_id: int) -> ApplicationView:
    app, org, rnd = load_visible(session, actor=actor, application_id=application_id)
    return ApplicationView(
        application=app,
        organisation=org,
        gates=application_gates(session, app, rnd),
        attachments=attachments_of(session, app.id),
    )


def _scoped(stmt: Select[tuple[Application]], actor: Actor) -> Select[tuple[Application]] | None:
    """The list query narrowed to what the caller may see (None: nothing at all)."""
    if actor.is_staff:
        return stmt
    if actor.role is Role.APPLICANT:
        if actor.organisation_id is None:
            return None
        return stmt.where(Application.organisation_id == actor.organisation_id)
    if actor.role is Role.COUNTY:
        if actor.district is None:
            return None
        return stmt.where(Organisation.district == actor.district, Application.status != "draft")
    if actor.role is Role.EXPERT:
        if actor.user_id is None:
            return None
        held = (
            select(Sheet.application_id)
            .join(Expert, Sheet.expert_id == Expert.id)
            .where(Expert.user_id == actor.user_id)
        )
        return stmt.where(Application.id.in_(held))
    return None


def list_applications(
    session: Session,
    *,
    actor: Actor,
    round_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    after_id: int | None = None,
) -> tuple[list[Application], int | None]:
    """Visible applications in id order (organisation loaded), keyset-paginated by id."""
    base = (
        select(Application)
        .join(Organisation, Application.organisation_id == Organisation.id)
        .options(contains_eager(Application.organisation))
        .order_by(Application.id)
        .limit(limit + 1)
    )
    stmt = _scoped(base, actor)
    if stmt is None:
        return [], None
    if round_id is not None:
        stmt = stmt.where(Application.round_id == round_id)
    if kind is not None:
        stmt = stmt.where(Application.kind == kind)
    if status is not None:
        stmt = stmt.where(Application.status == status)
    if after_id is not None:
        stmt = stmt.where(Application.id > after_id)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


# ---- the applicant's edits and submission -------------------------------------------------------


def _clean_update(
    rubric: Rubric, data: ApplicationUpdate
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """Validate every narrative and figure before anything is written; None marks a removal."""
    problems: dict[str, Msg] = {}
    indicator_codes = {ind.code for ind in rubric.indicators()}
    narratives: dict[str, str | None] = {}
    for code, text in (data.narratives or {}).items():
        if code not in indicator_codes:
            problems[f"narratives.{code}"] = msg("is not an indicator of this rubric")
        else:
            narratives[code] = text or None
    figures: dict[str, str | None] = {}
    to_parse: dict[str, Any] = {}
    for code, raw in (data.figures or {}).items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            figures[code] = None
            if code not in {figure.code for figure in rubric.declared_figures()}:
                problems[f"figures.{code}"] = undeclarable(rubric, code)
        else:
            to_parse[code] = raw
    try:
        parsed = parse_figures(rubric, to_parse)
    except ValidationFailed as exc:
        problems.update(exc.fields)
        parsed = {}
    if problems:
        raise ValidationFailed(fields=problems)
    figures.update({code: decimal_text(value) for code, value in parsed.items()})
    return narratives, figures


def _merge(current: Mapping[str, str], changes: Mapping[str, str | None]) -> dict[str, str]:
    merged = dict(current)
    for code, value in changes.items():
        if value is None:
            merged.pop(code, None)
        else:
            merged[code] = value
    return merged


def update_application(
    session: Session, *, actor: Actor, application_id: int, data: ApplicationUpdate
) -> Application:
    app, _org, rnd = load_editable(session, actor=actor, application_id=application_id, action=msg("edit"))
    _check_version(app, data.version)
    narratives, figures = _clean_update(round_rubric(session, rnd, app.kind), data)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    changes: dict[str, Any] = {
        "title": data.title if data.title is not None else app.title,
        "plan": data.plan if data.plan is not None else app.plan,
        "narratives": _merge(app.narratives, narratives),
        "figures": _merge(app.figures, figures),
    }
    for field, value in changes.items():
        old = getattr(app, field)
        if value != old:
            before[field] = old
            after[field] = value
            setattr(app, field, value)
    if not after:
        return app  # nothing changed: no new version, no audit event
    _touch(app)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="application.update",
        entity="application",
        entity_id=app.id,
        before=_abridged(before),
        after=_abridged(after) | {"version": app.version},
    )
    return app


def _abridged(values: Mapping[str, Any]) -> dict[str, Any]:
    """Long texts are represented by their length in the audit trail; figures and titles in full."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "plan":
            out["plan_chars"] = len(value)
        elif key == "narratives":
            out["narrative_chars"] = {code: len(text) for code, text in value.items()}
        else:
            out[key] = value
    return out


def gate_figure_codes(rubric: Rubric, gates: Sequence[Gate] | None = None) -> list[str]:
    """The declared figures the gates read (a computed figure stands for the two it is made of),
    in rubric order, each once."""
    codes: list[str] = []
    for gate in rubric.gates if gates is None else gates:
        for code in gate.figures:
            figure = rubric.figure(code)
            for declared in figure.computed.of if figure.computed is not None else (code,):
                if declared not in codes:
                    codes.append(declared)
    return codes


def missing_for_submission(
    rubric: Rubric, app: Application, attachments: Sequence[Attachment]
) -> dict[str, Msg]:
    """Everything still missing before the application may be submitted, keyed by field path."""
    missing: dict[str, Msg] = {}
    required = msg("is required")
    if not app.title.strip():
        missing["title"] = required
    if not app.plan.strip():
        missing["plan"] = required
    for code in gate_figure_codes(rubric):
        if app.figures.get(code) in (None, ""):
            missing[f"figures.{code}"] = required
    evidenced = {a.indicator_code for a in attachments}
    for ind in rubric.indicators():
        if ind.kind == "expert" and not app.narratives.get(ind.code, "").strip():
            missing[f"narratives.{ind.code}"] = required
        if ind.evidence_required and ind.code not in evidenced:
            missing[f"attachments.{ind.code}"] = msg("an evidence file is required")
    return missing


def submit_application(
    session: Session, *, actor: Actor, application_id: int, data: SubmitIn | None = None
) -> Application:
    app, _org, rnd = load_editable(session, actor=actor, application_id=application_id, action=msg("submit"))
    _check_version(app, data.version if data else None)
    missing = missing_for_submission(
        round_rubric(session, rnd, app.kind), app, attachments_of(session, app.id)
    )
    if missing:
        raise ValidationFailed(
            msg("The application is not complete: %(count)s items are missing.", count=len(missing)),
            fields=missing,
            code="incomplete",
        )
    before = app.status
    app.status = transition(APPLICATION_TRANSITIONS, app.status, "submit")
    app.status_reason = None
    app.submitted_at = utcnow()
    _touch(app)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="application.submit",
        entity="application",
        entity_id=app.id,
        before={"status": before},
        after={"status": app.status, "version": app.version},
    )
    notices.application_moved(session, app)
    return app


# ---- county recommendation and formal check ----------------------------------------------------


def recommend_application(
    session: Session, *, actor: Actor, application_id: int, data: RecommendationIn
) -> Application:
    """The county of the organisation's district recommends, declines (with a reason) or returns it."""
    app, org, rnd = _load(session, application_id, lock=True)
    if not can_recommend(actor, district=org.district) or app.status == "draft":
        raise NotFound()
    if data.decision in ("decline", "return") and not data.reason:
        raise invalid("reason", msg("is required when declining or returning an application"))
    _check_version(app, data.version)
    before = app.status
    nxt = transition(COUNTY_TRANSITIONS, app.status, data.decision)
    _require_round_status(rnd, _CHECKING_ROUND_STATUS)
    _require_before(rnd.recommendation_deadline)
    app.status = nxt
    app.status_reason = data.reason or None
    if data.decision != "return":
        app.recommended_at = utcnow()
        app.recommended_by_id = actor.user_id
    _touch(app)
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
    if not actor.is_staff:
        raise NotFound()
    app, _org, rnd = _load(session, application_id, lock=True)
    if data.decision == "return" and not data.reason:
        raise invalid("reason", msg("is required when returning an application"))
    _check_version(app, data.version)
    before_status = app.status
    nxt = transition(FORMAL_CHECK_TRANSITIONS, app.status, data.decision)
    _require_round_status(rnd, _CHECKING_ROUND_STATUS)
    rubric = round_rubric(session, rnd, app.kind)
    verified = dict(app.verified_figures)
    verified.update(_corrections(rubric, app, data.verified_figures or {}))
    if data.decision == "accept":
        effective = effective_figures(app.figures, verified)
        unknown = {
            f"figures.{code}": msg("is required to evaluate the gates")
            for code in gate_figure_codes(rubric)
            if effective.get(code) is None
        }
        if unknown:
            raise ValidationFailed(
                msg("Every gate must be evaluable before the application is accepted."),
                fields=unknown,
                code="gates_not_evaluable",
            )
    before: dict[str, Any] = {"status": before_status}
    after: dict[str, Any] = {"status": nxt, "decision": data.decision}
    if verified != app.verified_figures:
        before["verified_figures"] = dict(app.verified_figures)
        after["verified_figures"] = verified
        app.verified_figures = verified
    app.status = nxt
    app.status_reason = data.reason or None
    app.checked_at = utcnow()
    app.checked_by_id = actor.user_id
    _touch(app)
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


# ---- output shapes -----------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def organisation_out(org: Organisation) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "district": org.district}


def gate_out(gate: GateResult, locale: str) -> dict[str, Any]:
    """A gate result for JSON: the numbers in `detail`, the gate's wording and any reason in `locale`."""
    return {
        "code": gate.code,
        "result": gate.result,
        "detail": gate.detail,
        "text": gate.text_en if locale == "en" else gate.text_zh,
        "reason": gate.reason.render(locale) if gate.reason is not None else None,
    }


def attachment_out(att: Attachment) -> dict[str, Any]:
    return {
        "id": att.id,
        "indicator_code": att.indicator_code,
        "name": att.original_name,
        "content_type": att.content_type,
        "size": att.size_bytes,
        "sha256": att.sha256,
        "uploaded_at": _iso(att.uploaded_at),
    }


def application_summary(app: Application, org: Organisation) -> dict[str, Any]:
    return {
        "id": app.id,
        "round_id": app.round_id,
        "kind": app.kind,
        "organisation": organisation_out(org),
        "title": app.title,
        "status": app.status,
        "status_reason": app.status_reason,
        "submitted_at": _iso(app.submitted_at),
        "updated_at": _iso(app.updated_at),
        "version": app.version,
    }


def application_out(view: ApplicationView, locale: str) -> dict[str, Any]:
    app = view.application
    return application_summary(app, view.organisation) | {
        "plan": app.plan,
        "narratives": dict(app.narratives),
        "figures": dict(app.figures),
        "verified_figures": dict(app.verified_figures),
        "gates": [gate_out(g, locale) for g in view.gates],
        "attachments": [attachment_out(a) for a in view.attachments],
        "files_bytes": app.files_bytes,
        "recommended_at": _iso(app.recommended_at),
        "checked_at": _iso(app.checked_at),
        "created_at": _iso(app.created_at),
    }
