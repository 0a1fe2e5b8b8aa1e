"""Read models of the applicant's own result and of the decision records with their reasons."""

from __future__ import annotations

from datetime import date

from scoring.core.i18n import Text
from scoring.services.review.schemas import ReadModel, ResultOut


class ResultGate(ReadModel):
    """A gate as the applicant sees it: the condition in words and its arithmetic ("2 ≥ 1")."""

    code: str
    text: str
    result: str  # pass | fail | missing
    result_text: Text
    detail: str


class DecisionRecordOut(ReadModel):
    """One decision with its reason; `by` is the deciding staff member (staff views only)."""

    application_id: int
    subject: str
    subject_text: Text
    outcome: str | None
    reason: str | None
    by: str | None
    at: str | None  # Beijing time, "YYYY-MM-DD HH:MM"


class PrintHeader(ReadModel):
    """What a printed page carries: issuer, date and the document reference."""

    issuer: str
    round_title: str
    printed_on: date
    document_no: str | None


class OwnResultOut(ResultOut):
    """The result from the opening of the notice period: the applicant's own, never another's."""

    round_title: str
    ranked: int  # applications of the kind with a rank
    quota: int
    pass_line: str
    on_list: bool
    standing: Text  # on the list or not, in one sentence
    why: list[Text]  # the reasons, in words
    gates: list[ResultGate]
    decisions: list[DecisionRecordOut]  # formal-check returns, the list decision, objection outcomes
    notice_starts_on: date | None
    notice_ends_on: date | None
    how_to_object: Text | None
    print_header: PrintHeader


class FlipOut(ReadModel):
    scenario: str  # method | leave_out | calibrated
    subject: str | None  # the method, or the expert's name
    place: str
    final_score: str | None


class RobustnessOut(ReadModel):
    """One application near the quota or pass line: whether its place holds, and what would move it."""

    application_id: int
    applicant: str
    final_score: str
    place: str  # on | tie | off
    robust: bool
    verdict: str  # 稳健, or 敏感 with every scenario that moves the place, in the caller's language
    flips: list[FlipOut]
