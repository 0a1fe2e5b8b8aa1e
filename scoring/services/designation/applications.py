"""Applications for a designation round: create, read, list, the applicant's edits and submission.

Loading and the guards live in `access.py`, the county recommendation and the formal check in
`checks.py` (re-exported here), the inputs and read models in `schemas.py`, the rows' presentation
in `presenters.py`, the submission rule in `scoring.core.submission`.
Just over 400 lines: create, edit and submit share the editable-state guards and the figure checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager

from criteria.schema import Rubric
from scoring.core.actors import Actor
from scoring.core.errors import Conflict, Forbidden, ValidationFailed, invalid
from scoring.core.figures import contradictions, effective_figures
from scoring.core.gates import GateResult, evaluate_gates
from scoring.core.i18n import Msg, current_locale, msg
from scoring.core.lifecycle import APPLICATION_TRANSITIONS, ApplicationStatus, RoundStatus, transition
from scoring.core.permissions.designation import (
    application_list_scope,
    can_create_application,
)
from scoring.core.submission import gate_figure_codes, missing_for_submission
from scoring.services.admin.notifications import events as notices
from scoring.services.designation.access import (
    check_version,
    declared_expert_user_ids,
    load_editable,
    load_visible,
    may_see,
    require_before,
    require_round_status,
    touch,
)

# The county's and the formal check's steps live in checks.py; callers keep importing them from here.
from scoring.services.designation.checks import (
    COUNTY_TRANSITIONS,
    FORMAL_CHECK_TRANSITIONS,
    formal_check,
    recommend_application,
)
from scoring.services.designation.presenters import (
    ApplicationView,
    application_out,
    application_summary,
    attachment_view,
    gate_view,
    round_out,
)
from scoring.services.designation.rounds import (
    decimal_text,
    parse_figures,
    require_kind,
    round_references,
    round_rubric,
    undeclarable,
)
from scoring.services.designation.schemas import (
    NARRATIVE_MAX,
    PLAN_MAX,
    REASON_MAX,
    ApplicationContext,
    ApplicationCreate,
    ApplicationOut,
    ApplicationPage,
    ApplicationUpdate,
    FigureCorrection,
    FormalCheckIn,
    RecommendationIn,
    SubmitIn,
)
from scoring.services.designation.who_may_apply import require_may_apply
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import Application, Attachment, Expert, Organisation, Round, Sheet

# Names other modules (files, pages, the API, tests, the demo) import from here.
__all__ = [
    "COUNTY_TRANSITIONS",
    "FORMAL_CHECK_TRANSITIONS",
    "NARRATIVE_MAX",
    "PLAN_MAX",
    "REASON_MAX",
    "ApplicationCreate",
    "ApplicationUpdate",
    "ApplicationView",
    "FigureCorrection",
    "FormalCheckIn",
    "RecommendationIn",
    "SubmitIn",
    "application_out",
    "application_summary",
    "declared_expert_user_ids",
    "formal_check",
    "gate_figure_codes",
    "load_editable",
    "load_visible",
    "may_see",
    "missing_for_submission",
    "recommend_application",
]

# ---- create, read, list -----------------------------------------------------------------------


def create_application(session: Session, *, actor: Actor, data: ApplicationCreate) -> Application:
    """A draft for the applicant's own organisation: one per round, kind and organisation."""
    if not can_create_application(actor) or actor.organisation_id is None:
        raise Forbidden()
    rnd = session.get(Round, data.round_id)
    if rnd is None:
        raise invalid("round_id", msg("no such round"))
    require_kind(rnd, data.kind)
    require_round_status(rnd, (RoundStatus.OPEN,))
    require_before(rnd.application_deadline)
    require_may_apply(session, rnd, kind=str(data.kind), organisation_id=actor.organisation_id)
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
        kind=str(data.kind),
        organisation_id=actor.organisation_id,
        title=data.title,
        plan="",
        narratives={},
        figures={},
        verified_figures={},
        status=ApplicationStatus.DRAFT,
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


def _view(session: Session, app: Application, org: Organisation, rnd: Round) -> ApplicationView:
    return ApplicationView(
        application=app,
        organisation=org,
        gates=application_gates(session, app, rnd),
        attachments=attachments_of(session, app.id),
    )


