"""Round set-up by staff: create with the public call's texts, edit each field only while that is safe,
extend a deadline at any time with a reason, and attach the call's documents (PDF). Every edit is audited
with the values before and after."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.apply_rules import DEFAULT_COOLING_OFF_YEARS
from scoring.core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    StaleVersion,
    TooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    invalid,
)
from scoring.core.i18n import Msg, Text, msg
from scoring.core.ids import Version
from scoring.core.lifecycle import RoundStatus as S
from scoring.core.richtext import MAX_CHARS
from scoring.core.round_rules import panel_and_quota_problems
from scoring.core.schema import Schema
from scoring.services.admin.rubrics import freeze_shipped
from scoring.services.admin.upload_names import clean_name
from scoring.services.designation import rounds
from scoring.settings import Settings
from scoring.store import audit
from scoring.store.models import Round, RoundDocument

CallText = Annotated[str, Field(max_length=MAX_CHARS)]
# kind -> {rubric section code: minimum points}; a section left out has no minimum.
SectionMinimums = dict[str, dict[str, Annotated[Decimal, Field(ge=0, decimal_places=2)]]]
DeadlineName = Literal["application", "recommendation", "formal_check", "scoring"]
DEADLINE_ORDER: tuple[DeadlineName, ...] = ("application", "recommendation", "formal_check", "scoring")
DEADLINE_COLUMNS = {
    "application": "application_deadline",
    "recommendation": "recommendation_deadline",
    "formal_check": "formal_check_deadline",
    "scoring": "scoring_deadline",
}

_BEFORE_REVIEW = frozenset({S.DRAFT, S.OPEN, S.RECOMMENDING})
_BEFORE_DECIDING = _BEFORE_REVIEW | {S.REVIEWING}
_UNPUBLISHED = _BEFORE_DECIDING | {S.DECIDING, S.NOTICE}
# Where each field may still change. Rubric versions follow the kinds and freeze when the round opens;
# reference values freeze when applications close and the formal check starts; the panel's size when
# panels are drawn (review); method, pass line and quotas when ranking starts (deciding). Deadlines
# are set freely in draft and afterwards only extended, with a reason (extend_deadline).
EDITABLE_IN: dict[str, frozenset[str]] = {
    "title": _UNPUBLISHED,
    "focus": _UNPUBLISHED,
    "requirements": _UNPUBLISHED,
    "year": frozenset({S.DRAFT}),
    "kinds": frozenset({S.DRAFT}),
    "deadlines": frozenset({S.DRAFT}),
    "references": frozenset({S.DRAFT, S.OPEN}),
    "cooling_off_years": frozenset({S.DRAFT, S.OPEN}),  # read when a draft is created
    "panel_size": _BEFORE_REVIEW,
    "reserves": _BEFORE_REVIEW,
    "method": _BEFORE_DECIDING,
    "pass_line": _BEFORE_DECIDING,
    "quotas": _BEFORE_DECIDING,
    "section_minimums": _BEFORE_DECIDING,
}
_FROZEN_WHY: dict[str, Msg] = {
    "kinds": msg("is frozen once the round is open (the rubric versions are fixed then)"),
    "year": msg("is frozen once the round is open"),
    "deadlines": msg("can only be extended once the round is open (with a reason)"),
    "references": msg("is frozen once applications close and the formal check starts"),
    "cooling_off_years": msg("is frozen once applications close"),
    "panel_size": msg("is frozen once the review starts (panels are drawn)"),
    "reserves": msg("is frozen once the review starts (panels are drawn)"),
    "method": msg("is frozen once ranking starts"),
    "pass_line": msg("is frozen once ranking starts"),
    "quotas": msg("is frozen once ranking starts"),
    "section_minimums": msg("is frozen once ranking starts"),
}
_PUBLISHED = msg("is frozen: the round's list is published")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


# Years a revoked base's organisation waits before applying again for that kind (DOMAIN §8), whole years.
CoolingOffYears = Annotated[int, Field(ge=0, le=10)]


class ReferenceSetupIn(Schema):
    model_config = ConfigDict(extra="forbid")

    provincial_rd_intensity: Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)] | None = None
    city_rd_intensity: Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)] | None = None
    rd_reference: Literal["provincial", "city"] = "provincial"
    data_year: Annotated[int, Field(ge=2000, le=2100)] | None = None
    source: Annotated[str, Field(max_length=300)] = ""  # e.g. 《2023年河北省科技经费投入统计公报》


class DeadlineSetupIn(Schema):
    model_config = ConfigDict(extra="forbid")

    application: datetime
    recommendation: datetime
    formal_check: datetime | None = None
    scoring: datetime


class RoundSetupIn(Schema):
    """A new round as the set-up page (or `POST /api/v1/rounds/setup`) gives it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: Annotated[int, Field(ge=2000, le=2100)]
    title: Annotated[str, Field(min_length=2, max_length=200)]
    kinds: Annotated[list[Literal["regional", "university", "enterprise"]], Field(min_length=1, max_length=3)]
    focus: CallText = ""
    requirements: CallText = ""
    references: ReferenceSetupIn = Field(default_factory=ReferenceSetupIn)
    deadlines: DeadlineSetupIn
    panel_size: int = 5
    reserves: Annotated[int, Field(ge=0, le=10)] = 2
    method: Literal["trimmed_mean", "mean", "median"] = "trimmed_mean"
    pass_line: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] = Decimal("60")
    quotas: dict[str, int]
    cooling_off_years: CoolingOffYears = DEFAULT_COOLING_OFF_YEARS


