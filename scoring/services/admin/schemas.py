"""The admin area's contract: inputs (organisations, users, experts) and typed read models
(the caller's identity, rubrics, experts, the audit trail)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictBool, StringConstraints

from scoring.core.ids import RowId
from scoring.core.schema import Schema
from scoring.core.vocabulary import OrganisationKind

_FROZEN = ConfigDict(frozen=True)

Pool = Literal["expert", "evaluator"]
FieldName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


# ---- accounts ----------------------------------------------------------------------------------


class OrganisationIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=2, max_length=200)
    credit_code: str
    kind: OrganisationKind
    district: str | None = None


class UserIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str
    display_name: str = Field(default="", max_length=100)
    password: str = Field(repr=False)
    role: str
    organisation_id: RowId | None = None
    district: str | None = None


class ScopeOut(Schema):
    model_config = _FROZEN

    organisation_id: int | None
    district: str | None


class MeOut(Schema):
    """The caller's identity (GET /me)."""

    model_config = _FROZEN

    id: int | None
    username: str
    display_name: str
    roles: list[str]
    role_name: str
    scope: ScopeOut


# ---- rubrics -----------------------------------------------------------------------------------


class RubricSummary(Schema):
    """The current designation rubric of one kind, as listed."""

    model_config = _FROZEN

    kind: str
    purpose: str
    version: str
    title: str
    title_en: str


# ---- experts -----------------------------------------------------------------------------------


class ExpertIn(Schema):
    """A new pool member, with an existing login (user_id) or a new one (username + password)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    title: str = Field(default="", max_length=100)
    fields: list[FieldName] = Field(default_factory=list, max_length=20)
    organisation_id: RowId | None = None
    district: str | None = None
    user_id: RowId | None = None
    username: str | None = None
    password: str | None = Field(default=None, repr=False)
    declared_conflict_org_ids: list[RowId] = Field(default_factory=list, max_length=200)
    pool: Pool = "expert"


class ExpertUpdate(Schema):
    """Changes to a pool member; absent fields stay as they are."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=100)
    title: str | None = Field(default=None, max_length=100)
    fields: list[FieldName] | None = Field(default=None, max_length=20)
    organisation_id: RowId | None = None
    district: str | None = None
    declared_conflict_org_ids: list[RowId] | None = Field(default=None, max_length=200)
    is_active: StrictBool | None = None


class OrganisationName(Schema):
    model_config = _FROZEN

    id: int
    name: str | None


class ExpertOut(Schema):
    """A pool member with its organisation's name and its login's username."""

    model_config = _FROZEN

    id: int
    name: str
    title: str
    fields: list[str]
    pool: str
    organisation_id: int | None
    organisation: OrganisationName | None
    district: str | None
    user_id: int | None
    username: str | None
    declared_conflict_org_ids: list[int]
    is_active: bool
    created_at: str | None


class ExpertPage(Schema):
    model_config = _FROZEN

    items: list[ExpertOut]
    next_cursor: int | None


# ---- audit trail -------------------------------------------------------------------------------


class AuditEventOut(Schema):
    model_config = _FROZEN

    id: int
    at: str
    actor_id: int | None
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any
    reason: str | None
    hash: str
    prev_hash: str | None = None


class AuditLogPage(Schema):
    """Events in chain order (oldest first), for the API."""

    model_config = _FROZEN

    items: list[AuditEventOut]
    next_cursor: int | None


class AuditTrailPage(Schema):
    """Events newest first, for the staff page; `next_before` is the cursor of the older page."""

    model_config = _FROZEN

    items: list[AuditEventOut]
    next_before: int | None


class ChainReportOut(Schema):
    model_config = _FROZEN

    ok: bool
    events: int
    first_bad_id: int | None
    problem: str | None = Field(description="`hash_mismatch` or `broken_link` when not ok.")


class RubricDocument(Schema):
    """A rubric's canonical document (criteria.load.rubric_document): decimals as strings; the
    nested parts follow the rubric file format of criteria/README."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    kind: str
    purpose: str
    title: str
    title_en: str
    sections: list[dict[str, Any]]
    figures: list[dict[str, Any]]
    gates: list[dict[str, Any]]
    grade_bands: list[dict[str, Any]] | None = Field(
        default=None, description="Performance rubrics only (absent otherwise)."
    )
