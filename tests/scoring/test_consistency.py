"""Spread, outlier sheets, Kendall's W (with the tie correction) and expert calibration, on exact decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.core.consistency import (
    ExpertCalibration,
    KendallResult,
    calibration,
    kendalls_w,
    outliers,
    spread,
)


def sheets(*totals: str) -> list[tuple[int, Decimal]]:
    return [(sheet_id, Decimal(total)) for sheet_id, total in enumerate(totals, start=1)]


def matrix_of_columns(columns: dict[int, list[int]]) -> dict[int, dict[int, Decimal]]:
    """matrix[expert][application] from each expert's list of values for applications 1, 2, 3, …"""
    return {
        expert: {app: Decimal(value) for app, value in enumerate(values, start=1)}
        for expert, values in columns.items()
    }


def close(value: Decimal | None, expected: str, places: int = 40) -> bool:
    assert value is not None
    return abs(value - Decimal(expected)) < Decimal(10) ** -places


def test_spread_is_highest_minus_lowest() -> None:
    assert spread(sheets("78", "95.5", "82", "60")) == Decimal("35.5")
    assert spread(sheets("80")) == Decimal(0)
    assert spread([]) is None


def test_outlier_is_strictly_more_than_the_threshold_from_the_median() -> None:
    # median of 60, 80, 82, 84, 102 is 82: sheet 1 is 22 away (outlier), sheet 5 exactly 20 (not)
    totals = sheets("60", "80", "82", "84", "102")
    assert outliers(totals) == (1,)
    assert outliers(totals, Decimal(20)) == (1,)
    assert outliers(totals, Decimal(19)) == (1, 5)
    assert outliers(totals, Decimal(22)) == ()


def test_outliers_use_the_mean_of_the_two_middle_totals_for_an_even_count() -> None:
    # median of 50, 75, 76, 97 is 75.5: 50 is 25.5 away, 97 is 21.5 away
    assert outliers(sheets("50", "75", "76", "97")) == (1, 4)
    assert outliers(sheets("50", "75", "76", "97"), Decimal("21.5")) == (1,)
    assert outliers([]) == ()


def test_kendalls_w_proofwiki_example_four_judges_three_competitors() -> None:
    # ProofWiki, "Kendall's Coefficient of Concordance/Examples/Arbitrary Example 1": judges A–D rank
    # X, Y, Z. Rank sums X 7, Y 9, Z 8; mean m(n+1)/2 = 4·4/2 = 8; S = 1 + 1 + 0 = 2;
    # W = 12·2 / (4²·(3³ − 3)) = 24 / 384 = 1/16.
    matrix = matrix_of_columns({1: [1, 3, 2], 2: [1, 2, 3], 3: [2, 3, 1], 4: [3, 1, 2]})
    assert kendalls_w(matrix) == KendallResult(
        w=Decimal("0.0625"), m=4, n=3, applications_used=(1, 2, 3), experts_used=(1, 2, 3, 4)
    )


def test_kendalls_w_four_judges_ten_projects() -> None:
    # The classic worksheet example of 4 judges ranking 10 projects (no ties). Rank sums
    # 10, 8, 12, 16, 21, 22, 25, 31, 37, 38; mean 4·11/2 = 22; deviations² 144, 196, 100, 36, 1, 0, 9, 81,
    # 225, 256, so S = 1048; W = 12·1048 / (4²·(10³ − 10)) = 12576 / 15840 = 131/165 = 0.793939…
    matrix = matrix_of_columns(
        {
            1: [1, 3, 4, 5, 2, 8, 6, 7, 10, 9],
            2: [2, 1, 4, 5, 6, 3, 8, 7, 10, 9],
            3: [3, 2, 1, 5, 7, 4, 6, 8, 9, 10],
            4: [4, 2, 3, 1, 6, 7, 5, 9, 8, 10],
        }
    )
    result = kendalls_w(matrix)
    assert result.w == Decimal("0.79393939393939393939393939393939393939393939393939")
    assert (result.m, result.n) == (4, 10)


def test_kendalls_w_applies_the_tie_correction() -> None:
    # Expert 1: 80, 80, 70, 90 → ranks (1 = lowest) 2.5, 2.5, 1, 4; one tie of 2: T₁ = 2³ − 2 = 6.
    # Expert 2: 85, 75, 70, 90 → ranks 3, 2, 1, 4; T₂ = 0.
    # Rank sums 5.5, 4.5, 2, 8; mean 2·5/2 = 5; S = 0.25 + 0.25 + 9 + 9 = 18.5.
    # W = 12·18.5 / (2²·(4³ − 4) − 2·6) = 222 / 228 = 37/38 (without the correction: 222/240 = 0.925).
    matrix = matrix_of_columns({1: [80, 80, 70, 90], 2: [85, 75, 70, 90]})
    assert kendalls_w(matrix).w == Decimal("0.97368421052631578947368421052631578947368421052632")


