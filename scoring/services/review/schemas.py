"""The review phase's typed read models: the one contract the API and the pages render.

Dates and times serialise exactly as before (`isoformat()`, so an aware UTC time keeps "+00:00"),
decimals as strings of two places where the API always showed two, codes stay codes.

Over 400 lines: declarations only, one class per JSON object of the phase's contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, PlainSerializer, WithJsonSchema, field_validator

from scoring.core.draw import MAX_SEED
from scoring.core.i18n import Text, current_locale
from scoring.core.ids import RowId, Version
from scoring.core.schema import Schema


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# A date or time in JSON exactly as `isoformat()` writes it (pydantic would write "Z" for UTC).
Stamp = Annotated[datetime | None, PlainSerializer(_iso, return_type=str | None)]
Day = Annotated[date | None, PlainSerializer(_iso, return_type=str | None)]


@dataclass(frozen=True)
class Bilingual:
    """Rubric data given in both languages (not a message id): shown in the caller's language."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en if current_locale.get() == "en" else self.zh


def _bilingual(value: Bilingual | str) -> str:
    return str(value)


LocalText = Annotated[
    Bilingual | str, PlainSerializer(_bilingual, return_type=str), WithJsonSchema({"type": "string"})
]


class ReadModel(Schema):
    model_config = ConfigDict(frozen=True)


# ---- inputs -------------------------------------------------------------------------------------

MAX_RESERVES = 20
COMMENTS_MAX = 5_000
REASON_MAX = 2_000
DOCUMENT_NO_MAX = 100
NAME_MAX = 100
CONTACT_MAX = 100
OBJECTION_TEXT_MAX = 5_000


class DrawIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str
    size: int | None = None
    reserves: int | None = Field(default=None, ge=0, le=MAX_RESERVES)
    seed: int | None = Field(default=None, ge=0, lt=MAX_SEED)
    strata: dict[str, int] | None = None  # expert field -> members needed (a committed draw sets it)


class ExtendIn(Schema):
    """Experts added to a panel as further reserves, when declines have used the reserves up."""

    model_config = ConfigDict(extra="forbid")

    expert_ids: list[RowId] = Field(min_length=1, max_length=50)


class DeclarationIn(Schema):
    """The no-conflict declaration (回避声明): true to score, false with a reason to decline."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    no_conflict: bool
    reason: str = Field(default="", max_length=REASON_MAX)


class SheetUpdate(Schema):
    """An autosave: the full set of scores entered so far (absent or null = not scored yet)."""

    model_config = ConfigDict(extra="forbid")

    scores: dict[str, Any] = Field(default_factory=dict)
    comments: str | None = Field(default=None, max_length=COMMENTS_MAX)
    version: Version


class SubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Version | None = None


class ReopenIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(default="", max_length=REASON_MAX)
    version: Version | None = None


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: str
    designate: Annotated[list[RowId], Field(max_length=10_000)]
    reason: Annotated[str, Field(max_length=REASON_MAX)] | None = None

    @field_validator("reason")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value or None


class ApprovalIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    document_no: Annotated[str, Field(min_length=1, max_length=DOCUMENT_NO_MAX)]
    approved_on: date


class PublicationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Literal["propose", "confirm", "finalize"]


class ObjectionIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    round_id: RowId
    application_id: RowId
    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    contact: Annotated[str, Field(min_length=1, max_length=CONTACT_MAX)]
    text: Annotated[str, Field(min_length=1, max_length=OBJECTION_TEXT_MAX)]


class ResolutionIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["uphold", "dismiss"]
    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX)]
    seat: Literal["vacant", "backfill"] | None = Field(
        default=None,
        description="Required when upholding against an entry on the list: leave its seat vacant or "
        "fill it from the next eligible application of the kind; left out when dismissing.",
    )


class RevisionIn(Schema):
    """The supplementary notice of entries a changed list added: proposed by one, confirmed by another."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["propose", "confirm"]


# ---- panels -------------------------------------------------------------------------------------


class ExpertRef(ReadModel):
    id: int
    name: str


class Exclusion(ReadModel):
    expert: ExpertRef
    application_id: int
    reason: str = Field(description="Code: same_affiliation, same_district or declared_conflict.")
    reason_text: Text


class PanelOut(ReadModel):
    panel_id: int
    round_id: int
    kind: str
    size: int
    seed: int
    experts: list[ExpertRef]
    reserves: list[ExpertRef]
    excluded: list[Exclusion]
    assignments: dict[str, list[int]]
    replacements: list[dict[str, Any]]
    sheets: int
    drawn_at: Stamp
    drawn_by_id: int | None
    reproducible: bool


class NewSheet(ReadModel):
    id: int
    application_id: int
    expert_id: int


class ExtendedPanelOut(PanelOut):
    new_sheets: list[NewSheet]


# ---- sheets -------------------------------------------------------------------------------------


class SheetApplicationRef(ReadModel):
    id: int
    title: str
    kind: str
    applicant: str


