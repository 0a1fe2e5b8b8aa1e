"""Designation rounds: create (freezing one rubric per kind), move through their status table, read."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core.actors import Actor
from scoring.core.errors import Forbidden, NotFound, StaleVersion, ValidationFailed, invalid
from scoring.core.figures import contradictions, effective_figures, resolve_references
from scoring.core.gates import GateResult, evaluate_gates
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import ROUND_TRANSITIONS, RoundStatus, transition
from scoring.core.permissions.designation import can_manage_rounds, can_read_rounds
from scoring.core.round_rules import CHINA_TZ, format_deadline, round_settings_problems
from scoring.core.scores import InvalidValue, parse_figure
from scoring.core.vocabulary import BASE_KINDS
from scoring.services.admin.rubrics import freeze_shipped, get_version
from scoring.services.designation.presenters import gate_view, round_out
from scoring.services.designation.round_end import deciding_blockers
from scoring.services.designation.schemas import (
    DeadlinesIn,
    EligibilityIn,
    EligibilityOut,
    Kind,
    ReferencesIn,
    RoundIn,
    RoundOut,
    RoundPage,
    RoundTransitionIn,
)
from scoring.store import audit
from scoring.store.models import Round

__all__ = [
    "CHINA_TZ",
    "KINDS",
    "DeadlinesIn",
    "EligibilityIn",
    "Kind",
    "ReferencesIn",
    "RoundIn",
    "RoundOut",
    "RoundTransitionIn",
    "format_deadline",
    "round_out",
]

KINDS: tuple[str, ...] = tuple(BASE_KINDS)
# The publication engineer's endpoint drives start_notice and publish (a second staff member confirms).
ROUND_ACTIONS_HERE: tuple[str, ...] = ("open", "close_applications", "start_review", "start_deciding")
ROUND_ACTIONS_ELSEWHERE: tuple[str, ...] = ("start_notice", "publish")


def decimal_text(value: Decimal) -> str:
    """A canonical decimal string without exponent notation ("100", not "1E+2")."""
    return format(value, "f")


def _round_problems(data: RoundIn) -> dict[str, Msg]:
    refs, deadlines = data.references, data.deadlines
    return round_settings_problems(
        kinds=[str(kind) for kind in data.kinds],
        provincial_rd_intensity=refs.provincial_rd_intensity,
        city_rd_intensity=refs.city_rd_intensity,
        rd_reference=refs.rd_reference,
        deadlines=(
            ("application", deadlines.application),
            ("recommendation", deadlines.recommendation),
            ("scoring", deadlines.scoring),
        ),
        panel_size=data.panel_size,
        quotas=data.quotas,
    )


def _references_stored(refs: ReferencesIn) -> dict[str, str]:
    out: dict[str, str] = {"rd_reference": refs.rd_reference}
    if refs.provincial_rd_intensity is not None:
        out["provincial_rd_intensity"] = decimal_text(refs.provincial_rd_intensity)
    if refs.city_rd_intensity is not None:
        out["city_rd_intensity"] = decimal_text(refs.city_rd_intensity)
    if refs.data_year is not None:
        out["data_year"] = str(refs.data_year)
    return out


def create_round(session: Session, *, actor: Actor, data: RoundIn) -> Round:
    """A new round in draft, with the current shipped rubric of each opened kind frozen for it."""
    if not can_manage_rounds(actor):
        raise Forbidden()
    problems = _round_problems(data)
    if problems:
        raise ValidationFailed(fields=problems)
    versions = {str(kind): freeze_shipped(session, actor=actor, kind=kind).version for kind in data.kinds}
    row = Round(
        year=data.year,
        title=data.title,
        status=RoundStatus.DRAFT,
        kinds=[str(kind) for kind in data.kinds],
        rubric_versions=versions,
        references=_references_stored(data.references),
        method=data.method,
        panel_size=data.panel_size,
        reserves=data.reserves,
        pass_line=data.pass_line,
        quotas={str(kind): data.quotas[kind] for kind in data.kinds},
        outlier_threshold=data.outlier_threshold,
        application_deadline=data.deadlines.application,
        recommendation_deadline=data.deadlines.recommendation,
        scoring_deadline=data.deadlines.scoring,
        notice_days=data.notice_days,
        cooling_off_years=data.cooling_off_years,
        created_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.create",
        entity="round",
        entity_id=row.id,
        after=round_out(row).model_dump(mode="json"),
    )
    return row


def get_round(session: Session, *, actor: Actor, round_id: int) -> Round:
    """Any logged-in user may read a round (its settings are public to participants)."""
    row = session.get(Round, round_id)
    if row is None or not can_read_rounds(actor):
        raise NotFound()
    return row


def get_round_for_update(session: Session, *, round_id: int) -> Round:
    """The round row locked for this transaction (PostgreSQL; SQLite transactions already serialise)."""
    row = session.scalar(
        select(Round).where(Round.id == round_id).with_for_update().execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound()
    return row


def list_rounds(
    session: Session, *, actor: Actor, limit: int = 50, after_id: int | None = None
) -> tuple[list[Round], int | None]:
    """Rounds in id order, keyset-paginated; the second value is the cursor of the next page."""
    stmt = select(Round).order_by(Round.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(Round.id > after_id)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def transition_round(session: Session, *, actor: Actor, round_id: int, data: RoundTransitionIn) -> Round:
    if not can_manage_rounds(actor):
        raise Forbidden()
    if data.action in ROUND_ACTIONS_ELSEWHERE:
        raise invalid(
            "action",
            msg(
                "is taken through the publication step (POST /api/v1/rounds/%(id)s/publication)", id=round_id
            ),
        )
    if data.action not in ROUND_ACTIONS_HERE:
        raise invalid("action", msg("must be one of: %(expected)s", expected=", ".join(ROUND_ACTIONS_HERE)))
    row = get_round_for_update(session, round_id=round_id)
    if data.version is not None and data.version != row.version:
        raise StaleVersion(msg_stale(data.version, row.version))
    before = row.status
    nxt = transition(ROUND_TRANSITIONS, row.status, data.action)
    if data.action == "start_deciding":
        blockers = deciding_blockers(session, row, data.reason)
        if blockers:
            raise ValidationFailed(
                msg("Some score sheets are missing: the round moves on without them only with a reason."),
                fields=blockers,
                code="sheets_missing",
            )
    row.status = nxt
    row.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"round.{data.action}",
        entity="round",
        entity_id=row.id,
        before={"status": before},
        after={"status": row.status},
        reason=data.reason,
    )
    return row


def msg_stale(expected: int, actual: int) -> Msg:
    return msg(
        "Someone else changed this record since you read it (version %(expected)s, now %(actual)s). "
        "Reload and apply your changes again.",
        expected=expected,
        actual=actual,
    )


def round_rubric(session: Session, round: Round, kind: str) -> Rubric:
    """The rubric frozen for this round and kind (never the file on disk, which may have moved on)."""
    version = round.rubric_versions.get(kind)
    if version is None:
        raise invalid("kind", msg("is not a kind this round opens"))
    return get_version(session, kind=kind, version=version)


def round_references(round: Round) -> dict[str, Decimal]:
    return resolve_references(round.references)


def require_kind(round: Round, kind: str) -> None:
    if kind not in round.kinds:
        raise invalid("kind", msg("is not a kind this round opens"))


def undeclarable(rubric: Rubric, code: str) -> Msg:
    """Why `code` cannot be declared: it is computed from other figures, or not in the rubric."""
    if any(figure.code == code for figure in rubric.figures):
        return msg("is computed from other figures and cannot be declared")
    return msg("is not a figure of this rubric")


def parse_figures(rubric: Rubric, raw: Mapping[str, Any], *, path: str = "figures") -> dict[str, Decimal]:
    """Every declared figure parsed against the rubric; all problems reported at once."""
    known = {figure.code: figure for figure in rubric.declared_figures()}
    parsed: dict[str, Decimal] = {}
    problems: dict[str, Msg] = {}
    for code, value in raw.items():
        figure = known.get(code)
        if figure is None:
            problems[f"{path}.{code}"] = undeclarable(rubric, code)
            continue
        try:
            parsed[code] = parse_figure(figure, value)
        except InvalidValue as exc:
            problems[f"{path}.{code}"] = exc.rule
    if problems:
        raise ValidationFailed(fields=problems)
    return parsed


def eligibility_check(
    session: Session, *, actor: Actor, round_id: int, data: EligibilityIn
) -> list[GateResult]:
    """The gates of the round's frozen rubric over figures typed in by anyone; nothing is stored."""
    row = get_round(session, actor=actor, round_id=round_id)
    require_kind(row, data.kind)
    rubric = round_rubric(session, row, data.kind)
    figures = parse_figures(rubric, data.figures)
    problems = contradictions(rubric, figures)
    if problems:
        raise ValidationFailed(fields=problems)
    values: dict[str, Decimal | None] = {figure.code: None for figure in rubric.figures}
    values.update(effective_figures({code: decimal_text(v) for code, v in figures.items()}))
    return evaluate_gates(rubric, values, round_references(row))


def rounds_page(session: Session, *, actor: Actor, limit: int = 50, after_id: int | None = None) -> RoundPage:
    """One page of rounds as the API lists them."""
    rows, next_id = list_rounds(session, actor=actor, limit=limit, after_id=after_id)
    return RoundPage(
        items=[round_out(r) for r in rows], next_cursor=str(next_id) if next_id is not None else None
    )


def eligibility(session: Session, *, actor: Actor, round_id: int, data: EligibilityIn) -> EligibilityOut:
    """The self-check's gates as a read model."""
    return EligibilityOut(
        gates=[gate_view(g) for g in eligibility_check(session, actor=actor, round_id=round_id, data=data)]
    )