class RoundEditIn(Schema):
    """Changes to a round; absent fields stay. `version` is the round's version as read (409 if stale)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: Version
    title: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None
    kinds: (
        Annotated[list[Literal["regional", "university", "enterprise"]], Field(min_length=1, max_length=3)]
        | None
    ) = None
    focus: CallText | None = None
    requirements: CallText | None = None
    references: ReferenceSetupIn | None = None
    deadlines: DeadlineSetupIn | None = None
    panel_size: int | None = None
    reserves: Annotated[int, Field(ge=0, le=10)] | None = None
    method: Literal["trimmed_mean", "mean", "median"] | None = None
    pass_line: Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)] | None = None
    quotas: dict[str, int] | None = None
    # Replaces the round's section thresholds as a whole: a kind or section left out has none ({}: off).
    section_minimums: SectionMinimums | None = None
    cooling_off_years: CoolingOffYears | None = None


class DeadlineExtensionIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    deadline: DeadlineName
    until: datetime
    reason: Annotated[str, Field(max_length=2000)] = ""


class RoundDocumentOut(Schema):
    id: int
    round_id: int
    title: str
    original_name: str
    size_bytes: int
    uploaded_at: datetime


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden()


def _references(refs: ReferenceSetupIn) -> dict[str, str]:
    out: dict[str, str] = {"rd_reference": refs.rd_reference}
    if refs.provincial_rd_intensity is not None:
        out["provincial_rd_intensity"] = rounds.decimal_text(refs.provincial_rd_intensity)
    if refs.city_rd_intensity is not None:
        out["city_rd_intensity"] = rounds.decimal_text(refs.city_rd_intensity)
    if refs.data_year is not None:
        out["data_year"] = str(refs.data_year)
    if refs.source:
        out["source"] = refs.source
    return out


def _deadline_problems(values: dict[str, datetime | None]) -> dict[str, Msg]:
    problems: dict[str, Msg] = {}
    for name, value in values.items():
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            problems[f"deadlines.{name}"] = msg("must include a time zone, like 2026-05-31T17:00:00+08:00")
    if problems:
        return problems
    previous: tuple[str, datetime] | None = None
    for name in DEADLINE_ORDER:
        value = values.get(name)
        if value is None:
            continue
        if previous is not None and value <= previous[1]:
            problems[f"deadlines.{name}"] = msg(
                "must be after the %(previous)s deadline", previous=_DEADLINE_NAMES[previous[0]]
            )
        previous = (name, value)
    return problems


_DEADLINE_NAMES: dict[str, Msg] = {
    "application": msg("application"),
    "recommendation": msg("county recommendation"),
    "formal_check": msg("formal check"),
    "scoring": msg("scoring"),
}


def _settings_problems(
    *, kinds: list[str], quotas: dict[str, int], panel_size: int, refs: dict[str, str]
) -> dict[str, Msg]:
    problems: dict[str, Msg] = {}
    if len(set(kinds)) != len(kinds):
        problems["kinds"] = msg("must not name a kind twice")
    problems.update(panel_and_quota_problems(kinds=kinds, quotas=quotas, panel_size=panel_size))
    if "regional" in kinds and "provincial_rd_intensity" not in refs:
        problems["references.provincial_rd_intensity"] = msg(
            "is required when regional bases are opened (the R&D-intensity gate compares with it)"
        )
    if refs.get("rd_reference") == "city" and "city_rd_intensity" not in refs:
        problems["references.city_rd_intensity"] = msg("is required when the city average is the reference")
    return problems


def snapshot(row: Round) -> dict[str, Any]:
    """The editable settings of a round, as audited before and after an edit."""
    return {
        "title": row.title,
        "year": row.year,
        "kinds": list(row.kinds),
        "rubric_versions": dict(row.rubric_versions),
        "focus": row.focus,
        "requirements": row.requirements,
        "references": dict(row.references),
        "deadlines": {name: _iso(getattr(row, DEADLINE_COLUMNS[name])) for name in DEADLINE_ORDER},
        "panel_size": row.panel_size,
        "reserves": row.reserves,
        "method": row.method,
        "pass_line": rounds.decimal_text(row.pass_line.quantize(Decimal("0.01"))),
        "quotas": dict(row.quotas),
        "section_minimums": {kind: dict(m) for kind, m in (row.section_minimums or {}).items()},
        "cooling_off_years": row.cooling_off_years,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _minimums_problems(session: Session, row: Round, given: SectionMinimums) -> dict[str, Msg]:
    """Each minimum must name a section of its kind's rubric and lie within 0 and its maximum points."""
    problems: dict[str, Msg] = {}
    for kind, minimums in given.items():
        if kind not in row.kinds:
            problems[f"section_minimums.{kind}"] = msg("is not a kind this round opens")
            continue
        sections = {s.code: s for s in rounds.round_rubric(session, row, kind).sections}
        for code, minimum in minimums.items():
            field = f"section_minimums.{kind}.{code}"
            section = sections.get(code)
            if section is None:
                problems[field] = msg("is not a section of this kind's rubric")
            elif minimum > section.weight:
                problems[field] = msg(
                    "must be at most the section's maximum of %(max)s points",
                    max=rounds.decimal_text(section.weight.quantize(Decimal("0.01"))),
                )
    return problems