class SheetItem(ReadModel):
    """One sheet in a list: an expert's own (no expert, no panel)."""

    id: int
    application: SheetApplicationRef
    status: str
    progress: str = Field(description='Scored expert indicators over all of them, e.g. "3/7".')
    total: str | None
    version: int
    declared_at: Stamp
    saved_at: Stamp
    submitted_at: Stamp
    # The progress as numbers for the pages (the API keeps the "3/7" text).
    done: int = Field(exclude=True)
    expected: int = Field(exclude=True)


class StaffSheetItem(SheetItem):
    """One sheet in a list as staff see it: with its expert and panel."""

    expert: ExpertRef
    panel_id: int | None


class SheetPage(ReadModel):
    items: list[StaffSheetItem | SheetItem]
    next_cursor: int | None


class FigureValue(ReadModel):
    code: str
    name: LocalText
    unit: LocalText
    value: str | None


class SheetAttachment(ReadModel):
    id: int
    indicator_code: str
    name: str
    content_type: str
    size: int
    url: str


class SheetApplication(SheetApplicationRef):
    """The application on a sheet; its material only once the declaration is signed (unset before)."""

    plan: str | None = None
    narratives: dict[str, str] | None = None
    figures: list[FigureValue] | None = None
    attachments: list[SheetAttachment] | None = None


class Anchor(ReadModel):
    level: LocalText
    min_points: str
    description: LocalText


class SheetIndicator(ReadModel):
    code: str
    section: LocalText
    text: LocalText
    max_points: str
    step: str
    anchors: list[Anchor]


class SheetRubricOut(ReadModel):
    kind: str
    version: str
    title: LocalText
    indicators: list[SheetIndicator]


class SheetOut(ReadModel):
    """One sheet as much as its reader may see: fields left unset are not shown (and not in the JSON)."""

    id: int
    status: str
    application: SheetApplication
    declaration: Text
    declared_at: Stamp
    version: int
    expert: ExpertRef | None = None
    conflict_reason: str | None = None
    rubric: SheetRubricOut | None = None
    scores: dict[str, str] | None = None
    comments: str | None = None
    total: str | None = None
    progress: str | None = None
    saved_at: Stamp = None
    submitted_at: Stamp = None
    reopened_reason: str | None = None
    # After a declaration: whether a reserve replaced the expert, and what that means.
    replaced: bool | None = None
    message: Text | None = None


class SavedSheetOut(ReadModel):
    id: int
    status: str
    version: int
    scores: dict[str, str]
    comments: str
    total: str | None
    progress: str
    saved_at: Stamp


class ApplicationSheet(ReadModel):
    id: int
    expert_id: int
    expert_name: str
    status: str
    total: str | None
    scores: dict[str, str]
    comments: str
    declared_at: Stamp
    submitted_at: Stamp
    conflict_reason: str | None
    reopened_reason: str | None
    version: int


# ---- decisions and results ------------------------------------------------------------------------


class DecisionOut(ReadModel):
    round_id: int
    kind: str
    shortlisted: list[int]
    not_designated: list[int]
    reason: str | None
    changed: bool


class ApprovalOut(ReadModel):
    round_id: int
    document_no: str | None
    approved_on: Day
    recorded_by_id: int | None


class SectionPoints(ReadModel):
    code: str
    title: str
    title_en: str
    points: str | None
    max: str | None


class ResultOut(ReadModel):
    application_id: int
    round_id: int
    kind: str
    status: str
    final_score: str | None
    panel_score: str | None
    data_points: str | None
    rank: int | None
    designated: bool
    section_breakdown: list[SectionPoints]


# ---- staff boards ---------------------------------------------------------------------------------


class StatusCounts(ReadModel):
    """Applications per status, per round (statuses absent count zero)."""

    by_round: dict[int, dict[str, int]]

    def of(self, round_id: int) -> dict[str, int]:
        return self.by_round.get(round_id, {})


class DecisionLabels(ReadModel):
    statuses: dict[int, str]  # application id -> status
    names: dict[int, str]  # application id -> applicant's name
    people: dict[int, str]  # user id -> display name


# ---- publication and objections --------------------------------------------------------------------


class ApprovalRef(ReadModel):
    document_no: str | None
    approved_on: Day


class ListRevisionOut(ReadModel):
    """The list changed by upheld objections during the notice, and what it still needs."""

    round_id: int
    status: str = Field(description="none, changed, approved, proposed or notice (ListRevisionStatus).")
    revision: int = Field(description="How many times upheld objections have changed the list.")
    changed_at: Stamp
    added: list[int] = Field(description="Applications backfilled onto the list, still on it.")
    removed: list[int] = Field(description="Applications upheld objections took off the list.")
    unnoticed_additions: int
    approval: ApprovalRef
    approved_by_id: int | None
    proposed_by_id: int | None
    proposed_at: Stamp
    confirmed_by_id: int | None
    notice_starts_on: Day
    notice_ends_on: Day


