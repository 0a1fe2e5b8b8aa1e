"""The contract of the end of scoring: deadline extensions, replacing a no-show, what is still missing."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field, field_validator

from scoring.core.ids import RowId, Version
from scoring.core.round_rules import CHINA_TZ
from scoring.core.schema import Schema
from scoring.services.review.schemas import REASON_MAX, ReadModel, Stamp


def _beijing_if_naive(value: datetime) -> datetime:
    # A time typed without an offset is read as Beijing time, as every deadline is shown.
    return value.replace(tzinfo=CHINA_TZ) if value.tzinfo is None else value


class DeadlineExtensionIn(Schema):
    """A later scoring deadline for the whole round, or (expert_id) for one expert's open sheets."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    deadline: datetime
    reason: str = Field(default="", max_length=REASON_MAX)
    expert_id: RowId | None = None

    _aware = field_validator("deadline")(_beijing_if_naive)


class ReplaceIn(Schema):
    """Replace the expert of a sheet not submitted by its deadline: a reserve (or one drawn now) takes it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(default="", max_length=REASON_MAX)
    deadline: datetime
    draw_more: bool = False  # no reserve left: draw one more expert from the pool at random
    version: Version | None = None

    _aware = field_validator("deadline")(_beijing_if_naive)


class DeadlineOut(ReadModel):
    round_id: int
    expert_id: int | None
    deadline: Stamp
    previous: Stamp
    sheet_ids: list[int]


class ReplacementOut(ReadModel):
    replaced_sheet_id: int
    replaced_expert_id: int
    sheet_id: int
    expert_id: int
    deadline: Stamp
    drawn: bool  # the replacement was drawn from the pool now, not taken from the reserves
    seed: int | None


class MissingSheetOut(ReadModel):
    sheet_id: int
    application_id: int
    application_title: str
    expert_id: int
    expert_name: str
    status: str
    deadline: Stamp
    overdue: bool


class RoundEndOut(ReadModel):
    """What stands between the round and its decision, and its publication."""

    round_id: int
    status: str
    scoring_deadline: Stamp
    missing_sheets: list[MissingSheetOut]
    unscored_applications: list[int]
