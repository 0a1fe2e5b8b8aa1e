"""The domain's vocabulary as enums: base kinds, organisation kinds, grades and the kind rules.

Every status lives beside its transition table in `scoring.core.lifecycle`; the values here are the
other closed sets the services, models (CHECK constraints) and edges share, so no list is written twice.
"""

from __future__ import annotations

from enum import StrEnum


class BaseKind(StrEnum):
    """The three kinds of demonstration base of 石政办函〔2018〕49号 (the rubric kinds)."""

    REGIONAL = "regional"
    UNIVERSITY = "university"
    ENTERPRISE = "enterprise"


BASE_KINDS: tuple[BaseKind, ...] = tuple(BaseKind)


class OrganisationKind(StrEnum):
    GOVERNMENT = "government"  # a district government or a park's management committee
    UNIVERSITY = "university"  # a university or research institute
    ENTERPRISE = "enterprise"
    EVALUATOR = "evaluator"  # a third-party evaluation agency
    OTHER = "other"


ORGANISATION_KINDS: tuple[OrganisationKind, ...] = tuple(OrganisationKind)

# Which organisations may apply for which kind of base (DOMAIN.md: the applicant of each kind).
APPLICANT_KIND_OF_BASE: dict[BaseKind, OrganisationKind] = {
    BaseKind.REGIONAL: OrganisationKind.GOVERNMENT,
    BaseKind.UNIVERSITY: OrganisationKind.UNIVERSITY,
    BaseKind.ENTERPRISE: OrganisationKind.ENTERPRISE,
}


class Grade(StrEnum):
    """The outcome of a performance evaluation (优秀 / 合格 / 不合格)."""

    EXCELLENT = "excellent"
    PASS = "pass"
    FAIL = "fail"


class RubricPurpose(StrEnum):
    DESIGNATION = "designation"
    PERFORMANCE = "performance"


class SessionKind(StrEnum):
    API = "api"
    WEB = "web"


class EvaluationPurpose(StrEnum):
    """Why an evaluation is held: the year's regular one, or the re-evaluation closing a rectification."""

    REGULAR = "regular"
    RE_EVALUATION = "re_evaluation"


class ExpertPool(StrEnum):
    """The two pools of `experts`: designation reviewers and third-party performance evaluators."""

    EXPERT = "expert"
    EVALUATOR = "evaluator"


class DocumentKind(StrEnum):
    """The official documents the review issues (GB/T 9704-2012 layout)."""

    NOTICE = "notice"  # 公示: the list under public notice
    DESIGNATION = "designation"  # 认定通知 with the designated list
    REVIEW_REPORT = "review_report"  # 评审报告 of a round
    SCORE_SHEET = "score_sheet"  # one expert's score sheet with a signature line
    RECTIFICATION = "rectification"  # 整改通知书 to a base
    REVOCATION = "revocation"  # 撤销决定 of a base's title


class DiscussionOutcome(StrEnum):
    """What the panel decided about an outlier sheet or a large spread."""

    KEPT = "kept"  # the score stands, with the panel's reason
    REOPENED = "reopened"  # the sheet went back to its expert, with the panel's reason


class Seat(StrEnum):
    """What happens to the seat of an entry an upheld objection removes from the list."""

    VACANT = "vacant"  # left empty
    BACKFILL = "backfill"  # filled from the next eligible application of the kind
