"""Status enums and transition tables for every entity with a status, with one guarded check.

A table maps (state, action) to the next state. Services call `transition(...)` and never assign a
status themselves, so an action in the wrong state is refused in one place with one error.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from scoring.core.errors import InvalidTransition
from scoring.core.i18n import Msg, msg


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"  # back with the applicant for correction (by county or formal check)
    RECOMMENDED = "recommended"
    NOT_RECOMMENDED = "not_recommended"
    ACCEPTED = "accepted"  # formal check passed
    UNDER_REVIEW = "under_review"
    SCORED = "scored"
    SHORTLISTED = "shortlisted"
    NOT_DESIGNATED = "not_designated"
    DESIGNATED = "designated"


A = ApplicationStatus
APPLICATION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (A.DRAFT, "submit"): A.SUBMITTED,
    (A.RETURNED, "submit"): A.SUBMITTED,
    (A.SUBMITTED, "recommend"): A.RECOMMENDED,
    (A.SUBMITTED, "decline"): A.NOT_RECOMMENDED,
    (A.SUBMITTED, "return"): A.RETURNED,
    (A.RECOMMENDED, "accept"): A.ACCEPTED,
    (A.RECOMMENDED, "return"): A.RETURNED,
    (A.ACCEPTED, "assign_panel"): A.UNDER_REVIEW,
    (A.UNDER_REVIEW, "complete_scoring"): A.SCORED,
    (A.SCORED, "reopen_sheet"): A.UNDER_REVIEW,
    (A.SCORED, "shortlist"): A.SHORTLISTED,
    (A.SCORED, "reject"): A.NOT_DESIGNATED,
    (A.SHORTLISTED, "reject"): A.NOT_DESIGNATED,  # objection upheld, or staff change the decision
    (A.NOT_DESIGNATED, "shortlist"): A.SHORTLISTED,
    (A.SHORTLISTED, "designate"): A.DESIGNATED,
}
APPLICATION_EDITABLE = frozenset({A.DRAFT, A.RETURNED})


class SheetStatus(StrEnum):
    ASSIGNED = "assigned"  # waiting for the no-conflict declaration
    DECLINED = "declined"  # the expert declared a conflict or declined
    DRAFT = "draft"
    SUBMITTED = "submitted"


S = SheetStatus
SHEET_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (S.ASSIGNED, "declare"): S.DRAFT,
    (S.ASSIGNED, "decline"): S.DECLINED,
    (S.DRAFT, "save"): S.DRAFT,
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "reopen"): S.DRAFT,
    # staff replace a no-show after the deadline: the sheet is void, a reserve scores instead
    (S.ASSIGNED, "replace"): S.DECLINED,
    (S.DRAFT, "replace"): S.DECLINED,
}


class RoundStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"  # applicants file
    RECOMMENDING = "recommending"  # counties recommend, staff check
    REVIEWING = "reviewing"  # panels score
    DECIDING = "deciding"  # ranking, decision, approval
    NOTICE = "notice"  # 公示: objections may be filed
    PUBLISHED = "published"


R = RoundStatus
ROUND_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (R.DRAFT, "open"): R.OPEN,
    (R.OPEN, "close_applications"): R.RECOMMENDING,
    (R.RECOMMENDING, "start_review"): R.REVIEWING,
    (R.REVIEWING, "start_deciding"): R.DECIDING,
    (R.DECIDING, "start_notice"): R.NOTICE,
    (R.NOTICE, "publish"): R.PUBLISHED,
}


class BaseStatus(StrEnum):
    ACTIVE = "active"
    RECTIFYING = "rectifying"
    REVOKED = "revoked"


B = BaseStatus
BASE_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (B.ACTIVE, "order_rectification"): B.RECTIFYING,
    (B.RECTIFYING, "restore"): B.ACTIVE,
    (B.RECTIFYING, "revoke"): B.REVOKED,
}


class EvaluationStatus(StrEnum):
    ASSIGNED = "assigned"
    DECLINED = "declined"
    DRAFT = "draft"
    SUBMITTED = "submitted"


E = EvaluationStatus
EVALUATION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (E.ASSIGNED, "declare"): E.DRAFT,
    (E.ASSIGNED, "decline"): E.DECLINED,
    (E.DRAFT, "save"): E.DRAFT,
    (E.DRAFT, "submit"): E.SUBMITTED,
    (E.SUBMITTED, "reopen"): E.DRAFT,
}


class PanelMemberStatus(StrEnum):
    """A drawn expert's place on a panel: serving, a reserve not yet called, or replaced."""

    ACTIVE = "active"
    RESERVE = "reserve"
    REPLACED = "replaced"


