"""The designation phase's contract: its input models and its typed read models (rounds, applications).

Both edges render these: the API serialises them (decimals as strings, texts in the caller's
language), the pages read their attributes. Builders from ORM rows live in `presenters.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, ConfigDict, Field, PlainSerializer, WithJsonSchema

from criteria.schema import Rubric
from scoring.core.apply_rules import DEFAULT_COOLING_OFF_YEARS
from scoring.core.gates import Result
from scoring.core.i18n import Text, current_locale
from scoring.core.ids import RowId, Version
from scoring.core.schema import Schema
from scoring.core.vocabulary import BaseKind

# A base kind as an input value (the JSON schema lists the three kinds of BaseKind).
Kind = BaseKind

REASON_MAX = 2_000
PLAN_MAX = 20_000
NARRATIVE_MAX = 5_000

Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)]
Points = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
Reason = Annotated[str, Field(max_length=REASON_MAX)]

_FROZEN = ConfigDict(frozen=True)


@dataclass(frozen=True)
class Wording:
    """A text the rubric gives in both languages (not a msgid): shown in the caller's language."""

    zh: str
    en: str

    def render(self, locale: str) -> str:
        return self.en if locale == "en" else self.zh

    def __str__(self) -> str:
        return self.render(current_locale.get())


# A rubric wording inside a read model: rendered in the request's locale when serialised.
RubricText = Annotated[
    Wording,
    PlainSerializer(lambda w: w.render(current_locale.get()), return_type=str),
    WithJsonSchema({"type": "string"}),
]


# ---- rounds: inputs ----------------------------------------------------------------------------


class ReferencesIn(Schema):
    """The reference values the gates compare with, e.g. provincial R&D intensity 2.00 (%)."""

    model_config = ConfigDict(extra="forbid")

    provincial_rd_intensity: Percent | None = None
    city_rd_intensity: Percent | None = None
    rd_reference: Literal["provincial", "city"] = "provincial"
    data_year: Annotated[int, Field(ge=2000, le=2100)] | None = None


class DeadlinesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    # Both spellings are accepted (API.md names them with and without the suffix).
    application: datetime = Field(  # type: ignore[pydantic-alias]
        validation_alias=AliasChoices("application", "application_deadline")
    )
    recommendation: datetime = Field(  # type: ignore[pydantic-alias]
        validation_alias=AliasChoices("recommendation", "recommendation_deadline")
    )
    scoring: datetime = Field(  # type: ignore[pydantic-alias]
        validation_alias=AliasChoices("scoring", "scoring_deadline")
    )


class RoundIn(Schema):
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
    cooling_off_years: Annotated[int, Field(ge=0, le=10)] = DEFAULT_COOLING_OFF_YEARS


class RoundTransitionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    action: Annotated[str, Field(min_length=1, max_length=32)]
    version: Version | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None


class EligibilityIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    figures: dict[str, Any] = Field(default_factory=dict)


# ---- rounds: read models -----------------------------------------------------------------------


class DeadlinesOut(Schema):
    model_config = _FROZEN

    application: str | None = Field(description="ISO 8601, as stored (UTC offset included).")
    recommendation: str | None
    scoring: str | None


class RoundOut(Schema):
    """A round as API.md shows it."""

    model_config = _FROZEN

    id: int
    year: int
    title: str
    kinds: list[str]
    rubric_versions: dict[str, str]
    references: dict[str, str]
    method: str
    panel_size: int
    reserves: int
    pass_line: Decimal = Field(description='Two places, e.g. "60.00".')
    quotas: dict[str, int]
    outlier_threshold: Decimal
    deadlines: DeadlinesOut
    notice_days: int
    cooling_off_years: int = Field(
        description="Years a revoked base's organisation waits to apply again for that kind (default 2)."
    )
    status: str
    version: int


class RoundPage(Schema):
    model_config = _FROZEN

    items: list[RoundOut]
    next_cursor: str | None


class GateOut(Schema):
    """One gate's result: the numbers in `detail`, its wording and any reason in the caller's language."""

    model_config = _FROZEN

    code: str
    result: Result
    detail: str
    text: RubricText
    reason: Text | None


class EligibilityOut(Schema):
    model_config = _FROZEN

    gates: list[GateOut]


# ---- applications: inputs ----------------------------------------------------------------------


class ApplicationCreate(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    round_id: RowId
    kind: Kind
    title: Annotated[str, Field(min_length=2, max_length=200)]


class ApplicationUpdate(Schema):
    """Only the fields sent change. In narratives and figures, null or "" removes an entry."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[str, Field(min_length=2, max_length=200)] | None = None
    plan: Annotated[str, Field(max_length=PLAN_MAX)] | None = None
    narratives: dict[str, Annotated[str, Field(max_length=NARRATIVE_MAX)] | None] | None = None
    figures: dict[str, Any] | None = None
    version: Version


class SubmitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Version | None = None


class RecommendationIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["recommend", "decline", "return"]
    reason: Reason = ""
    version: Version | None = None


class FigureCorrection(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    value: Any
    reason: Reason = ""


class FormalCheckIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["accept", "return"]
    reason: Reason = ""
    verified_figures: dict[str, FigureCorrection] | None = None
    version: Version | None = None


# ---- applications: read models -----------------------------------------------------------------


class OrganisationRef(Schema):
    model_config = _FROZEN

    id: int
    name: str
    district: str | None


class AttachmentOut(Schema):
    model_config = _FROZEN

    id: int
    indicator_code: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: str | None


class ApplicationSummary(Schema):
    """An application in a list."""

    model_config = _FROZEN

    id: int
    round_id: int
    kind: str
    organisation: OrganisationRef
    title: str
    status: str
    status_reason: str | None
    submitted_at: str | None
    updated_at: str | None
    version: int


class ApplicationPage(Schema):
    model_config = _FROZEN

    items: list[ApplicationSummary]
    next_cursor: str | None


class ApplicationOut(ApplicationSummary):
    """One application in full: its texts, figures, gates and evidence files."""

    plan: str
    narratives: dict[str, str]
    figures: dict[str, str]
    verified_figures: dict[str, Any]
    gates: list[GateOut]
    attachments: list[AttachmentOut]
    files_bytes: int
    recommended_at: str | None
    checked_at: str | None
    created_at: str | None


class ApplicationContext(Schema):
    """An application with its round and the rubric frozen for it: what a page about it shows."""

    model_config = _FROZEN

    application: ApplicationOut
    round: RoundOut
    rubric: Rubric