def test_kendalls_w_is_one_for_identical_rankings_and_the_direction_does_not_matter() -> None:
    same = matrix_of_columns({1: [70, 80, 90], 2: [71, 85, 99], 3: [60, 61, 62]})
    assert kendalls_w(same).w == Decimal(1)
    reversed_scale = {e: {a: -v for a, v in row.items()} for e, row in same.items()}
    assert kendalls_w(reversed_scale).w == Decimal(1)


def test_kendalls_w_is_none_when_every_expert_ties_everything() -> None:
    matrix = matrix_of_columns({1: [80, 80, 80], 2: [75, 75, 75]})
    assert kendalls_w(matrix) == KendallResult(
        w=None, m=2, n=3, applications_used=(1, 2, 3), experts_used=(1, 2), reason="all_tied"
    )


@pytest.mark.parametrize(
    ("matrix", "m", "n"),
    [
        ({}, 0, 0),
        ({1: {1: Decimal(80), 2: Decimal(90)}}, 1, 2),
        ({1: {1: Decimal(80)}, 2: {1: Decimal(70)}}, 2, 1),
        ({1: {1: Decimal(80)}, 2: {2: Decimal(70)}}, 2, 0),  # no application scored by both
    ],
)
def test_kendalls_w_needs_two_experts_and_two_common_applications(
    matrix: dict[int, dict[int, Decimal]], m: int, n: int
) -> None:
    result = kendalls_w(matrix)
    assert result.w is None
    assert (result.m, result.n) == (m, n)


def test_kendalls_w_uses_only_the_applications_every_expert_scored() -> None:
    # application 4 lacks expert 3's sheet (a conflict), so it is left out; experts with no sheets are ignored
    matrix = matrix_of_columns({1: [70, 80, 90, 60], 2: [72, 81, 95, 99], 3: [60, 65, 70]})
    matrix[9] = {}
    result = kendalls_w(matrix)
    assert result == KendallResult(
        w=Decimal(1), m=3, n=3, applications_used=(1, 2, 3), experts_used=(1, 2, 3)
    )


@given(
    st.integers(min_value=2, max_value=5).flatmap(
        lambda m: st.integers(min_value=2, max_value=6).flatmap(
            lambda n: st.lists(
                st.lists(st.integers(min_value=0, max_value=8), min_size=n, max_size=n),
                min_size=m,
                max_size=m,
            )
        )
    )
)
def test_kendalls_w_lies_between_zero_and_one_and_ignores_the_direction(columns: list[list[int]]) -> None:
    matrix = matrix_of_columns(dict(enumerate(columns, start=1)))
    result = kendalls_w(matrix)
    flipped = kendalls_w({e: {a: -v for a, v in row.items()} for e, row in matrix.items()})
    assert flipped.w == result.w
    if result.w is not None:
        assert Decimal(0) <= result.w <= Decimal(1)


def test_calibration_compares_each_expert_with_the_panels_they_sat_on() -> None:
    # A: 80, 90, 70 → mean 80, population sd √(200/3); B: 70, 80, 90 → the same.
    # C: everyone 75 → sd 0, left out of the z-scores. D: only expert 4 → sd 0.
    # z of 10 points from the mean = 10 / √(200/3) = √1.5 = 1.2247…
    matrix = {
        1: {1: Decimal(80), 2: Decimal(70), 3: Decimal(75)},
        2: {1: Decimal(90), 2: Decimal(80), 3: Decimal(75)},
        3: {1: Decimal(70), 2: Decimal(90), 3: Decimal(75)},
        4: {4: Decimal(60)},
        5: {},
    }
    result = calibration(matrix)
    assert sorted(result) == [1, 2, 3, 4]

    e1 = result[1]  # own 80, 70, 75: mean 75, sd √(50/3); panel means 80, 80, 75 → 235/3
    assert (e1.expert_id, e1.n_applications, e1.mean, e1.z_applications) == (1, 3, Decimal(75), 2)
    assert close(e1.sd, "4.0824829046386301636621401245098189866099124677611")
    assert close(e1.panel_mean, "78.333333333333333333333333333333333333333333333333")
    assert close(e1.difference, "-3.3333333333333333333333333333333333333333333333333")
    assert close(e1.mean_z, "-0.61237243569579452454932101867647284799148687016417")  # (0 − √1.5) / 2

    e2 = result[2]  # own 90, 80, 75: z +√1.5 on A, 0 on B
    assert e2.mean == Decimal("81.666666666666666666666666666666666666666666666667")
    assert close(e2.difference, "3.3333333333333333333333333333333333333333333333333")
    assert close(e2.mean_z, "0.61237243569579452454932101867647284799148687016417")

    e3 = result[3]  # −√1.5 on A and +√1.5 on B cancel
    assert close(e3.mean_z, "0")
    assert close(e3.difference, "0")

    assert result[4] == ExpertCalibration(
        expert_id=4,
        n_applications=1,
        mean=Decimal(60),
        sd=Decimal(0),
        panel_mean=Decimal(60),
        difference=Decimal(0),
        mean_z=None,
        z_applications=0,
    )
