"""The applicant-facing part of a result: standing and reasons in words, gates, decisions, how to object."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from scoring.core import ranking as core
from scoring.core.actors import Actor
from scoring.core.aggregate import fmt2
from scoring.core.i18n import Msg, current_locale, msg
from scoring.core.lifecycle import ApplicationStatus as A
from scoring.core.lifecycle import RoundStatus
from scoring.core.sections import is_section
from scoring.services.review import publication
from scoring.services.review import ranking as ranking_service
from scoring.services.review.documents import ISSUER
from scoring.services.review.results_reasons import decision_records, record_out
from scoring.services.review.results_schemas import (
    OwnResultOut,
    PrintHeader,
    ResultGate,
)
from scoring.services.review.schemas import ResultOut
from scoring.store.models import Application, Round

ON_LIST = (A.SHORTLISTED, A.DESIGNATED)
GATE_RESULTS: dict[str, Msg] = {
    "pass": msg("met"),
    "fail": msg("not met"),
    "missing": msg("cannot be checked: a figure is missing"),
}


def why(row: ranking_service.Row, ranking: ranking_service.KindRanking, ranked: int) -> list[Msg]:
    """The reasons for the row's place, in words (gate conditions by their text, never their codes)."""
    zh = current_locale.get() != "en"
    out: list[Msg] = []
    for reason in row.eligibility_reasons:
        if reason == core.FORMAL_CHECK_NOT_PASSED:
            out.append(msg("The formal check has not been passed."))
        elif reason in (core.GATE_FAILED, core.GATE_MISSING):
            for g in row.gates:
                if is_section(g.code):
                    continue  # said below, with the section's arithmetic
                text = g.text_zh if zh else g.text_en
                if g.result == "fail":
                    out.append(
                        msg("The condition “%(gate)s” is not met (%(detail)s).", gate=text, detail=g.detail)
                    )
                elif g.result == "missing":
                    out.append(
                        msg("The condition “%(gate)s” cannot be checked: a figure is missing.", gate=text)
                    )
        elif reason == core.SECTION_BELOW_MINIMUM:
            out.extend(c.reason(zh) for c in row.sections if not c.passed)
        elif reason == core.NOT_SCOREABLE:
            out.append(
                msg(
                    "Only %(count)s sheet(s) submitted; at least 3 are needed for a panel score.",
                    count=row.sheets_submitted,
                )
            )
        elif reason == core.BELOW_PASS_LINE:
            out.append(
                msg(
                    "The final score %(score)s is below the pass line %(pass_line)s.",
                    score=fmt2(row.final),
                    pass_line=fmt2(ranking.pass_line),
                )
            )
    params = {"rank": row.rank, "count": ranked, "quota": ranking.quota}
    if row.decision == core.WITHIN_QUOTA:
        out.append(
            msg("Ranked %(rank)s of %(count)s in its kind; the quota is %(quota)s: within it.", **params)
        )
    elif row.decision == core.BEYOND_QUOTA:
        out.append(
            msg("Ranked %(rank)s of %(count)s in its kind; the quota is %(quota)s: beyond it.", **params)
        )
    elif row.decision == core.TIE_AT_QUOTA_LINE:
        out.append(
            msg(
                "Ranked %(rank)s of %(count)s in its kind, tied with others at the quota line of %(quota)s; "
                "the tie was resolved by the decision recorded below.",
                **params,
            )
        )
    return out


def standing(status: str, round_status: str) -> Msg:
    if status == A.DESIGNATED:
        return msg("Designated: on the published list.")
    if status == A.SHORTLISTED:
        return msg("On the list under public notice, proposed for designation.")
    if round_status == RoundStatus.PUBLISHED:
        return msg("Not designated: not on the published list.")
    return msg("Not on the list under public notice.")


def how_to_object(rnd: Round, today: date) -> Msg | None:
    if rnd.notice_ends_on is None:
        return None
    if rnd.status == RoundStatus.NOTICE and today <= rnd.notice_ends_on:
        return msg(
            "An objection to this list, with its grounds and a contact, can be filed on the public notice "
            "page until %(date)s (inclusive); each objection is answered with a recorded reason.",
            date=rnd.notice_ends_on.isoformat(),
        )
    return msg(
        "The public notice period ended on %(date)s; objections are no longer taken.",
        date=rnd.notice_ends_on.isoformat(),
    )


def own_result(
    session: Session,
    *,
    actor: Actor,
    base: ResultOut,
    app: Application,
    rnd: Round,
    ranking: ranking_service.KindRanking,
    row: ranking_service.Row,
    today: date | None = None,
) -> OwnResultOut:
    today = today or publication.china_today()  # through the module: one clock for the review
    zh = current_locale.get() != "en"
    ranked = sum(1 for r in ranking.rows if r.rank is not None)
    records = decision_records(session, round_id=rnd.id, application_ids=[app.id], tied_ids=ranking.tied_ids)
    return OwnResultOut(
        **base.model_dump(),
        round_title=rnd.title,
        ranked=ranked,
        quota=ranking.quota,
        pass_line=fmt2(ranking.pass_line) or "",
        on_list=app.status in ON_LIST,
        standing=standing(app.status, rnd.status),
        why=list(why(row, ranking, ranked)),
        gates=[
            ResultGate(
                code=g.code,
                text=g.text_zh if zh else g.text_en,
                result=g.result,
                result_text=GATE_RESULTS.get(g.result, msg("cannot be checked: a figure is missing")),
                detail=g.detail,
            )
            for g in row.gates
        ],
        decisions=[record_out(r, with_names=actor.is_staff) for r in records[app.id]],
        notice_starts_on=rnd.notice_starts_on,
        notice_ends_on=rnd.notice_ends_on,
        how_to_object=how_to_object(rnd, today),
        print_header=PrintHeader(
            issuer=ISSUER, round_title=rnd.title, printed_on=today, document_no=rnd.approval_document_no
        ),
    )
