"""The ranking of a kind, hand-computed: trim, data points, gates, pass line, quota, ties, outliers."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.core.aggregate import fmt2
from scoring.core.errors import NotFound, ValidationFailed
from scoring.core.i18n import current_locale
from scoring.services.review.ranking import compute_ranking, get_ranking
from scoring.services.review.ranking_view import ranking_out
from scoring.store.models import Sheet
from tests.ranking.conftest import World, div


def sheet_ids(session: Session, app_id: int) -> list[int]:
    return list(session.scalars(select(Sheet.id).where(Sheet.application_id == app_id).order_by(Sheet.id)))


def test_hand_computed_ranking(make_world: Callable[..., World], session: Session) -> None:
    w = make_world()
    a = w.application(["80", "70", "90", "60", "85"])  # trim 60 and 90: 235/3 + 10 = 88.333…
    b = w.application(["70", "75", "80"])  # mean 75 + 10 = 85
    c = w.application(["90", "90"])  # 2 sheets: not scoreable
    d = w.application(["95", "95", "95", "95"], platforms="0")  # gate fails: 95 + 0, not eligible
    e = w.application(["50", "50", "50"])  # 50 + 10 = 60: exactly the pass line, eligible

    ranking = compute_ranking(session, w.round, "enterprise")
    order = [r.application_id for r in ranking.rows]
    assert order == [d.id, a.id, b.id, e.id, c.id]
    rows = {r.application_id: r for r in ranking.rows}

    ra = rows[a.id]
    assert ra.panel.value == div(235, 3)
    assert ra.final == div(235, 3, plus=10)
    assert fmt2(ra.final) == "88.33"
    ids = sheet_ids(session, a.id)
    assert ra.panel.dropped == (ids[2], ids[3])  # the 90 and the 60
    assert ra.panel.used == (ids[0], ids[1], ids[4])
    assert (ra.rank, ra.eligible, ra.proposed, ra.decision) == (2, True, True, "within_quota")
    assert ra.spread == Decimal(30)

    assert (rows[b.id].final, rows[b.id].rank, rows[b.id].proposed) == (Decimal(85), 3, True)
    assert rows[b.id].panel.dropped == ()

    rc = rows[c.id]
    assert (rc.panel.value, rc.final, rc.rank, rc.eligible) == (None, None, None, False)
    assert rc.eligibility_reasons == ("not_scoreable",)
    assert "not_scoreable" in rc.flags

    rd = rows[d.id]
    assert (rd.final, rd.rank, rd.eligible, rd.proposed) == (Decimal(95), 1, False, False)
    assert rd.eligibility_reasons == ("gate_failed",)
    assert [(g.code, g.result, g.detail) for g in rd.gates] == [("platform", "fail", "0 < 1")]
    assert rd.data_points == 0
    assert "gate_failed" in rd.flags

    re_ = rows[e.id]
    assert (re_.final, re_.rank, re_.eligible, re_.proposed, re_.decision) == (
        Decimal(60),
        4,
        True,
        False,
        "beyond_quota",
    )
    assert ranking.proposed_ids == (a.id, b.id)
    assert ranking.seats_left_for_tie == 0


def test_tie_across_the_quota_line_is_flagged_not_cut(
    make_world: Callable[..., World], session: Session
) -> None:
    w = make_world()
    a = w.application(["75", "75", "75"])  # 85
    b = w.application(["70", "70", "70"])  # 80
    c = w.application(["60", "70", "80"])  # 80
    d = w.application(["60", "60", "60"])  # 70
    ranking = compute_ranking(session, w.round, "enterprise")
    rows = {r.application_id: r for r in ranking.rows}
    assert [rows[x.id].rank for x in (a, b, c, d)] == [1, 2, 2, 4]
    assert ranking.proposed_ids == (a.id,)
    assert ranking.tied_ids == (b.id, c.id)
    assert ranking.seats_left_for_tie == 1
    assert ranking.tie_rank == 2
    assert "tie_at_quota_line" in rows[b.id].flags and "tie_at_quota_line" in rows[c.id].flags
    assert rows[d.id].decision == "beyond_quota"
    token = current_locale.set("en")
    try:
        out = orjson.loads(orjson.dumps(ranking_out(ranking)))
    finally:
        current_locale.reset(token)
    reason = out["rows"][1]["explanation"]["reasons"]
    assert reason == [
        {
            "code": "tie_at_quota_line",
            "text": "Tied at rank 2 across the quota line: 2 applications for 1 seat(s). "
            "Staff decide, with a recorded reason.",
        }
    ]


def test_outlier_sheets_and_spread(make_world: Callable[..., World], session: Session) -> None:
    w = make_world()
    a = w.application(["80", "82", "84", "40", "81"])  # median 81: 40 is 41 away (> 20)
    ranking = compute_ranking(session, w.round, "enterprise")
    row = ranking.rows[0]
    ids = sheet_ids(session, a.id)
    assert row.outliers == (ids[3],)
    assert row.spread == Decimal(44)
    assert "outlier_sheets" in row.flags
    # The outlier is also the lowest total: the trim drops it (and the 84), never the score's business.
    assert row.panel.dropped == (ids[2], ids[3])
    assert row.final == div(243, 3, plus=10)


def test_round_threshold_changes_outliers(make_world: Callable[..., World], session: Session) -> None:
    w = make_world(outlier_threshold=Decimal(50))
    w.application(["80", "82", "84", "40", "81"])
    assert compute_ranking(session, w.round, "enterprise").rows[0].outliers == ()


@pytest.mark.parametrize(
    ("method", "final"),
    [
        ("trimmed_mean", div(235, 3, plus=10)),
        ("mean", div(385, 5, plus=10)),
        ("median", Decimal(80) + 10),
    ],
)
def test_method_of_the_round(
    make_world: Callable[..., World], session: Session, method: str, final: Decimal
) -> None:
    w = make_world(method=method)
    w.application(["80", "70", "90", "60", "85"])
    assert compute_ranking(session, w.round, "enterprise").rows[0].final == final


def test_declined_and_draft_sheets(make_world: Callable[..., World], session: Session) -> None:
    w = make_world()
    app = w.application(
        ["80", "80", "80", None, "70"], statuses=["submitted", "submitted", "submitted", "declined", "draft"]
    )
    row = compute_ranking(session, w.round, "enterprise").rows[0]
    assert row.application_id == app.id
    assert (row.sheets_submitted, row.sheets_expected) == (3, 4)
    assert row.final == Decimal(90)
    assert "sheets_missing" in row.flags


def test_missing_figure_makes_the_gate_missing(make_world: Callable[..., World], session: Session) -> None:
    w = make_world()
    w.application(["80", "80", "80"], platforms=None)
    row = compute_ranking(session, w.round, "enterprise").rows[0]
    assert [(g.result, g.detail) for g in row.gates] == [("missing", "? ≥ 1")]
    assert row.eligibility_reasons == ("gate_missing",)
    assert row.final == Decimal(80)


def test_verified_figures_override_declared(make_world: Callable[..., World], session: Session) -> None:
    w = make_world()
    app = w.application(["80", "80", "80"], platforms="2")
    app.verified_figures = {"platforms": {"value": "0", "declared": "2", "reason": "no evidence"}}
    session.flush()
    row = compute_ranking(session, w.round, "enterprise").rows[0]
    assert row.gates[0].result == "fail"
    assert row.final == Decimal(80)


def test_formal_check_pending_is_listed_but_never_eligible(
    make_world: Callable[..., World], session: Session
) -> None:
    w = make_world()
    w.application(["80", "80", "80"], status="recommended")
    w.application(["80", "80", "80"], status="draft")  # not listed at all
    rows = compute_ranking(session, w.round, "enterprise").rows
    assert len(rows) == 1
    assert rows[0].eligibility_reasons == ("formal_check_not_passed",)


def test_pass_line_is_exact(make_world: Callable[..., World], session: Session) -> None:
    w = make_world(pass_line=Decimal("60.5"))
    w.application(["50", "50.5", "51"])  # 50.5 + 10 = 60.5: passes
    w.application(["50", "50", "51"])  # 50.333… + 10: below
    rows = compute_ranking(session, w.round, "enterprise").rows
    assert [r.eligible for r in rows] == [True, False]
    assert rows[1].eligibility_reasons == ("below_pass_line",)


def test_ranking_is_staff_only_and_kind_checked(
    make_world: Callable[..., World], session: Session, make_person: Callable[..., Any], make_org: Any
) -> None:
    w = make_world()
    applicant = make_person("applicant", org=make_org())
    with pytest.raises(NotFound):
        get_ranking(session, actor=applicant.actor, round_id=w.round.id, kind="enterprise")
    with pytest.raises(ValidationFailed) as err:
        get_ranking(session, actor=SYSTEM, round_id=w.round.id, kind="regional")
    assert list(err.value.fields) == ["kind"]
    with pytest.raises(NotFound):
        get_ranking(session, actor=SYSTEM, round_id=w.round.id + 999, kind="enterprise")


def test_kendalls_w_and_calibration(make_world: Callable[..., World], session: Session) -> None:
    w = make_world()
    # Three experts rank three applications identically: W = 1.
    w.application(["90", "80", "70"])
    w.application(["60", "50", "40"])
    w.application(["30", "20", "10"])
    ranking = compute_ranking(session, w.round, "enterprise")
    assert ranking.kendall.w == 1
    assert (ranking.kendall.m, ranking.kendall.n) == (3, 3)
    first = ranking.calibration[w.experts[0].id]
    assert first.mean == 60 and first.panel_mean == 50 and first.difference == 10
    assert "kendalls_w" not in orjson.loads(orjson.dumps(ranking_out(ranking)))  # only when asked for
    out = orjson.loads(orjson.dumps(ranking_out(ranking, consistency=True)))
    assert out["kendalls_w"] == {
        "w": "1.0000",
        "experts": 3,
        "applications": 3,
        "method": "all_experts",
        "method_text": "全部专家，按其共同评分的申报",
        "reason": None,
        "reason_text": None,
    }
    assert out["calibration"][str(w.experts[0].id)]["difference"] == "10.00"