class BackfillCandidate(ReadModel):
    """The application that would fill a removed entry's seat: next eligible in the ranking."""

    application_id: int
    name: str
    final_score: str | None
    rank: int | None


class BackfillPreview(ReadModel):
    objection_id: int
    candidate: BackfillCandidate | None = Field(
        description="None when the objection is not open, its entry is off the list, or none is eligible."
    )


class PublicationOut(ReadModel):
    round_id: int
    status: str
    approval: ApprovalRef
    proposed_by_id: int | None
    proposed_at: Stamp
    confirmed_by_id: int | None
    notice_days: int
    notice_starts_on: Day
    notice_ends_on: Day
    published_at: Stamp
    published_by_id: int | None
    list_revision: ListRevisionOut


class ObjectionOut(ReadModel):
    id: int
    round_id: int
    application_id: int
    name: str
    contact: str
    text: str
    status: str
    resolution_reason: str | None
    seat: str | None
    backfill_application_id: int | None
    resolved_by_id: int | None
    resolved_at: Stamp
    created_at: Stamp


class ObjectionPage(ReadModel):
    items: list[ObjectionOut]
    next_cursor: int | None = None


class ObjectionReceipt(ReadModel):
    """What the person who filed an objection gets back: a receipt, never staff data."""

    id: int
    round_id: int
    application_id: int
    status: str
    created_at: Stamp


class NoticeEntry(ReadModel):
    application_id: int
    name: str
    kind: str
    district: str | None
    supplementary: bool = Field(description="Added to the list after an upheld objection (补充公示).")


class NoticeRound(ReadModel):
    round_id: int
    year: int
    title: str
    notice_starts_on: Day
    notice_ends_on: Day
    supplementary_starts_on: Day
    supplementary_ends_on: Day
    entries: list[NoticeEntry]


class NoticeList(ReadModel):
    items: list[NoticeRound]


class PublicBase(ReadModel):
    id: int
    name: str
    kind: str
    district: str | None
    year: int
    document_no: str | None
    designated_on: Day
    status: str
    revoked_on: Day
    revocation_document_no: str | None


class PublicBasePage(ReadModel):
    items: list[PublicBase]
    next_cursor: str | None


# ---- ranking ------------------------------------------------------------------------------------
# Up to 20,000 rows: plain dataclasses rather than pydantic models, built without validation, with
# their texts already in the caller's language, serialised natively by orjson. Not frozen (a frozen
# dataclass sets each field through object.__setattr__: twice the build time) and without __slots__
# (orjson serialises an instance __dict__ three times faster).


@dataclass
class RankingGate:
    code: str
    text: str
    result: str  # pass | fail | missing
    detail: str
    reason: str | None


@dataclass
class RankingDataIndicator:
    code: str
    points: str | None
    max_points: str | None
    result: str  # pass | fail | missing
    detail: str


@dataclass
class Reason:
    code: str
    text: str


@dataclass
class Explanation:
    method: str
    used_sheet_ids: list[int]
    dropped_sheet_ids: list[int]
    reasons: list[Reason]
    data_indicators: list[RankingDataIndicator]
    outliers: list[int]
    spread: str | None


@dataclass
class RankingRow:
    application_id: int
    applicant: str
    organisation_id: int
    district: str | None
    kind: str
    status: str
    panel_score: str | None
    data_points: str | None
    final_score: str | None
    sheets_submitted: int
    sheets_expected: int
    gates: list[RankingGate]
    eligible: bool
    rank: int | None
    proposed: bool
    decision: str  # within_quota | tie_at_quota_line | beyond_quota | not_eligible
    flags: list[str]
    explanation: Explanation


@dataclass
class GateHead:
    code: str
    text: str


@dataclass
class DataIndicatorHead:
    code: str
    max_points: str | None
    text: str


@dataclass
class KendallOut:
    w: str | None
    experts: int
    applications: int
    method: str  # all_experts | largest_block (scoring.core.consistency)
    method_text: str  # in the caller's language (rendered eagerly: these dataclasses go through orjson)
    reason: str | None  # why w is null: too_few_experts | no_common_block | all_tied
    reason_text: str | None


@dataclass
class CalibrationOut:
    applications: int
    mean: str | None
    sd: str | None
    panel_mean: str | None
    difference: str | None
    mean_z: str | None


@dataclass
class RankingOut:
    """A kind's ranking: a summary and its rows in rank order (next_cursor: the next row's position)."""

    round_id: int
    kind: str
    method: str
    quota: int
    pass_line: str | None
    outlier_threshold: str | None
    seats_left_for_tie: int
    tie_rank: int | None
    proposed: list[int]
    count: int
    gates: list[GateHead]
    data_indicators: list[DataIndicatorHead]
    rows: list[RankingRow]
    next_cursor: str | None


@dataclass
class ConsistentRankingOut(RankingOut):
    """The ranking with Kendall's W and each expert's calibration (information for staff only)."""

    kendalls_w: KendallOut
    calibration: dict[str, CalibrationOut]
