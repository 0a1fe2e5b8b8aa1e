"""Competition ranking, eligibility and the proposed list up to the quota, with ties at the line flagged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.core.aggregate import round2
from scoring.core.ranking import (
    Candidate,
    ProposalResult,
    RankedRow,
    competition_ranks,
    eligibility,
    propose,
)

PASS = Decimal(60)


def ok(app_id: int, score: str | None) -> Candidate:
    """An application that passed formal check and every gate."""
    return Candidate(app_id, None if score is None else Decimal(score), True, True)


def row(app_id: int, score: str | None, rank: int | None, decision: str, **kw: object) -> RankedRow:
    reasons = kw.get("reasons", ())
    return RankedRow(
        application_id=app_id,
        final_score=None if score is None else Decimal(score),
        rank=rank,
        eligible=not reasons,
        reasons=reasons,  # type: ignore[arg-type]
        proposed=decision == "within_quota",
        decision=decision,
        flags=kw.get("flags", ()),  # type: ignore[arg-type]
    )


def test_competition_ranks_share_a_rank_and_skip_the_next() -> None:
    scores = {1: Decimal(90), 2: Decimal("85.5"), 3: Decimal("85.50"), 4: Decimal(80), 5: None}
    assert competition_ranks(scores) == {1: 1, 2: 2, 3: 2, 4: 4, 5: None}


def test_competition_ranks_compare_exact_decimals_not_the_rounded_ones() -> None:
    # both show as 83.40, but the exact scores differ, so they do not share a rank
    assert competition_ranks({1: Decimal("83.396"), 2: Decimal("83.404")}) == {2: 1, 1: 2}


def test_competition_ranks_of_nothing() -> None:
    assert competition_ranks({}) == {}


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (Candidate(1, Decimal(80), True, True), (True, ())),
        (Candidate(1, Decimal(60), True, True), (True, ())),  # the pass line itself passes
        (Candidate(1, Decimal("59.999"), True, True), (False, ("below_pass_line",))),
        (Candidate(1, Decimal(80), False, True), (False, ("formal_check_not_passed",))),
        (Candidate(1, Decimal(80), True, False), (False, ("gate_failed",))),
        (Candidate(1, Decimal(80), True, None), (False, ("gate_missing",))),
        (Candidate(1, None, True, True), (False, ("not_scoreable",))),
        (
            Candidate(1, Decimal(40), False, False),
            (False, ("formal_check_not_passed", "gate_failed", "below_pass_line")),
        ),
        (
            Candidate(1, None, False, None),
            (False, ("formal_check_not_passed", "gate_missing", "not_scoreable")),
        ),
    ],
)
def test_eligibility_reasons(candidate: Candidate, expected: tuple[bool, tuple[str, ...]]) -> None:
    assert eligibility(candidate, PASS) == expected


def test_proposed_list_is_eligible_rows_in_rank_order_up_to_the_quota() -> None:
    result = propose([ok(4, "80"), ok(1, "90"), ok(3, "85"), ok(2, "70")], PASS, 2)
    assert result == ProposalResult(
        rows=(
            row(1, "90", 1, "within_quota"),
            row(3, "85", 2, "within_quota"),
            row(4, "80", 3, "beyond_quota"),
            row(2, "70", 4, "beyond_quota"),
        ),
        quota=2,
        seats_left_for_tie=0,
        tie_rank=None,
    )
    assert result.proposed_ids == (1, 3)
    assert result.tied_ids == ()


def test_tie_across_the_quota_line_is_flagged_and_none_of_it_is_proposed() -> None:
    # quota 3: 90 takes a seat, then 85 / 85 / 85 share rank 2 for the 2 seats left
    candidates = [ok(1, "90"), ok(2, "85"), ok(3, "85"), ok(4, "85"), ok(5, "84")]
    result = propose(candidates, PASS, 3)
    tie = ("tie_at_quota_line",)
    assert result.rows == (
        row(1, "90", 1, "within_quota"),
        row(2, "85", 2, "tie_at_quota_line", flags=tie),
        row(3, "85", 2, "tie_at_quota_line", flags=tie),
        row(4, "85", 2, "tie_at_quota_line", flags=tie),
        row(5, "84", 5, "beyond_quota"),
    )
    assert result.seats_left_for_tie == 2
    assert result.tie_rank == 2
    assert result.proposed_ids == (1,)
    assert result.tied_ids == (2, 3, 4)


def test_tie_that_fits_exactly_in_the_seats_left_is_proposed() -> None:
    result = propose([ok(1, "90"), ok(2, "85"), ok(3, "85"), ok(4, "80")], PASS, 3)
    assert result.proposed_ids == (1, 2, 3)
    assert result.tied_ids == ()
    assert result.seats_left_for_tie == 0


def test_tie_just_below_a_full_quota_is_simply_beyond_it() -> None:
    result = propose([ok(1, "90"), ok(2, "88"), ok(3, "85"), ok(4, "85")], PASS, 2)
    assert [r.decision for r in result.rows] == [
        "within_quota",
        "within_quota",
        "beyond_quota",
        "beyond_quota",
    ]
    assert all(r.flags == () for r in result.rows)


def test_tie_for_the_first_place_with_a_quota_of_one() -> None:
    result = propose([ok(1, "90"), ok(2, "90")], PASS, 1)
    assert result.proposed_ids == ()
    assert result.tied_ids == (1, 2)
    assert result.seats_left_for_tie == 1
    assert result.tie_rank == 1


def test_ineligible_rows_keep_their_rank_but_take_no_seat() -> None:
    candidates = [
        Candidate(1, Decimal(95), True, False),  # gate failed
        Candidate(2, Decimal(90), False, True),  # formal check not passed
        ok(3, "88"),
        Candidate(4, Decimal(86), True, None),  # gate missing
        ok(5, "85"),
        ok(6, "59.5"),  # below the pass line
        ok(7, "84"),
    ]
    result = propose(candidates, PASS, 2)
    assert result.rows == (
        row(1, "95", 1, "not_eligible", reasons=("gate_failed",)),
        row(2, "90", 2, "not_eligible", reasons=("formal_check_not_passed",)),
        row(3, "88", 3, "within_quota"),
        row(4, "86", 4, "not_eligible", reasons=("gate_missing",)),
        row(5, "85", 5, "within_quota"),
        row(7, "84", 6, "beyond_quota"),
        row(6, "59.5", 7, "not_eligible", reasons=("below_pass_line",)),
    )


def test_an_ineligible_row_tied_at_the_line_is_not_part_of_the_tie() -> None:
    candidates = [ok(1, "90"), Candidate(2, Decimal(85), True, False), ok(3, "85")]
    result = propose(candidates, PASS, 2)
    assert result.proposed_ids == (1, 3)
    assert result.tied_ids == ()


def test_unranked_rows_come_last_in_application_id_order() -> None:
    result = propose([ok(9, None), ok(2, "70"), ok(5, None), ok(7, "75")], PASS, 5)
    assert result.rows == (
        row(7, "75", 1, "within_quota"),
        row(2, "70", 2, "within_quota"),
        row(5, None, None, "not_eligible", reasons=("not_scoreable",)),
        row(9, None, None, "not_eligible", reasons=("not_scoreable",)),
    )


def test_scores_that_look_equal_when_rounded_but_rank_apart_are_flagged() -> None:
    result = propose([ok(1, "83.396"), ok(2, "83.404"), ok(3, "80")], PASS, 1)
    assert result.rows == (
        row(2, "83.404", 1, "within_quota", flags=("rounded_tie",)),
        row(1, "83.396", 2, "beyond_quota", flags=("rounded_tie",)),
        row(3, "80", 3, "beyond_quota"),
    )


def test_a_score_shown_as_the_pass_line_but_below_it_is_flagged() -> None:
    result = propose([ok(1, "59.995")], PASS, 1)
    assert result.rows == (
        row(1, "59.995", 1, "not_eligible", reasons=("below_pass_line",), flags=("rounds_to_pass_line",)),
    )


def test_quota_zero_proposes_nothing_and_bad_input_is_refused() -> None:
    assert propose([ok(1, "90")], PASS, 0).rows == (row(1, "90", 1, "beyond_quota"),)
    with pytest.raises(ValueError, match="quota"):
        propose([ok(1, "90")], PASS, -1)
    with pytest.raises(ValueError, match="given twice"):
        propose([ok(1, "90"), ok(1, "80")], PASS, 1)


scores = st.one_of(st.none(), st.integers(min_value=50, max_value=60).map(Decimal))


@given(st.lists(scores, max_size=12), st.integers(min_value=0, max_value=8))
def test_proposal_never_exceeds_the_quota_and_never_cuts_a_tie_silently(
    values: list[Decimal | None], quota: int
) -> None:
    result = propose([ok(i, None if v is None else str(v)) for i, v in enumerate(values)], Decimal(55), quota)
    proposed = [r for r in result.rows if r.proposed]
    tied = [r for r in result.rows if r.decision == "tie_at_quota_line"]
    eligible = [r for r in result.rows if r.eligible]
    assert len(proposed) + result.seats_left_for_tie <= quota
    assert all(r.eligible for r in proposed)
    if tied:
        assert len(tied) > result.seats_left_for_tie > 0
        assert {r.rank for r in tied} == {result.tie_rank}
        assert len(proposed) + result.seats_left_for_tie == quota
    else:
        assert len(proposed) == min(quota, len(eligible))
    # nobody is skipped: every eligible row ranked above a proposed or tied row is proposed
    for taken in proposed + tied:
        above = [r for r in eligible if r.rank is not None and taken.rank is not None and r.rank < taken.rank]
        assert all(r.proposed for r in above)
    ranks = [r.rank for r in result.rows if r.rank is not None]
    assert ranks == sorted(ranks)
    scored = {r.application_id: r.final_score for r in result.rows if r.final_score is not None}
    for r in result.rows:
        score = scored.get(r.application_id)
        assert r.rank == (None if score is None else 1 + sum(1 for other in scored.values() if other > score))


close_scores = st.one_of(
    st.none(),
    st.sampled_from(
        ["59.994", "59.995", "60", "60.00", "83.396", "83.4", "83.404", "83.40", "83.41", "70"]
    ).map(Decimal),
    st.decimals(min_value=59, max_value=61, places=3),
)


@given(st.lists(close_scores, max_size=14), st.integers(min_value=0, max_value=6))
def test_display_flags_and_order_follow_their_definitions(values: list[Decimal | None], quota: int) -> None:
    """Checked pairwise against the definitions, not against propose's own shortcuts: a rounded tie
    is a 2-place score shared with a differently ranked row; "rounds to the pass line" is below it
    exactly yet shown at or above it; rows are in rank order, equal ranks and the unranked by id."""
    result = propose([ok(i, None if v is None else str(v)) for i, v in enumerate(values)], PASS, quota)
    assert sorted(r.application_id for r in result.rows) == list(range(len(values)))
    keys = [(r.rank is None, r.rank or 0, r.application_id) for r in result.rows]
    assert keys == sorted(keys)
    shown = {r.application_id: round2(r.final_score) for r in result.rows if r.final_score is not None}
    for r in result.rows:
        if r.final_score is None:
            assert "rounded_tie" not in r.flags and "rounds_to_pass_line" not in r.flags
            continue
        shares = any(
            o.rank != r.rank
            and o.application_id in shown
            and shown[o.application_id] == shown[r.application_id]
            for o in result.rows
        )
        assert ("rounded_tie" in r.flags) == shares
        assert ("rounds_to_pass_line" in r.flags) == (r.final_score < PASS <= shown[r.application_id])
        assert ("tie_at_quota_line" in r.flags) == (r.decision == "tie_at_quota_line")