PM = PanelMemberStatus
PANEL_MEMBER_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (PM.RESERVE, "call_up"): PM.ACTIVE,
    (PM.ACTIVE, "replace"): PM.REPLACED,
}


class PublicationStatus(StrEnum):
    """The four-eyes publication of a round's list: proposed by one staff member, confirmed by another."""

    NONE = "none"
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"


P = PublicationStatus
PUBLICATION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (P.NONE, "propose"): P.PROPOSED,
    (P.PROPOSED, "withdraw"): P.NONE,
    (P.PROPOSED, "confirm"): P.CONFIRMED,
}


class ObjectionStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


O = ObjectionStatus  # noqa: E741
OBJECTION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (O.OPEN, "uphold"): O.UPHELD,
    (O.OPEN, "dismiss"): O.DISMISSED,
}


class ListRevisionStatus(StrEnum):
    """A list under notice changed by an upheld objection: a new approval, and for added entries
    their own notice proposed and confirmed by two staff members, before it can be published."""

    NONE = "none"  # the list is as approved and noticed
    CHANGED = "changed"  # an upheld objection removed or added an entry: a new approval is needed
    APPROVED = "approved"  # the change is approved; added entries still need their own notice
    PROPOSED = "proposed"  # the supplementary notice is proposed; a second staff member confirms
    NOTICE = "notice"  # the supplementary notice (补充公示) of the added entries runs


LR = ListRevisionStatus
LIST_REVISION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (LR.NONE, "change"): LR.CHANGED,
    (LR.CHANGED, "change"): LR.CHANGED,
    (LR.APPROVED, "change"): LR.CHANGED,
    (LR.PROPOSED, "change"): LR.CHANGED,
    (LR.NOTICE, "change"): LR.CHANGED,  # an added entry's objection upheld: approve again
    (LR.CHANGED, "approve"): LR.APPROVED,
    (LR.APPROVED, "approve"): LR.APPROVED,  # corrected before the proposal
    (LR.PROPOSED, "approve"): LR.APPROVED,  # a corrected approval voids the proposal
    (LR.APPROVED, "propose"): LR.PROPOSED,
    (LR.PROPOSED, "confirm"): LR.NOTICE,
}


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


C = CampaignStatus
CAMPAIGN_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (C.OPEN, "close"): C.CLOSED,
}


class RectificationStatus(StrEnum):
    OPEN = "open"
    PASSED = "passed"  # the re-evaluation graded 合格 or better; staff may restore the base
    FAILED = "failed"  # the re-evaluation failed; staff may propose a revocation
    CLOSED = "closed"  # the base was restored (after passed) or its title revoked (after failed)


RE = RectificationStatus
RECTIFICATION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (RE.OPEN, "pass"): RE.PASSED,
    (RE.OPEN, "fail"): RE.FAILED,
    (RE.PASSED, "close"): RE.CLOSED,
    (RE.FAILED, "close"): RE.CLOSED,
}


class RevocationStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"


RV = RevocationStatus
REVOCATION_TRANSITIONS: Mapping[tuple[str, str], str] = {
    (RV.PROPOSED, "confirm"): RV.CONFIRMED,
}


def transition(table: Mapping[tuple[str, str], str], state: str, action: str) -> str:
    """The next state, or InvalidTransition naming the action and the state it was tried in."""
    nxt = table.get((state, action))
    if nxt is None:
        raise InvalidTransition(
            msg(
                "Cannot %(action)s: the record is in state “%(state)s”.",
                action=Msg(action.replace("_", " ")),
                state=Msg(state.replace("_", " ")),
            )
        )
    return nxt


def allowed_actions(table: Mapping[tuple[str, str], str], state: str) -> list[str]:
    return sorted(action for (s, action) in table if s == state)