def _minimums_stored(given: SectionMinimums) -> dict[str, dict[str, str]]:
    return {
        kind: {code: rounds.decimal_text(m.quantize(Decimal("0.01"))) for code, m in minimums.items()}
        for kind, minimums in given.items()
        if minimums
    }


def create_round(session: Session, *, actor: Actor, data: RoundSetupIn) -> Round:
    """A new round in draft, its call texts and the formal-check deadline with it (one audit event)."""
    _require_staff(actor)
    refs = _references(data.references)
    problems = _settings_problems(
        kinds=list(data.kinds), quotas=data.quotas, panel_size=data.panel_size, refs=refs
    )
    problems.update(_deadline_problems({name: getattr(data.deadlines, name) for name in DEADLINE_ORDER}))
    if problems:
        raise ValidationFailed(fields=problems)
    row = Round(
        year=data.year,
        title=data.title,
        status=S.DRAFT.value,
        kinds=list(data.kinds),
        rubric_versions={
            kind: freeze_shipped(session, actor=actor, kind=kind).version for kind in data.kinds
        },
        references=refs,
        method=data.method,
        panel_size=data.panel_size,
        reserves=data.reserves,
        pass_line=data.pass_line,
        quotas={kind: data.quotas[kind] for kind in data.kinds},
        cooling_off_years=data.cooling_off_years,
        application_deadline=data.deadlines.application,
        recommendation_deadline=data.deadlines.recommendation,
        formal_check_deadline=data.deadlines.formal_check,
        scoring_deadline=data.deadlines.scoring,
        focus=data.focus,
        requirements=data.requirements,
        created_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="round.create", entity="round", entity_id=row.id, after=snapshot(row)
    )
    return row


def frozen_fields(status: str) -> dict[str, Msg]:
    """The fields that may no longer change in a status, each with the reason (the page greys them)."""
    return {
        field: (_PUBLISHED if status == S.PUBLISHED else _FROZEN_WHY.get(field, _PUBLISHED))
        for field, allowed in EDITABLE_IN.items()
        if status not in allowed
    }


