"""Section thresholds: points per section from the sheets behind the panel score, checked exactly against
the round's minimums; equal to the minimum passes; the shown points never cross the minimum."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from scoring.core import ranking as core
from scoring.core.aggregate import panel_score
from scoring.core.sections import (
    SectionCheck,
    all_met,
    check_sections,
    is_section,
    section_points,
    sheets_behind,
    shown,
)
from tests.ranking.conftest import SMALL_RUBRIC, div

D = Decimal
SHEETS = [{"a": D("40"), "b": D("20")}, {"a": D("45"), "b": D("15")}, {"a": D("30"), "b": D("10")}]


def test_section_points_are_the_mean_of_the_sheets_plus_the_data_points() -> None:
    points = section_points(SMALL_RUBRIC, SHEETS, {"p": D(10)})
    assert points == {"s1": div(160, 3), "s2": D(10)}
    assert section_points(SMALL_RUBRIC, [], {"p": D(10)}) == {"s1": None, "s2": None}


def test_a_section_below_its_minimum_fails_with_its_arithmetic() -> None:
    points = section_points(SMALL_RUBRIC, SHEETS, {"p": D(0)})  # s1 = 53.333…, s2 = 0
    checks = check_sections(SMALL_RUBRIC, points, {"s1": D("53.34"), "s2": D("5")})
    assert [(c.code, c.passed, c.detail) for c in checks] == [
        ("s1", False, "53.33… < 53.34"),
        ("s2", False, "0.00 < 5.00"),
    ]
    assert not all_met(checks)
    assert checks[0].reason(True).render("zh_CN") == "“制度创新”部分得分 53.33…，低于最低分 53.34。"
    assert checks[0].reason(False).render("en") == (
        "The section “Institutions” scored 53.33…, below its minimum of 53.34."
    )
    gate = checks[1].as_gate()
    assert (gate.code, gate.result, gate.detail, gate.text_zh, gate.text_en) == (
        "section:s2",
        "fail",
        "0.00 < 5.00",
        "“支撑平台”部分得分不低于5.00分",
        "Section “Platforms”: at least 5.00 points",
    )
    assert is_section(gate.code) and not is_section("platform")


def test_equal_to_the_minimum_passes_and_just_below_fails() -> None:
    equal = check_sections(SMALL_RUBRIC, {"s1": D("53.50"), "s2": D(10)}, {"s1": D("53.5"), "s2": D(10)})
    assert [(c.passed, c.detail) for c in equal] == [(True, "53.50 ≥ 53.50"), (True, "10.00 ≥ 10.00")]
    assert all_met(equal)
    below = check_sections(SMALL_RUBRIC, {"s1": D("53.4999"), "s2": D(10)}, {"s1": D("53.5")})
    assert [(c.code, c.passed, c.detail) for c in below] == [("s1", False, "53.49… < 53.50")]


def test_only_sections_with_a_minimum_and_with_points_are_checked() -> None:
    assert check_sections(SMALL_RUBRIC, {"s1": D(50), "s2": D(10)}, {}) == ()
    assert check_sections(SMALL_RUBRIC, {"s1": None, "s2": None}, {"s1": D(1)}) == ()
    assert all_met(())


def test_the_sheets_behind_the_panel_score_per_method() -> None:
    totals = [(1, D(60)), (2, D(70)), (3, D(80)), (4, D(90)), (5, D(50))]
    assert sheets_behind(panel_score(totals, "trimmed_mean"), totals) == (1, 2, 3)
    assert sheets_behind(panel_score(totals, "mean"), totals) == (1, 2, 3, 4, 5)
    assert sheets_behind(panel_score(totals, "median"), totals) == (2,)
    assert sheets_behind(panel_score(totals[:4], "median"), totals[:4]) == (2, 3)
    assert sheets_behind(panel_score(totals[:2], "mean"), totals[:2]) == ()


def test_a_failed_section_makes_a_candidate_ineligible_like_a_gate() -> None:
    candidates = [
        core.Candidate(1, D(90), True, True, sections_passed=False),
        core.Candidate(2, D(80), True, True),
        core.Candidate(3, D(70), True, False, sections_passed=False),
    ]
    rows = {r.application_id: r for r in core.propose(candidates, D(60), 1).rows}
    assert (rows[1].eligible, rows[1].reasons, rows[1].decision, rows[1].rank) == (
        False,
        (core.SECTION_BELOW_MINIMUM,),
        core.NOT_ELIGIBLE,
        1,
    )
    assert (rows[2].proposed, rows[2].decision) == (True, core.WITHIN_QUOTA)
    assert rows[3].reasons == (core.GATE_FAILED, core.SECTION_BELOW_MINIMUM)


cents = st.integers(min_value=0, max_value=10_000).map(lambda n: D(n) / 100)
points = st.decimals(min_value=0, max_value=100, places=6, allow_nan=False, allow_infinity=False)


@given(value=points, minimum=cents)
def test_passes_exactly_when_at_or_above_and_the_shown_points_stay_on_their_side(
    value: Decimal, minimum: Decimal
) -> None:
    check = SectionCheck("s1", "制度创新", "Institutions", value, minimum, value >= minimum)
    (found,) = check_sections(SMALL_RUBRIC, {"s1": value}, {"s1": minimum})
    assert found == check
    text = shown(value)
    assert (D(text.rstrip("…")) >= minimum) == found.passed
    assert text.endswith("…") == (value != value.quantize(D("0.01")))
