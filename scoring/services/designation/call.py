"""The public call for applications (no login): open and past rounds with their 建设重点 and 申报要求,
deadlines, the criteria of each kind as the appendix reads, and the call's documents."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core import richtext
from scoring.core.actors import Actor, Role
from scoring.core.errors import NotFound
from scoring.core.lifecycle import RoundStatus as S
from scoring.core.schema import Schema
from scoring.core.vocabulary import APPLICANT_KIND_OF_BASE
from scoring.services.designation import round_setup, rounds
from scoring.settings import Settings
from scoring.store.models import Application, Organisation, Round, RoundDocument


class RunOut(Schema):
    text: str
    bold: bool


class BlockOut(Schema):
    kind: str  # h | p | ul | ol
    lines: list[list[RunOut]]


class DeadlineOut(Schema):
    name: str  # application | recommendation | formal_check | scoring
    at: datetime | None


class CallSummary(Schema):
    id: int
    year: int
    title: str
    kinds: list[str]
    status: str
    accepting: bool  # applications may be filed now
    application_deadline: datetime | None


class IndicatorOut(Schema):
    code: str
    text_zh: str
    text_en: str
    kind: str  # expert | data
    max_points: Decimal


class SectionOut(Schema):
    code: str
    title_zh: str
    title_en: str
    weight: Decimal
    indicators: list[IndicatorOut]


class GateOut(Schema):
    code: str
    text_zh: str
    text_en: str


class CriteriaOut(Schema):
    kind: str
    title_zh: str
    title_en: str
    sections: list[SectionOut]
    gates: list[GateOut]


class CallOut(CallSummary):
    focus: list[BlockOut]
    requirements: list[BlockOut]
    deadlines: list[DeadlineOut]
    references: dict[str, str]
    criteria: list[CriteriaOut]
    documents: list[round_setup.RoundDocumentOut]


def _blocks(text: str) -> list[BlockOut]:
    return [
        BlockOut(kind=b.kind, lines=[[RunOut(text=r.text, bold=r.bold) for r in line] for line in b.lines])
        for b in richtext.parse(text)
    ]


def _summary(row: Round) -> CallSummary:
    return CallSummary(
        id=row.id,
        year=row.year,
        title=row.title,
        kinds=list(row.kinds),
        status=row.status,
        accepting=row.status == S.OPEN,
        application_deadline=row.application_deadline,
    )


def list_calls(session: Session) -> list[CallSummary]:
    """Every round past its draft, newest first (a draft is not public yet)."""
    rows = session.scalars(select(Round).where(Round.status != S.DRAFT.value).order_by(Round.id.desc()))
    return [_summary(r) for r in rows]


def _public_round(session: Session, round_id: int) -> Round:
    row = session.get(Round, round_id)
    if row is None or row.status == S.DRAFT:
        raise NotFound()
    return row


def criteria_of(session: Session, row: Round) -> list[CriteriaOut]:
    """The rubric frozen for each kind, section by section, clause by clause, and its gates."""
    out = []
    for kind in row.kinds:
        rubric = rounds.round_rubric(session, row, kind)
        out.append(
            CriteriaOut(
                kind=kind,
                title_zh=rubric.title_zh,
                title_en=rubric.title_en,
                sections=[
                    SectionOut(
                        code=s.code,
                        title_zh=s.title_zh,
                        title_en=s.title_en,
                        weight=s.weight,
                        indicators=[
                            IndicatorOut(
                                code=i.code,
                                text_zh=i.text_zh,
                                text_en=i.text_en,
                                kind=str(i.kind),
                                max_points=i.max_points,
                            )
                            for i in s.indicators
                        ],
                    )
                    for s in rubric.sections
                ],
                gates=[GateOut(code=g.code, text_zh=g.text_zh, text_en=g.text_en) for g in rubric.gates],
            )
        )
    return out


def get_call(session: Session, *, round_id: int) -> CallOut:
    row = _public_round(session, round_id)
    return CallOut(
        **_summary(row).model_dump(),
        focus=_blocks(row.focus),
        requirements=_blocks(row.requirements),
        deadlines=[
            DeadlineOut(name=name, at=getattr(row, round_setup.DEADLINE_COLUMNS[name]))
            for name in round_setup.DEADLINE_ORDER
        ],
        references=dict(row.references),
        criteria=criteria_of(session, row),
        documents=round_setup.round_documents(session, round_id=row.id),
    )


def open_document(
    session: Session, *, settings: Settings, round_id: int, document_id: int
) -> tuple[Path, str]:
    """The stored file and its download name; 404 for a draft round or another round's document."""
    _public_round(session, round_id)
    doc = session.get(RoundDocument, document_id)
    if doc is None or doc.round_id != round_id:
        raise NotFound()
    path = settings.files_dir / "round-documents" / doc.storage_name
    if not path.is_file():
        raise NotFound()
    return path, doc.original_name