def edit_round(session: Session, *, actor: Actor, round_id: int, data: RoundEditIn) -> Round:
    """Apply the given changes if each field is still editable in the round's status; audit the diff."""
    _require_staff(actor)
    row = rounds.get_round_for_update(session, round_id=round_id)
    if data.version != row.version:
        raise StaleVersion(rounds.msg_stale(data.version, row.version))
    given = {name for name in data.model_fields_set if name != "version" and getattr(data, name) is not None}
    frozen = frozen_fields(row.status)
    refused = {name: frozen[name] for name in given if name in frozen}
    if refused:
        raise Conflict(
            msg("Some fields can no longer change in this round."), fields=refused, code="frozen_field"
        )
    kinds: list[str] = list(data.kinds) if data.kinds is not None else list(row.kinds)
    refs = _references(data.references) if data.references is not None else dict(row.references)
    if data.references is not None and not data.references.source and "source" in row.references:
        refs["source"] = row.references["source"]
    quotas = dict(data.quotas) if data.quotas is not None else dict(row.quotas)
    if data.kinds is not None and data.quotas is None:
        quotas = {kind: quotas[kind] for kind in kinds if kind in quotas}
    panel_size = data.panel_size if data.panel_size is not None else row.panel_size
    problems = _settings_problems(kinds=kinds, quotas=quotas, panel_size=panel_size, refs=refs)
    if data.deadlines is not None:
        problems.update(_deadline_problems({name: getattr(data.deadlines, name) for name in DEADLINE_ORDER}))
    if data.section_minimums is not None:
        problems.update(_minimums_problems(session, row, data.section_minimums))
    if problems:
        raise ValidationFailed(fields=problems)
    before = snapshot(row)
    for name in (
        "title",
        "year",
        "focus",
        "requirements",
        "reserves",
        "method",
        "pass_line",
        "cooling_off_years",
    ):
        value = getattr(data, name)
        if value is not None:
            setattr(row, name, value)
    if data.kinds is not None and kinds != list(row.kinds):
        row.kinds = kinds
        row.rubric_versions = {
            kind: freeze_shipped(session, actor=actor, kind=kind).version for kind in kinds
        }
    row.references = refs
    row.quotas = {kind: quotas[kind] for kind in kinds}
    row.panel_size = panel_size
    if data.section_minimums is not None:
        row.section_minimums = _minimums_stored(data.section_minimums)
    elif data.kinds is not None:  # a kind no longer opened keeps no thresholds
        row.section_minimums = {k: m for k, m in (row.section_minimums or {}).items() if k in kinds}
    if data.deadlines is not None:
        for name in DEADLINE_ORDER:
            setattr(row, DEADLINE_COLUMNS[name], getattr(data.deadlines, name))
    after = snapshot(row)
    if before == after:
        return row
    row.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.edit",
        entity="round",
        entity_id=row.id,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return row


def extend_deadline(session: Session, *, actor: Actor, round_id: int, data: DeadlineExtensionIn) -> Round:
    """Move one deadline later, at any time before publication, with a recorded reason."""
    _require_staff(actor)
    problems: dict[str, Msg] = {}
    if len(data.reason) < 2:
        problems["reason"] = msg("is required: say why the deadline moves")
    if data.until.tzinfo is None or data.until.utcoffset() is None:
        problems["until"] = msg("must include a time zone, like 2026-05-31T17:00:00+08:00")
    if problems:
        raise ValidationFailed(fields=problems)
    row = rounds.get_round_for_update(session, round_id=round_id)
    if row.status == S.PUBLISHED:
        raise Conflict(msg("The round is published; its deadlines are history."), code="frozen_field")
    column = DEADLINE_COLUMNS[data.deadline]
    current: datetime | None = getattr(row, column)
    if current is not None and data.until <= current:
        raise invalid(
            "until",
            msg(
                "must be later than the current deadline (%(current)s)",
                current=rounds.format_deadline(current),
            ),
        )
    later = DEADLINE_ORDER[DEADLINE_ORDER.index(data.deadline) + 1 :]
    for name in later:
        following: datetime | None = getattr(row, DEADLINE_COLUMNS[name])
        if following is not None and data.until >= following:
            raise invalid(
                "until",
                msg(
                    "must be before the %(next)s deadline; extend that one first", next=_DEADLINE_NAMES[name]
                ),
            )
    setattr(row, column, data.until)
    row.version += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.extend_deadline",
        entity="round",
        entity_id=row.id,
        before={data.deadline: _iso(current)},
        after={data.deadline: _iso(data.until)},
        reason=data.reason,
    )
    return row


