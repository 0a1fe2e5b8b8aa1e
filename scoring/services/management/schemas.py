"""The management phase's contract: input models and typed read models of bases and evaluations."""

# A little over 400 lines on purpose: the one contract both edges render, read in one place.

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from scoring.core.figures import FigureName
from scoring.core.i18n import Text
from scoring.core.ids import RowId, Version
from scoring.core.lifecycle import (
    BaseStatus,
    CampaignStatus,
    EvaluationStatus,
    RectificationStatus,
    RevocationStatus,
)
from scoring.core.schema import Schema
from scoring.core.vocabulary import BaseKind, Grade

TEXT_MAX = 4000
DOCUMENT_NO_MAX = 100


class EvaluationPurpose(StrEnum):
    REGULAR = "regular"
    RE_EVALUATION = "re_evaluation"  # after a rectification order


# Timestamps in JSON exactly as `datetime.isoformat()` writes them (the API has always sent them so).
IsoDateTime = Annotated[datetime, PlainSerializer(lambda v: v.isoformat(), return_type=str)]


# A rubric's own bilingual wording (not a catalog msgid): the same type as a figure's name.
Wording = FigureName


def wording(zh: str, en: str) -> Wording:
    return Wording(msgid=en, zh=zh)


# ---- inputs -----------------------------------------------------------------------------------


class FiguresIn(Schema):
    model_config = ConfigDict(extra="forbid")

    year: Annotated[int, Field(ge=2000, le=2100)]
    figures: dict[str, Any]


class FigureCorrectionIn(Schema):
    """A correction of a year's figures already read by a submitted evaluation: a new dated declaration."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: Annotated[int, Field(ge=2000, le=2100)]
    figures: dict[str, Any]
    reason: Annotated[str, Field(max_length=TEXT_MAX)] = ""


class RectificationIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reasons: Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]
    deadline: date | None = None  # default: six months from today


class RestoreIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(max_length=TEXT_MAX)] | None = None


class RevocationIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: Annotated[str, Field(min_length=1, max_length=TEXT_MAX)]


class RevocationConfirmIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    document_no: Annotated[str, Field(min_length=1, max_length=DOCUMENT_NO_MAX)]
    decided_on: date


class BandsIn(Schema):
    """A campaign's own grade bands; without them the campaign takes the performance rubric's."""

    model_config = ConfigDict(extra="forbid")

    excellent: Annotated[Decimal, Field(gt=0, le=100)]
    pass_: Annotated[Decimal, Field(gt=0, le=100, alias="pass")]

    @model_validator(mode="after")
    def _ordered(self) -> BandsIn:
        if self.pass_ >= self.excellent:
            raise ValueError("the pass band must be below the excellent band")
        return self


def _not_a_number(value: Any) -> Any:
    # Pydantic reads a number as seconds since 1970; a deadline is written as an ISO date-time.
    if isinstance(value, int | float):
        raise ValueError("a date-time is written as text")
    return value


class CampaignReferencesIn(Schema):
    """That year's R&D intensity references (%), each with the document it is taken from."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    provincial_rd_intensity: Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)] | None = None
    provincial_rd_intensity_source: Annotated[str, Field(max_length=300)] = ""
    city_rd_intensity: Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)] | None = None
    city_rd_intensity_source: Annotated[str, Field(max_length=300)] = ""


class CampaignIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    year: Annotated[int, Field(ge=2000, le=2100)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    bands: BandsIn | None = None
    references: CampaignReferencesIn | None = None
    deadline: Annotated[datetime, BeforeValidator(_not_a_number)] | None = None


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    purpose: EvaluationPurpose = EvaluationPurpose.REGULAR
    campaign_id: RowId | None = None
    evaluator_ids: Annotated[list[RowId], Field(min_length=1, max_length=20)]
    deadline: datetime | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None  # bringing a re-evaluation forward


class DeclarationIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    no_conflict: bool
    reason: Annotated[str, Field(max_length=2000)] | None = None


class EvaluationUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    scores: dict[str, Any] = {}  # noqa: RUF012 (pydantic copies defaults)
    comments: Annotated[str, Field(max_length=5000)] | None = None
    version: Version


# ---- read models ------------------------------------------------------------------------------


class ReadModel(Schema):
    model_config = ConfigDict(frozen=True)


def _absent(value: object) -> bool:
    return value is None


def shown_to_some(description: str) -> Any:
    """A field only some callers get (staff, or an evaluator after the declaration): left out of the
    JSON, not sent as null, for everyone else."""
    return Field(default=None, exclude_if=_absent, description=description)


class BaseOut(ReadModel):
    id: int
    name: str
    kind: BaseKind
    district: str | None
    organisation_id: int
    round_id: int
    status: BaseStatus
    designated_on: date
    document_no: str
    promotion_marked: bool
    revoked_on: date | None
    revocation_document_no: str | None
    version: int


class BaseList(ReadModel):
    items: list[BaseOut]


class HistoryEntry(ReadModel):
    at: IsoDateTime
    event: str
    detail: dict[str, Any]


class RectificationOut(ReadModel):
    id: int
    evaluation_id: int
    reasons: str
    deadline: date
    status: RectificationStatus
    brought_forward_reason: str | None
    issued_at: IsoDateTime


class RevocationOut(ReadModel):
    id: int
    status: RevocationStatus
    reason: str
    proposed_at: IsoDateTime
    document_no: str | None
    decided_on: date | None


class StaffRevocationOut(RevocationOut):
    """Staff also see who proposed and who confirmed."""

    proposed_by_id: int | None
    confirmed_by_id: int | None


class OutcomeOut(ReadModel):
    """An evaluation group's outcome as the base sees it: never who evaluated."""

    campaign: str | None
    purpose: EvaluationPurpose
    year: int
    complete: bool
    submitted: int
    expected: int
    score: Decimal | None  # the exact mean of the totals, to the cent
    grade: Grade | None
    blocked: Text | None = shown_to_some("Why no score can be computed yet: a reference the campaign lacks.")


class EvaluationRow(ReadModel):
    """One evaluator's evaluation of a base, for staff."""

    id: int
    evaluator: str
    purpose: EvaluationPurpose
    year: int
    status: EvaluationStatus
    total: Decimal | None
    grade: Grade | None


class FigurePoint(ReadModel):
    year: int
    value: str | None
    change: str | None  # "+1.2": points for percentages, units for counts and amounts


class FigureSeries(ReadModel):
    code: str
    name_zh: str
    name_en: str
    type: str
    unit: str | None
    points: list[FigurePoint]


class FiguresByYear(ReadModel):
    years: list[int]
    series: list[FigureSeries]


class EvidenceOut(ReadModel):
    id: int
    indicator_code: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: IsoDateTime
    figures_year: int | None


class SheetEvidenceOut(EvidenceOut):
    after_submission: bool  # added after the sheet was submitted: its evaluator did not read it


class BaseDetail(BaseOut):
    history: list[HistoryEntry]
    rectifications: list[RectificationOut]
    revocation: StaffRevocationOut | RevocationOut | None
    outcomes: list[OutcomeOut]
    figures_by_year: FiguresByYear
    evidence: list[EvidenceOut]
    figure_corrections: list[FigureCorrectionOut] = []  # noqa: RUF012 (pydantic copies defaults)
    evaluations: list[EvaluationRow] | None = shown_to_some("Staff only: each evaluator's evaluation.")


class FigureCorrectionOut(ReadModel):
    """A dated correction of a year's figures, made after the evaluation of `evaluated_at`; the
    submitted evaluation keeps the figures it read."""

    id: int
    year: int
    figures: dict[str, str]
    reason: str
    declared_at: IsoDateTime
    evaluated_at: IsoDateTime | None  # when the evaluation it follows was submitted


class FiguresDeclared(ReadModel):
    base_id: int
    year: int
    figures: dict[str, str]
    changed: bool


class DueRectification(ReadModel):
    base_id: int
    base: str
    rectification_id: int
    deadline: date
    days_overdue: int


class DueEvaluation(ReadModel):
    base_id: int
    base: str
    evaluation_id: int
    purpose: EvaluationPurpose
    status: EvaluationStatus
    deadline: date
    days_overdue: int


class Due(ReadModel):
    rectifications: list[DueRectification]
    evaluations: list[DueEvaluation]


class Assigned(ReadModel):
    created: list[int]


class Bands(ReadModel):
    """优秀 from `excellent`, 合格 from `pass` (both inclusive), else 不合格."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)

    excellent: Decimal
    pass_: Decimal = Field(alias="pass")


class CampaignOut(ReadModel):
    id: int
    year: int
    title: str
    status: CampaignStatus
    bands: Bands | None  # None: each kind's evaluations are graded by the bands of its rubric
    rubric_versions: dict[str, str]
    deadline: IsoDateTime | None
    references: dict[str, str] = Field(
        default_factory=dict,
        description="The campaign's own reference values (%), each with `<key>_source`; absent: not set.",
    )


class CampaignList(ReadModel):
    items: list[CampaignOut]


class BaseRef(ReadModel):
    id: int
    name: str
    kind: BaseKind
    district: str | None


class EvaluatorRef(ReadModel):
    id: int
    name: str


class EvaluationSummary(ReadModel):
    id: int
    base: BaseRef
    purpose: EvaluationPurpose
    year: int
    status: EvaluationStatus
    deadline: IsoDateTime | None
    progress: str  # how many indicators are scored
    version: int
    evaluator: EvaluatorRef | None = shown_to_some("Staff only.")


class EvaluationList(ReadModel):
    items: list[EvaluationSummary]


class IndicatorOut(ReadModel):
    code: str
    section: Text
    text: Text
    kind: str
    max_points: str
    step: str
    result: str | None = None  # a data rule: pass, fail, missing (None: expert or not computed)
    detail: str | None = None  # its arithmetic, e.g. "2.80% > 2.52%"
    not_computed: Text | None = None  # why a data indicator is not computed (no campaign reference)


class SheetOut(EvaluationSummary):
    """The sheet; the rubric, the figures and the evidence only after the no-conflict declaration."""

    scores: dict[str, str]
    comments: str
    total: Decimal | None
    grade: Grade | None
    submitted_at: IsoDateTime | None
    figures: dict[str, str] | None = shown_to_some("After the no-conflict declaration.")
    indicators: list[IndicatorOut] | None = shown_to_some("After the no-conflict declaration.")
    evidence: list[SheetEvidenceOut] | None = shown_to_some("After the no-conflict declaration.")
    blocked: Text | None = shown_to_some("Why no total can be computed yet: a reference the campaign lacks.")

    @property
    def expected(self) -> int:
        """How many indicators the evaluator scores."""
        return sum(1 for i in self.indicators or () if i.kind == "expert")


# ---- what the pages' forms offer --------------------------------------------------------------


class FigureField(ReadModel):
    code: str
    name: Text
    unit: str
    declared: bool  # declared by the base (not computed from other figures)


class BaseForms(ReadModel):
    """The choices of a base page's forms: evidence per indicator, the figures to declare."""

    indicator_names: dict[str, Text]
    figures: list[FigureField]
    default_year: int  # evidence is most likely for the latest declared year, else last year


class EvaluatorChoice(ReadModel):
    id: int
    name: str
    conflict: Text | None  # why this evaluator may not evaluate the base