def get_application(session: Session, *, actor: Actor, application_id: int) -> ApplicationOut:
    """One application as the caller may see it, in full."""
    app, org, rnd = load_visible(session, actor=actor, application_id=application_id)
    return application_out(_view(session, app, org, rnd))


# Select[Any]: SQLAlchemy 2.0 and 2.1 spell the row type of select(Application) differently.
def _scoped(stmt: Select[Any], actor: Actor) -> Select[Any] | None:
    """The list query narrowed to what the caller may see (None: nothing at all)."""
    scope = application_list_scope(actor)
    if scope is None:
        return None
    if scope.everything:
        return stmt
    if scope.organisation_id is not None:
        return stmt.where(Application.organisation_id == scope.organisation_id)
    if scope.district is not None:
        return stmt.where(
            Organisation.district == scope.district, Application.status != ApplicationStatus.DRAFT
        )
    held = (
        select(Sheet.application_id)
        .join(Expert, Sheet.expert_id == Expert.id)
        .where(Expert.user_id == scope.expert_user_id)
    )
    return stmt.where(Application.id.in_(held))


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
    rows: list[Application] = list(session.scalars(stmt))
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
    check_version(app, data.version)
    rubric = round_rubric(session, rnd, app.kind)
    narratives, figures = _clean_update(rubric, data)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    changes: dict[str, Any] = {
        "title": data.title if data.title is not None else app.title,
        "plan": data.plan if data.plan is not None else app.plan,
        "narratives": _merge(app.narratives, narratives),
        "figures": _merge(app.figures, figures),
    }
    problems = contradictions(rubric, effective_figures(changes["figures"]))
    if problems:
        raise ValidationFailed(fields=problems)
    for field, value in changes.items():
        old = getattr(app, field)
        if value != old:
            before[field] = old
            after[field] = value
            setattr(app, field, value)
    if not after:
        return app  # nothing changed: no new version, no audit event
    touch(app)
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


def submit_application(
    session: Session, *, actor: Actor, application_id: int, data: SubmitIn | None = None
) -> Application:
    app, _org, rnd = load_editable(session, actor=actor, application_id=application_id, action=msg("submit"))
    check_version(app, data.version if data else None)
    missing = missing_for_submission(
        round_rubric(session, rnd, app.kind),
        title=app.title,
        plan=app.plan,
        figures=app.figures,
        narratives=app.narratives,
        evidenced={a.indicator_code for a in attachments_of(session, app.id)},
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
    touch(app)
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


# ---- read models for the edges -----------------------------------------------------------------


# The name the API routes use.
application_detail = get_application


def application_context(session: Session, *, actor: Actor, application_id: int) -> ApplicationContext:
    """One application in full with its round and frozen rubric, as the caller may see it."""
    app, org, rnd = load_visible(session, actor=actor, application_id=application_id)
    return ApplicationContext(
        application=application_out(_view(session, app, org, rnd)),
        round=round_out(rnd),
        rubric=round_rubric(session, rnd, app.kind),
    )


def applications_page(
    session: Session,
    *,
    actor: Actor,
    round_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    after_id: int | None = None,
) -> ApplicationPage:
    rows, next_id = list_applications(
        session, actor=actor, round_id=round_id, kind=kind, status=status, limit=limit, after_id=after_id
    )
    return ApplicationPage(
        items=[application_summary(a, a.organisation) for a in rows],
        next_cursor=str(next_id) if next_id is not None else None,
    )


def gate_out(gate: GateResult, locale: str | None = None) -> dict[str, Any]:
    """Deprecated dict shape of a gate, for callers not yet on `GateOut` (the ranking)."""
    token = current_locale.set(locale) if locale is not None else None
    try:
        return gate_view(gate).model_dump(mode="json")
    finally:
        if token is not None:
            current_locale.reset(token)


def attachment_out(att: Attachment) -> dict[str, Any]:
    """Deprecated dict shape of an attachment for callers not yet on `AttachmentOut` (bases)."""
    return attachment_view(att).model_dump(mode="json")