def add_document(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    round_id: int,
    title: str,
    content: bytes,
    filename: str,
) -> RoundDocumentOut:
    """Attach a PDF to the round's public call."""
    _require_staff(actor)
    if session.get(Round, round_id) is None:
        raise NotFound()
    limit = min(settings.max_file_bytes, MAX_DOCUMENT_BYTES)
    if len(content) > limit:
        raise TooLarge(
            msg("The file is larger than the limit of %(limit)s MB.", limit=limit // (1024 * 1024))
        )
    if not content:
        raise invalid("file", msg("is empty"))
    if not content.startswith(b"%PDF-"):
        raise UnsupportedMediaType(msg("Only PDF files are accepted for the call's documents."))
    name = clean_name(filename or "notice.pdf")
    storage = f"call-{secrets.token_hex(16)}.pdf"
    folder = settings.files_dir / "round-documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / storage).write_bytes(content)
    doc = RoundDocument(
        round_id=round_id,
        title=(title.strip() or name)[:200],
        original_name=name,
        content_type="application/pdf",
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        storage_name=storage,
        uploaded_by_id=actor.user_id,
    )
    session.add(doc)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="round.add_document",
        entity="round",
        entity_id=round_id,
        after={"document_id": doc.id, "title": doc.title, "sha256": doc.sha256, "size_bytes": doc.size_bytes},
    )
    return document_out(doc)


def document_out(doc: RoundDocument) -> RoundDocumentOut:
    return RoundDocumentOut(
        id=doc.id,
        round_id=doc.round_id,
        title=doc.title,
        original_name=doc.original_name,
        size_bytes=doc.size_bytes,
        uploaded_at=doc.uploaded_at,
    )


def round_documents(session: Session, *, round_id: int) -> list[RoundDocumentOut]:
    rows = session.scalars(
        select(RoundDocument).where(RoundDocument.round_id == round_id).order_by(RoundDocument.id)
    )
    return [document_out(d) for d in rows]


class SectionOut(Schema):
    code: str
    title_zh: str
    title_en: str
    max_points: Decimal


class RoundSetupOut(Schema):
    """A round's settings as the set-up page shows them, with the fields frozen in its status and why."""

    id: int
    status: str
    version: int
    title: str
    year: int
    kinds: list[str]
    rubric_versions: dict[str, str]
    focus: str
    requirements: str
    references: dict[str, str]
    deadlines: dict[str, datetime | None]
    panel_size: int
    reserves: int
    method: str
    pass_line: Decimal
    quotas: dict[str, int]
    section_minimums: dict[str, dict[str, Decimal]]
    sections: dict[str, list[SectionOut]]  # per kind, the rubric's sections a minimum can be set for
    cooling_off_years: int
    frozen: dict[str, Text]
    documents: list[RoundDocumentOut]


def setup_out(session: Session, row: Round) -> RoundSetupOut:
    return RoundSetupOut(
        id=row.id,
        status=row.status,
        version=row.version,
        title=row.title,
        year=row.year,
        kinds=list(row.kinds),
        rubric_versions=dict(row.rubric_versions),
        focus=row.focus,
        requirements=row.requirements,
        references=dict(row.references),
        deadlines={name: getattr(row, DEADLINE_COLUMNS[name]) for name in DEADLINE_ORDER},
        panel_size=row.panel_size,
        reserves=row.reserves,
        method=row.method,
        pass_line=row.pass_line,
        quotas=dict(row.quotas),
        section_minimums={
            kind: {code: Decimal(text) for code, text in m.items()}
            for kind, m in (row.section_minimums or {}).items()
        },
        sections={
            kind: [
                SectionOut(code=s.code, title_zh=s.title_zh, title_en=s.title_en, max_points=s.weight)
                for s in rounds.round_rubric(session, row, kind).sections
            ]
            for kind in row.kinds
            if kind in row.rubric_versions
        },
        cooling_off_years=row.cooling_off_years,
        frozen=dict(frozen_fields(row.status)),
        documents=round_documents(session, round_id=row.id),
    )


def get_setup(session: Session, *, actor: Actor, round_id: int) -> RoundSetupOut:
    _require_staff(actor)
    row = session.get(Round, round_id)
    if row is None:
        raise NotFound()
    return setup_out(session, row)
