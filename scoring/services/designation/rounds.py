"""Designation rounds: create (freezing one rubric per kind), move through their status table, read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core.actors import Actor
from scoring.core.draw import InvalidPanelSize, validate_panel_size
from scoring.core.errors import Forbidden, NotFound, StaleVersion, ValidationFailed, invalid
from scoring.core.figures import effective_figures, resolve_references
from scoring.core.gates import GateResult, evaluate_gates
from scoring.core.i18n import Msg, msg
from scoring.core.ids import Version
from scoring.core.lifecycle import ROUND_TRANSITIONS, transition
from scoring.core.scores import InvalidValue, parse_figure
from scoring.core.timefmt import BEIJING
from scoring.services.admin.rubrics import freeze_shipped, get_version
from scoring.store import audit
from scoring.store.models import Round

KINDS: tuple[str, ...] = ("regional", "university", "enterprise")
Kind = Literal["regional", "university", "enterprise"]
# The one Beijing zone (scoring.core.timefmt); kept under this name for the modules that import it here.
CHINA_TZ = BEIJING
# The publication engineer's endpoint drives start_notice and publish (a second staff member confirms).
ROUND_ACTIONS_HERE: tuple[str, ...] = ("open", "close_applications", "start_review", "start_deciding")
ROUND_ACTIONS_ELSEWHERE: tuple[str, ...] = ("start_notice", "publish")

_RD_REFERENCE_NAMES = {"provincial": msg("the provincial average"), "city": msg("the city average")}

Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)]
Points = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]


class ReferencesIn(BaseModel):
    """The reference values the gates compare with, e.g. provincial R&D intensity 2.00 (%)."""

    model_config = ConfigDict(extra="forbid")

    provincial_rd_intensity: Percent | None = None
    city_rd_intensity: Percent | None = None
    rd_reference: Literal["provincial", "city"] = "provincial"
    data_year: Annotated[int, Field(ge=2000, le=2100)] | None = None


class DeadlinesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    application: datetime = Field(validation_alias=AliasChoices("application", "application_deadline"))
    recommendation: datetime = Field(
        validation_alias=AliasChoices("recommendation", "recommendation_deadline")
    )
    scoring: datetime = Field(validation_alias=AliasChoices("scoring", "scoring_deadline"))


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: Annotated[int, Field(ge=2000, le=2100)]
    title: Annotated[str, Field(min_length=2, max_length=200)]
    kinds: Annotated[list[Kind], Field(min_length=1, max_length=3)]
    references: ReferencesIn = Field(default_factory=ReferencesIn)
    deadlines: DeadlinesIn
    panel_size: int = 5
    reserves: Annotated[int, Field(ge=0, le=10)] = 2
    method: Literal["trimmed_mean", "mean", "median"] = "trimmed_mean"
    pass_line: Points = Decimal("60")
    quotas: dict[str, int]
    outlier_threshold: Points = Decimal("20")
    notice_days: Annotated[int, Field(ge=1, le=30)] = 5


class RoundTransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Annotated[str, Field(min_length=1, max_length=32)]
    version: Version | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None


class EligibilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    figures: dict[str, Any] = Field(default_factory=dict)


def format_deadline(value: datetime) -> str:
    """A deadline as people in Shijiazhuang read it: 2026-05-31 17:00 (Beijing time)."""
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def decimal_text(value: Decimal) -> str:
    """A canonical decimal string without exponent notation ("100", not "1E+2")."""
    return format(value, "f")


def points_text(value: Decimal) -> str:
    """Points as shown in JSON: two places ("60.00"); inputs allow at most two, so this is exact."""
    return decimal_text(value.quantize(Decimal("0.01")))


def _round_problems(data: RoundIn) -> dict[str, Msg]:
    problems: dict[str, Msg] = {}
    if len(set(data.kinds)) != len(data.kinds):
        problems["kinds"] = msg("must not name a kind twice")
    refs = data.references
    chosen = refs.provincial_rd_intensity if refs.rd_reference == "provincial" else refs.city_rd_intensity
    if "regional" in data.kinds and refs.provincial_rd_intensity is None:
        problems["references.provincial_rd_intensity"] = msg(
            "is required when regional bases are opened (the R&D-intensity gate compares with it)"
        )
    if chosen is None and (refs.rd_reference == "city" or "regional" in data.kinds):
        problems.setdefault(
            "references.rd_reference",
            msg(
                "names %(value)s, but that reference value is not given",
                value=_RD_REFERENCE_NAMES[refs.rd_reference],
            ),
        )
    deadlines = data.deadlines
    named = (
        ("application", deadlines.application),
        ("recommendation", deadlines.recommendation),
        ("scoring", deadlines.scoring),
    )
    naive = [name for name, value in named if value.tzinfo is None or value.utcoffset() is None]
    for name in naive:
        problems[f"deadlines.{name}"] = msg("must include a time zone, like 2026-05-31T17:00:00+08:00")
    if not naive:
        if deadlines.recommendation <= deadlines.application:
            problems["deadlines.recommendation"] = msg("must be after the application deadline")
        if deadlines.scoring <= deadlines.recommendation:
            problems["deadlines.scoring"] = msg("must be after the recommendation deadline")
    try:
        validate_panel_size(data.panel_size)
    except InvalidPanelSize as exc:
        problems["panel_size"] = msg(
            "must be an odd number from %(min)s to %(max)s", min=exc.min_size, max=exc.max_size
        )
    for kind in data.kinds:
        if kind not in data.quotas:
            problems[f"quotas.{kind}"] = msg("is required for every opened kind")
    for kind, quota in data.quotas.items():
        if kind not in data.kinds:
            problems[f"quotas.{kind}"] = msg("is not a kind this round opens")
        elif isinstance(quota, bool) or quota < 1:
            problems[f"quotas.{kind}"] = msg("must be a whole number of at least 1")
    return problems


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
    if not actor.is_staff:
        raise Forbidden()
    problems = _round_problems(data)
    if problems:
        raise ValidationFailed(fields=problems)
    versions = {kind: freeze_shipped(session, actor=actor, kind=kind).version for kind in data.kinds}
    row = Round(
        year=data.year,
        title=data.title,
        status="draft",
        kinds=list(data.kinds),
        rubric_versions=versions,
        references=_references_stored(data.references),
        method=data.method,
        panel_size=data.panel_size,
        reserves=data.reserves,
        pass_line=data.pass_line,
        quotas={kind: data.quotas[kind] for kind in data.kinds},
        outlier_threshold=data.outlier_threshold,
        application_deadline=data.deadlines.application,
        recommendation_deadline=data.deadlines.recommendation,
        scoring_deadline=data.deadlines.scoring,
        notice_days=data.notice_days,
        created_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="round.create", entity="round", entity_id=row.id, after=round_out(row)
    )
    return row


def get_round(session: Session, *, actor: Actor, round_id: int) -> Round:
    """Any logged-in user may read a round (its settings are public to participants)."""
    row = session.get(Round, round_id)
    if row is None:
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
    if not actor.is_staff:
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
    row.status = transition(ROUND_TRANSITIONS, row.status, data.action)
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
    values: dict[str, Decimal | None] = {figure.code: None for figure in rubric.figures}
    values.update(effective_figures({code: decimal_text(v) for code, v in figures.items()}))
    return evaluate_gates(rubric, values, round_references(row))


def round_out(row: Round) -> dict[str, Any]:
    """The API shape of a round (API.md); decimals as strings, datetimes in ISO 8601."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": row.id,
        "year": row.year,
        "title": row.title,
        "kinds": list(row.kinds),
        "rubric_versions": dict(row.rubric_versions),
        "references": dict(row.references),
        "method": row.method,
        "panel_size": row.panel_size,
        "reserves": row.reserves,
        "pass_line": points_text(row.pass_line),
        "quotas": dict(row.quotas),
        "outlier_threshold": points_text(row.outlier_threshold),
        "deadlines": {
            "application": iso(row.application_deadline),
            "recommendation": iso(row.recommendation_deadline),
            "scoring": iso(row.scoring_deadline),
        },
        "notice_days": row.notice_days,
        "status": row.status,
        "version": row.version,
    }