class NextItem(Schema):
    round_id: int
    round_title: str
    kind: str
    application_id: int | None
    title: str
    status: str
    deadline: datetime | None
    reason: str | None


class NextSteps(Schema):
    """An applicant's home: calls it may still answer, drafts, returned items, and results."""

    open_calls: list[NextItem]
    drafts: list[NextItem]
    returned: list[NextItem]
    in_progress: list[NextItem]
    results: list[NextItem]


_RESULT_STATUSES = frozenset({"designated", "not_designated", "not_recommended"})
_RESULT_VISIBLE_ROUNDS = frozenset({S.NOTICE, S.PUBLISHED})


def applicant_next_steps(session: Session, *, actor: Actor) -> NextSteps:
    """What the applicant's organisation should do next, most urgent first (earliest deadline)."""
    if actor.role is not Role.APPLICANT or actor.organisation_id is None:
        raise NotFound()
    org = session.get(Organisation, actor.organisation_id)
    if org is None:
        raise NotFound()
    own_kinds = {
        base.value for base, org_kind in APPLICANT_KIND_OF_BASE.items() if org_kind.value == org.kind
    }
    apps = session.execute(
        select(Application, Round)
        .join(Round, Round.id == Application.round_id)
        .where(Application.organisation_id == org.id)
        .order_by(Application.id)
    ).all()
    applied = {(a.round_id, a.kind) for a, _ in apps}
    open_rounds = session.scalars(select(Round).where(Round.status == S.OPEN.value).order_by(Round.id)).all()
    open_calls = [
        NextItem(
            round_id=r.id,
            round_title=r.title,
            kind=kind,
            application_id=None,
            title=r.title,
            status="open",
            deadline=r.application_deadline,
            reason=None,
        )
        for r in open_rounds
        for kind in r.kinds
        if kind in own_kinds and (r.id, kind) not in applied
    ]

    def item(a: Application, r: Round) -> NextItem:
        return NextItem(
            round_id=r.id,
            round_title=r.title,
            kind=a.kind,
            application_id=a.id,
            title=a.title,
            status=a.status,
            deadline=r.application_deadline,
            reason=a.status_reason,
        )

    def by_deadline(items: list[NextItem]) -> list[NextItem]:
        return sorted(
            items, key=lambda i: (i.deadline is None, i.deadline or datetime.max.replace(tzinfo=UTC))
        )

    return NextSteps(
        open_calls=by_deadline(open_calls),
        drafts=by_deadline([item(a, r) for a, r in apps if a.status == "draft"]),
        returned=by_deadline([item(a, r) for a, r in apps if a.status == "returned"]),
        in_progress=[
            item(a, r)
            for a, r in apps
            if a.status not in ("draft", "returned")
            and not (a.status in _RESULT_STATUSES and r.status in _RESULT_VISIBLE_ROUNDS)
        ],
        results=[
            item(a, r) for a, r in apps if a.status in _RESULT_STATUSES and r.status in _RESULT_VISIBLE_ROUNDS
        ],
    )
