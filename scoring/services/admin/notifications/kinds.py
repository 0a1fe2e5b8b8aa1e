"""The message kinds: who may receive each, the parameters it carries, and whether it is a reminder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from scoring.core.actors import Role
from scoring.core.i18n import Msg, msg

PUBLIC = "public"  # a recipient without an account (an objector who left an address)


class NoticeKind(StrEnum):
    PANEL_ASSIGNED = "panel_assigned"
    SCORING_DUE_3D = "scoring_due_3d"
    SCORING_DUE_1D = "scoring_due_1d"
    DEADLINE_EXTENDED = "deadline_extended"
    APPLICATION_WAITING = "application_waiting"
    APPLICATION_RETURNED = "application_returned"
    FORMAL_CHECK_RESULT = "formal_check_result"
    REGISTRATION_DECIDED = "registration_decided"
    NOTICE_OPENED = "notice_opened"
    RESULTS_PUBLISHED = "results_published"
    OBJECTION_RECEIVED = "objection_received"
    OBJECTION_RESOLVED = "objection_resolved"
    RECTIFICATION_ORDERED = "rectification_ordered"
    RECTIFICATION_DUE_30D = "rectification_due_30d"
    RECTIFICATION_DUE_7D = "rectification_due_7d"
    EVALUATION_ASSIGNED = "evaluation_assigned"
    REVOCATION_DECIDED = "revocation_decided"


@dataclass(frozen=True)
class KindSpec:
    kind: NoticeKind
    title: Msg
    roles: frozenset[str]
    params: tuple[str, ...]
    reminder: bool = False  # a reminder email may be turned off by its recipient; a decision never


_A, _C, _E, _V, _S = Role.APPLICANT, Role.COUNTY, Role.EXPERT, Role.EVALUATOR, Role.STAFF
K = NoticeKind

SPECS: Mapping[NoticeKind, KindSpec] = {
    s.kind: s
    for s in (
        KindSpec(
            K.PANEL_ASSIGNED, msg("Assigned to a review panel"), frozenset({_E}),
            ("round_title", "base_kind", "sheets", "deadline"),
        ),
        KindSpec(
            K.SCORING_DUE_3D, msg("Scoring deadline in 3 days"), frozenset({_E}),
            ("round_title", "open_sheets", "deadline"), reminder=True,
        ),
        KindSpec(
            K.SCORING_DUE_1D, msg("Scoring deadline in 1 day"), frozenset({_E}),
            ("round_title", "open_sheets", "deadline"), reminder=True,
        ),
        KindSpec(
            K.DEADLINE_EXTENDED, msg("Scoring deadline extended"), frozenset({_E}),
            ("round_title", "reason"),
        ),
        KindSpec(
            K.APPLICATION_WAITING, msg("Application waiting for recommendation"), frozenset({_C}),
            ("round_title", "application_title", "organisation_name", "deadline"),
        ),
        KindSpec(
            K.APPLICATION_RETURNED, msg("Application returned for correction"), frozenset({_A}),
            ("round_title", "application_title", "returned_by", "reason"),
        ),
        KindSpec(
            K.FORMAL_CHECK_RESULT, msg("Formal check result"), frozenset({_A}),
            ("round_title", "application_title", "outcome", "reason"),
        ),
        KindSpec(
            K.REGISTRATION_DECIDED, msg("Registration decided"), frozenset({_A, _C, _E, _V}),
            ("registrant", "decision", "reason"),
        ),
        KindSpec(
            K.NOTICE_OPENED, msg("Public notice period opened"), frozenset({_A}),
            ("round_title", "application_title", "outcome", "notice_ends"),
        ),
        KindSpec(
            K.RESULTS_PUBLISHED, msg("Results published"), frozenset({_A}),
            ("round_title", "application_title", "outcome"),
        ),
        KindSpec(
            K.OBJECTION_RECEIVED, msg("Objection received"), frozenset({_S}),
            ("round_title", "application_title", "objection_id"),
        ),
        KindSpec(
            K.OBJECTION_RESOLVED, msg("Objection resolved"), frozenset({PUBLIC}),
            ("application_title", "outcome", "reason"),
        ),
        KindSpec(
            K.RECTIFICATION_ORDERED, msg("Rectification ordered"), frozenset({_A}),
            ("base_name", "reasons", "deadline"),
        ),
        KindSpec(
            K.RECTIFICATION_DUE_30D, msg("Rectification deadline in 30 days"), frozenset({_A}),
            ("base_name", "deadline"), reminder=True,
        ),
        KindSpec(
            K.RECTIFICATION_DUE_7D, msg("Rectification deadline in 7 days"), frozenset({_A}),
            ("base_name", "deadline"), reminder=True,
        ),
        KindSpec(
            K.EVALUATION_ASSIGNED, msg("Performance evaluation assigned"), frozenset({_V}),
            ("base_name", "year", "deadline"),
        ),
        KindSpec(
            K.REVOCATION_DECIDED, msg("Designation revoked"), frozenset({_A}),
            ("base_name", "document_no", "reason"),
        ),
    )
}  # fmt: skip

# What a recipient of each role may never be told (DOMAIN §4: experts see no applicant before their
# no-conflict declaration and never another expert's scores; nobody but staff learns who scored what).
FORBIDDEN_PARAMS: Mapping[str, frozenset[str]] = {
    Role.EXPERT: frozenset(
        {"application_title", "organisation_name", "outcome", "expert_name", "sheet_total", "final_score"}
    ),
    Role.EVALUATOR: frozenset({"expert_name", "sheet_total", "final_score", "organisation_name"}),
    Role.APPLICANT: frozenset({"expert_name", "sheet_total", "objection_id", "objector"}),
    Role.COUNTY: frozenset({"expert_name", "sheet_total", "objection_id", "objector"}),
    Role.STAFF: frozenset(),
    Role.ADMIN: frozenset(),
    PUBLIC: frozenset({"expert_name", "sheet_total", "final_score", "organisation_name", "objection_id"}),
}
ALL_FORBIDDEN: frozenset[str] = frozenset().union(*FORBIDDEN_PARAMS.values())
