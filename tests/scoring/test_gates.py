"""Gates over declared figures: every boundary of DOMAIN.md §2, exact arithmetic, readable details."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from criteria.load import shipped_rubric
from criteria.schema import Rubric
from scoring.core.gates import GateResult, all_passed, evaluate_gates

REGIONAL = shipped_rubric("regional")
UNIVERSITY = shipped_rubric("university")
ENTERPRISE = shipped_rubric("enterprise")
PROVINCIAL = {"rd_intensity_reference": Decimal("2.00")}
D = Decimal

# A region that passes all three gates; each test changes what it is about.
PASSING = {
    "key_projects_total": D(100),
    "key_projects_hightech": D(60),
    "rd_intensity": D("2.52"),
    "hightech_share_prev": D("23.10"),
    "hightech_share": D("24.30"),
}


def gate(
    code: str,
    figures: dict[str, Decimal | None],
    references: dict[str, Decimal] = PROVINCIAL,
    rubric: Rubric = REGIONAL,
) -> GateResult:
    return {g.code: g for g in evaluate_gates(rubric, figures, references)}[code]


def share(qualifying: int | None, total: int | None) -> GateResult:
    figures = {
        **PASSING,
        "key_projects_hightech": None if qualifying is None else D(qualifying),
        "key_projects_total": None if total is None else D(total),
    }
    return gate("key_project_share", figures)


def percents(a: str, b: str) -> dict[str, Decimal | None]:
    return {**PASSING, "hightech_share_prev": D(a), "hightech_share": D(b)}


def test_a_region_meeting_every_target_passes_every_gate_in_rubric_order() -> None:
    results = evaluate_gates(REGIONAL, PASSING, PROVINCIAL)
    assert [(r.code, r.result, r.detail) for r in results] == [
        ("key_project_share", "pass", "60/100 = 60.0% ≥ 60%"),
        ("rd_intensity", "pass", "2.52% > 2.00%"),
        ("hightech_share_rise", "pass", "24.30% − 23.10% = +1.20 ≥ +1.00"),
    ]
    assert results[0].text_zh == "重点建设项目中高新技术及战略性新兴产业项目占比达到60%以上"
    assert all_passed(results)


# Key-project share: ≥ 60% ("达到60%以上" includes 60), integers only -------------------------------


@pytest.mark.parametrize(
    ("qualifying", "total", "result", "detail"),
    [
        (60, 100, "pass", "60/100 = 60.0% ≥ 60%"),
        (59, 100, "fail", "59/100 = 59.0% < 60%"),
        (61, 100, "pass", "61/100 = 61.0% ≥ 60%"),
        (5999, 10000, "fail", "5999/10000 = 59.99% < 60%"),
        (6001, 10000, "pass", "6001/10000 = 60.01% ≥ 60%"),
        (59999, 100000, "fail", "59999/100000 = 59.99…% < 60%"),
        (60001, 100000, "pass", "60001/100000 = 60.00…% ≥ 60%"),
        (3, 5, "pass", "3/5 = 60.0% ≥ 60%"),
        (2, 3, "pass", "2/3 = 66.66…% ≥ 60%"),
        (1, 3, "fail", "1/3 = 33.33…% < 60%"),
        (0, 7, "fail", "0/7 = 0.0% < 60%"),
        (7, 7, "pass", "7/7 = 100.0% ≥ 60%"),
        (601, 1000, "pass", "601/1000 = 60.1% ≥ 60%"),
    ],
)
def test_key_project_share_at_its_boundaries(qualifying: int, total: int, result: str, detail: str) -> None:
    outcome = share(qualifying, total)
    assert (outcome.result, outcome.detail, outcome.reason) == (result, detail, None)


def test_no_key_projects_at_all_fails_rather_than_missing() -> None:
    outcome = share(0, 0)
    assert (outcome.result, outcome.detail) == ("fail", "0/0")
    assert outcome.reason is not None
    assert outcome.reason.render("en") == "The total must be greater than 0."
    assert outcome.reason.render("zh_CN") == "总数须大于 0。"


def test_more_qualifying_projects_than_projects_fails_with_the_numbers() -> None:
    outcome = share(70, 60)
    assert (outcome.result, outcome.detail) == ("fail", "70/60")
    assert outcome.reason is not None
    assert outcome.reason.render("en") == "The part (70) is larger than the total (60)."


@pytest.mark.parametrize(("part", "whole"), [(D("6.5"), D(10)), (D(6), D("-10")), (D(-1), D(10))])
def test_fractional_or_negative_project_counts_fail(part: Decimal, whole: Decimal) -> None:
    outcome = gate(
        "key_project_share", {**PASSING, "key_projects_hightech": part, "key_projects_total": whole}
    )
    assert outcome.result == "fail"
    assert outcome.reason is not None
    assert outcome.reason.render("en") == "Counts must be whole numbers that are not negative."


@pytest.mark.parametrize(
    ("qualifying", "total", "detail", "missing"),
    [
        (None, 100, "?/100 ≥ 60%", "key_projects_hightech"),
        (None, None, "?/? ≥ 60%", "key_projects_hightech, key_projects_total"),
    ],
)
def test_a_missing_project_count_cannot_be_evaluated(
    qualifying: int | None, total: int | None, detail: str, missing: str
) -> None:
    outcome = share(qualifying, total)
    assert (outcome.result, outcome.detail) == ("missing", detail)
    assert outcome.reason is not None
    assert outcome.reason.render("en") == f"Missing figures: {missing}."


def test_an_absent_key_counts_as_missing() -> None:
    figures = {k: v for k, v in PASSING.items() if k != "key_projects_total"}
    assert gate("key_project_share", figures).result == "missing"


@given(total=st.integers(min_value=1, max_value=10**9), data=st.data())
def test_key_project_share_agrees_with_exact_fractions(total: int, data: st.DataObject) -> None:
    qualifying = data.draw(st.integers(min_value=0, max_value=total))
    expected = "pass" if Fraction(qualifying, total) >= Fraction(60, 100) else "fail"
    assert share(qualifying, total).result == expected


@given(total=st.integers(min_value=1, max_value=10**9))
def test_the_smallest_passing_count_passes_and_one_less_fails(total: int) -> None:
    least = -(-60 * total // 100)  # ceil(0.6 × total), in integers
    assert share(least, total).result == "pass"
    if least > 0:
        below = share(least - 1, total)
        assert below.result == "fail"
        # the shown share is truncated, never rounded up onto the threshold
        assert below.detail.endswith("< 60%")
        shown = below.detail.split(" = ")[1].split("%")[0].rstrip("…")
        assert D(shown) < 60


# R&D intensity: strictly above the reference ("高于") --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "result", "detail"),
    [
        ("2.52", "pass", "2.52% > 2.00%"),
        ("2.01", "pass", "2.01% > 2.00%"),
        ("2.00", "fail", "2.00% ≤ 2.00%"),
        ("2", "fail", "2.00% ≤ 2.00%"),
        ("1.99", "fail", "1.99% ≤ 2.00%"),
        ("2.001", "pass", "2.001% > 2.00%"),
    ],
)
def test_rd_intensity_must_be_strictly_above_the_reference(value: str, result: str, detail: str) -> None:
    outcome = gate("rd_intensity", {**PASSING, "rd_intensity": D(value)})
    assert (outcome.result, outcome.detail) == (result, detail)


@given(
    reference=st.decimals(min_value=0, max_value=10, places=2),
    delta=st.sampled_from([D("-0.01"), D("0"), D("0.01")]),
)
def test_rd_intensity_around_any_reference(reference: Decimal, delta: Decimal) -> None:
    outcome = gate(
        "rd_intensity", {**PASSING, "rd_intensity": reference + delta}, {"rd_intensity_reference": reference}
    )
    assert outcome.result == ("pass" if delta > 0 else "fail")


def test_rd_intensity_without_a_reference_value_cannot_be_evaluated() -> None:
    outcome = gate("rd_intensity", PASSING, {})
    assert (outcome.result, outcome.detail) == ("missing", "2.52% > ?")
    assert outcome.reason is not None
    assert outcome.reason.render("en") == "The round has no reference value rd_intensity_reference."


def test_rd_intensity_without_the_figure_cannot_be_evaluated() -> None:
    outcome = gate("rd_intensity", {**PASSING, "rd_intensity": None})
    assert (outcome.result, outcome.detail) == ("missing", "? > 2.00%")


def test_rd_intensity_missing_both_names_both() -> None:
    outcome = gate("rd_intensity", {**PASSING, "rd_intensity": None}, {})
    assert outcome.result == "missing"
    assert outcome.reason is not None
    assert outcome.reason.render("en") == (
        "Missing figures: rd_intensity. The round has no reference value rd_intensity_reference."
    )


# High-tech share rise: ≥ +1.0 percentage point, exact decimals -----------------------------------------


@pytest.mark.parametrize(
    ("previous", "current", "result", "detail"),
    [
        ("23.10", "24.30", "pass", "24.30% − 23.10% = +1.20 ≥ +1.00"),
        ("23.10", "24.10", "pass", "24.10% − 23.10% = +1.00 ≥ +1.00"),
        ("23.10", "24.09", "fail", "24.09% − 23.10% = +0.99 < +1.00"),
        ("23.10", "24.11", "pass", "24.11% − 23.10% = +1.01 ≥ +1.00"),
        ("23.10", "22.00", "fail", "22.00% − 23.10% = −1.10 < +1.00"),
        ("23.10", "23.10", "fail", "23.10% − 23.10% = +0.00 < +1.00"),
        # 0.1 + 1.0 is not 1.1 in binary floats; in decimals it is.
        ("0.1", "1.1", "pass", "1.10% − 0.10% = +1.00 ≥ +1.00"),
        ("0.7", "1.7", "pass", "1.70% − 0.70% = +1.00 ≥ +1.00"),
    ],
)
def test_high_tech_share_rise_at_its_boundaries(
    previous: str, current: str, result: str, detail: str
) -> None:
    outcome = gate("hightech_share_rise", percents(previous, current))
    assert (outcome.result, outcome.detail) == (result, detail)


@given(
    previous=st.decimals(min_value=0, max_value=98, places=2),
    delta=st.sampled_from([D("0.99"), D("1.00"), D("1.0"), D("1"), D("1.01")]),
)
def test_high_tech_share_rise_around_one_point(previous: Decimal, delta: Decimal) -> None:
    outcome = gate(
        "hightech_share_rise",
        {**PASSING, "hightech_share_prev": previous, "hightech_share": previous + delta},
    )
    assert outcome.result == ("pass" if delta >= 1 else "fail")


@given(
    previous=st.decimals(min_value=0, max_value=100, places=2),
    current=st.decimals(min_value=0, max_value=100, places=2),
)
def test_high_tech_share_rise_agrees_with_exact_arithmetic(previous: Decimal, current: Decimal) -> None:
    outcome = gate(
        "hightech_share_rise", {**PASSING, "hightech_share_prev": previous, "hightech_share": current}
    )
    assert outcome.result == ("pass" if Fraction(current) - Fraction(previous) >= 1 else "fail")


def test_high_tech_share_rise_without_last_year_cannot_be_evaluated() -> None:
    outcome = gate("hightech_share_rise", {**PASSING, "hightech_share_prev": None})
    assert (outcome.result, outcome.detail) == ("missing", "24.30% − ? ≥ +1.00")


# Platform counts: ≥ 1 ("1家以上") ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rubric", "code", "figure"),
    [
        (UNIVERSITY, "innovation_platform", "innovation_platforms"),
        (ENTERPRISE, "rd_platform", "rd_platforms"),
    ],
)
@pytest.mark.parametrize(
    ("count", "result", "detail"),
    [(0, "fail", "0 < 1"), (1, "pass", "1 ≥ 1"), (12, "pass", "12 ≥ 1"), (None, "missing", "? ≥ 1")],
)
def test_platform_counts_need_at_least_one(
    rubric: Rubric,
    code: str,
    figure: str,
    count: int | None,
    result: str,
    detail: str,
) -> None:
    outcome = gate(code, {figure: None if count is None else D(count)}, {}, rubric)
    assert (outcome.result, outcome.detail) == (result, detail)


def test_non_numbers_are_treated_as_missing_not_guessed() -> None:
    outcome = gate("innovation_platform", {"innovation_platforms": D("NaN")}, {}, UNIVERSITY)
    assert outcome.result == "missing"


def test_the_reasons_have_chinese_translations() -> None:
    outcome = share(None, 100)
    assert outcome.reason is not None
    assert outcome.reason.render("zh_CN") == "缺少数据项:key_projects_hightech。"
