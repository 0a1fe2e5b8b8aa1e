"""Expert scores and declared figures are parsed exactly; sheets total; data indicators earn all or none."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from criteria.load import shipped_rubric
from criteria.schema import Indicator
from scoring.core.scores import (
    InvalidValue,
    data_points,
    expert_indicator_codes,
    grade_of,
    parse_figure,
    parse_score,
    section_breakdown,
    sheet_total,
    total_data_points,
)

D = Decimal
REGIONAL = shipped_rubric("regional")
ENTERPRISE = shipped_rubric("enterprise")
FIVE = REGIONAL.indicator("r1_1")  # max 5, step 0.5
SIX_AND_A_HALF = REGIONAL.indicator("r3_2")  # max 6.5
PASSING = {
    "key_projects_total": D(100),
    "key_projects_hightech": D(60),
    "rd_intensity": D("2.52"),
    "hightech_share_prev": D("23.10"),
    "hightech_share": D("24.30"),
}
PROVINCIAL = {"rd_intensity_reference": D("2.00")}


def rule_of(indicator: Indicator, raw: object) -> str:
    with pytest.raises(InvalidValue) as excinfo:
        parse_score(indicator, raw)
    return str(excinfo.value.rule)


# Parsing one score -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4.5", "4.5"),
        ("4.50", "4.5"),
        (" 3.5 ", "3.5"),
        ("5", "5.0"),
        (5, "5.0"),
        ("0", "0.0"),
        ("-0", "0.0"),
        ("0.0", "0.0"),
        (".5", "0.5"),
        ("4.", "4.0"),
        ("+2", "2.0"),
        (D("2.5"), "2.5"),
        (4.5, "4.5"),
        ("４．５", "4.5"),  # full-width digits from a Chinese IME
    ],
)
def test_valid_scores_are_parsed_exactly(raw: object, expected: str) -> None:
    value = parse_score(FIVE, raw)
    assert isinstance(value, Decimal)
    assert str(value) == expected


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        (True, "must be a number"),
        (None, "must be a number"),
        ([4], "must be a number"),
        ("", "a value is required"),
        ("   ", "a value is required"),
        ("NaN", "must be a plain decimal number such as 4.5"),
        ("nan", "must be a plain decimal number such as 4.5"),
        ("inf", "must be a plain decimal number such as 4.5"),
        ("-Infinity", "must be a plain decimal number such as 4.5"),
        ("1e0", "must be a plain decimal number such as 4.5"),
        ("4,5", "must be a plain decimal number such as 4.5"),
        ("4.5分", "must be a plain decimal number such as 4.5"),
        ("0x4", "must be a plain decimal number such as 4.5"),
        ("4" * 40, "must be a plain decimal number such as 4.5"),
        (float("nan"), "must be a finite number"),
        (float("inf"), "must be a finite number"),
        (float("-inf"), "must be a finite number"),
        (D("NaN"), "must be a finite number"),
        (D("Infinity"), "must be a finite number"),
        ("-0.5", "must not be negative"),
        (-1, "must not be negative"),
        ("5.5", "must be at most 5"),
        (6, "must be at most 5"),
        ("4.25", "must have at most 1 decimal place(s)"),
        ("4.55", "must have at most 1 decimal place(s)"),
        (0.1 + 0.2, "must have at most 1 decimal place(s)"),
        ("4.3", "must be a multiple of 0.5"),
        ("0.1", "must be a multiple of 0.5"),
    ],
)
def test_invalid_scores_are_refused_with_their_rule(raw: object, rule: str) -> None:
    assert rule_of(FIVE, raw) == rule


def test_the_maximum_of_a_half_point_indicator_is_accepted_and_above_it_refused() -> None:
    assert parse_score(SIX_AND_A_HALF, "6.5") == D("6.5")
    assert rule_of(SIX_AND_A_HALF, "7") == "must be at most 6.5"


def test_data_indicators_are_never_scored_by_hand() -> None:
    assert rule_of(REGIONAL.indicator("r5_1"), "7") == (
        "This indicator is computed from declared figures; experts do not score it."
    )


def test_refusals_render_in_chinese() -> None:
    with pytest.raises(InvalidValue) as excinfo:
        parse_score(FIVE, "5.5")
    assert excinfo.value.rule.render("zh_CN") == "不能大于 5"


@given(halves=st.integers(min_value=0, max_value=10))
def test_every_step_from_zero_to_max_is_accepted(halves: int) -> None:
    value = D(halves) / 2
    assert parse_score(FIVE, str(value)) == value
    assert parse_score(FIVE, value) == value
    assert parse_score(FIVE, float(value)) == value


@given(value=st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False, allow_infinity=False))
def test_a_two_place_decimal_is_accepted_exactly_when_on_step_and_in_range(value: Decimal) -> None:
    ok = 0 <= value <= 5 and value % D("0.5") == 0
    if ok:
        assert parse_score(FIVE, str(value)) == value
    else:
        with pytest.raises(InvalidValue):
            parse_score(FIVE, str(value))


@given(
    raw=st.one_of(st.text(max_size=40), st.floats(), st.integers(), st.decimals(), st.booleans(), st.none())
)
def test_any_input_either_parses_into_range_and_step_or_is_refused(raw: object) -> None:
    try:
        value = parse_score(FIVE, raw)
    except InvalidValue as exc:
        assert str(exc.rule)
        return
    assert isinstance(value, Decimal)
    assert value.is_finite()
    assert 0 <= value <= 5
    assert value % D("0.5") == 0
    assert value.as_tuple().exponent == -1


@given(value=st.floats(min_value=0, max_value=5, allow_nan=False))
def test_a_float_is_read_through_its_repr_never_its_binary_expansion(value: float) -> None:
    try:
        parsed = parse_score(FIVE, value)
    except InvalidValue:
        assert D(repr(value)) % D("0.5") != 0
        return
    assert parsed == D(repr(value))


# Declared figures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("key_projects_total", "100", "100"),
        ("key_projects_total", 7, "7"),
        ("key_projects_total", "7.0", "7"),
        ("key_projects_total", "0", "0"),
        ("rd_intensity", "2.52", "2.52"),
        ("rd_intensity", "2.5", "2.50"),
        ("rd_intensity", 2, "2.00"),
        ("rd_intensity", "100", "100.00"),
        ("hightech_share", "０", "0.00"),
    ],
)
def test_valid_figures_are_parsed_exactly(code: str, raw: object, expected: str) -> None:
    assert str(parse_figure(REGIONAL.figure(code), raw)) == expected


@pytest.mark.parametrize(
    ("code", "raw", "rule"),
    [
        ("key_projects_total", "3.5", "must be a whole number"),
        ("key_projects_total", "-1", "must not be negative"),
        ("key_projects_total", "", "a value is required"),
        ("key_projects_total", True, "must be a number"),
        ("rd_intensity", "2.525", "must have at most 2 decimal place(s)"),
        ("rd_intensity", "100.01", "must be at most 100"),
        ("rd_intensity", "-0.01", "must not be negative"),
        ("rd_intensity", "NaN", "must be a plain decimal number such as 4.5"),
        ("rd_intensity", float("inf"), "must be a finite number"),
    ],
)
def test_invalid_figures_are_refused_with_their_rule(code: str, raw: object, rule: str) -> None:
    with pytest.raises(InvalidValue) as excinfo:
        parse_figure(REGIONAL.figure(code), raw)
    assert str(excinfo.value.rule) == rule


@given(value=st.decimals(min_value=0, max_value=100, places=2))
def test_any_two_place_percentage_is_accepted_as_itself(value: Decimal) -> None:
    assert parse_figure(REGIONAL.figure("rd_intensity"), str(value)) == value


@given(value=st.integers(min_value=0, max_value=10**12))
def test_any_non_negative_count_is_accepted(value: int) -> None:
    assert parse_figure(REGIONAL.figure("key_projects_total"), str(value)) == value


# Sheets and data indicators ----------------------------------------------------------------------


def test_expert_indicators_are_the_non_data_ones_in_order() -> None:
    codes = expert_indicator_codes(REGIONAL)
    assert len(codes) == 15
    assert codes[:2] == ["r1_1", "r1_2"]
    assert codes[-1] == "r4_3"
    assert "r5_1" not in codes


def test_a_full_sheet_totals_the_expert_points_exactly() -> None:
    scores = {ind.code: ind.max_points for ind in REGIONAL.indicators() if ind.kind == "expert"}
    assert sheet_total(REGIONAL, scores) == D(80)
    breakdown = section_breakdown(REGIONAL, scores)
    assert breakdown == {"r1": D(20), "r2": D(20), "r3": D(20), "r4": D(20), "r5": D(0)}


def test_a_partial_sheet_totals_what_is_scored() -> None:
    assert sheet_total(REGIONAL, {"r1_1": D("4.5"), "r3_2": D("6.5")}) == D("11.0")


def test_a_sheet_with_an_unknown_or_data_indicator_is_refused() -> None:
    for code in ("r9_9", "r5_1"):
        with pytest.raises(InvalidValue):
            sheet_total(REGIONAL, {code: D(1)})


def test_data_indicators_earn_full_points_when_their_rule_holds() -> None:
    points = data_points(REGIONAL, PASSING, PROVINCIAL)
    assert points == {"r5_1": D(7), "r5_2": D("6.5"), "r5_3": D("6.5")}
    assert total_data_points(REGIONAL, PASSING, PROVINCIAL) == D(20)


def test_data_indicators_earn_nothing_when_the_rule_fails_or_a_figure_is_missing() -> None:
    figures = {**PASSING, "rd_intensity": D("2.00"), "hightech_share_prev": None}
    assert data_points(REGIONAL, figures, PROVINCIAL) == {"r5_1": D(0), "r5_2": D(0), "r5_3": D("6.5")}


def test_the_section_breakdown_adds_data_points_when_given() -> None:
    data = data_points(REGIONAL, PASSING, PROVINCIAL)
    breakdown = section_breakdown(REGIONAL, {"r1_1": D(5)}, data)
    assert breakdown["r1"] == D(5)
    assert breakdown["r5"] == D(20)


def test_performance_data_indicators_compare_with_the_city_average_and_25_percent() -> None:
    rubric = shipped_rubric("regional", "performance")
    figures = {**PASSING, "hightech_share": D("25.00"), "hightech_share_prev": D("24.00")}
    points = data_points(rubric, figures, {"city_rd_intensity": D("2.52")})
    # 2.52 is not above the city's 2.52; 25.00 reaches 25; +1.00 reaches +1; 60% reaches 60%
    assert points == {"pr3_1": D(10), "pr3_2": D(10), "pr3_3": D(0), "pr3_4": D(10)}


def test_enterprise_platform_clause_is_worth_its_points() -> None:
    assert data_points(ENTERPRISE, {"rd_platforms": D(1)}, {}) == {"e4_2": D("12.5")}
    assert data_points(ENTERPRISE, {"rd_platforms": D(0)}, {}) == {"e4_2": D(0)}


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "优秀"),
        ("85", "优秀"),
        ("84.99", "合格"),
        ("60", "合格"),
        ("59.99", "不合格"),
        ("0", "不合格"),
    ],
)
def test_performance_grades_include_their_lower_bound(score: str, grade: str) -> None:
    assert grade_of(shipped_rubric("enterprise", "performance"), D(score)).grade_zh == grade


def test_designation_rubrics_have_no_grades() -> None:
    with pytest.raises(ValueError):
        grade_of(REGIONAL, D(90))
