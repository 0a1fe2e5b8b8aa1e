"""Panel score (trimmed mean, mean, median), final score and display rounding: exact decimals throughout."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.core.aggregate import (
    METHODS,
    Method,
    PanelScore,
    final_score,
    fmt2,
    panel_score,
    round2,
)

# 50 significant digits: the precision of aggregate.EXACT, where only a repeating quotient is cut
THIRD_OF_244 = Decimal("81.333333333333333333333333333333333333333333333333")
THIRD_OF_240_5 = Decimal("80.166666666666666666666666666666666666666666666667")
SEVENTH_OF_557_5 = Decimal("79.642857142857142857142857142857142857142857142857")


def sheets(*totals: str) -> list[tuple[int, Decimal]]:
    """Sheet ids 1, 2, 3, … for the given totals."""
    return [(sheet_id, Decimal(total)) for sheet_id, total in enumerate(totals, start=1)]


# sheet totals are sums of points in steps of 0.5 between 0 and 100
half_points = st.integers(min_value=0, max_value=200).map(lambda n: Decimal(n) / 2)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("count", [0, 1, 2])
def test_fewer_than_three_sheets_is_not_scoreable_for_every_method(method: Method, count: int) -> None:
    totals = sheets(*["80", "90"][:count])
    assert panel_score(totals, method) == PanelScore(
        value=None, method=method, used=tuple(range(1, count + 1)), dropped=(), reason="not_scoreable"
    )


@pytest.mark.parametrize(
    ("totals", "method", "value", "used", "dropped"),
    [
        # 3 sheets: the trimmed mean is the plain mean; (80 + 81 + 83) / 3 = 244 / 3
        (("80", "81", "83"), "trimmed_mean", THIRD_OF_244, (1, 2, 3), ()),
        (("80", "81", "83"), "mean", THIRD_OF_244, (1, 2, 3), ()),
        (("80", "81", "83"), "median", Decimal(81), (1, 2, 3), ()),
        # 4 sheets: plain mean (70 + 75 + 80 + 95) / 4 = 80; median (75 + 80) / 2 = 77.5
        (("95", "70", "80", "75"), "trimmed_mean", Decimal(80), (1, 2, 3, 4), ()),
        (("95", "70", "80", "75"), "mean", Decimal(80), (1, 2, 3, 4), ()),
        (("95", "70", "80", "75"), "median", Decimal("77.5"), (1, 2, 3, 4), ()),
        # 5 sheets: drop 95 (sheet 2) and 60 (sheet 4); (78 + 82 + 80.5) / 3 = 240.5 / 3
        (("78", "95", "82", "60", "80.5"), "trimmed_mean", THIRD_OF_240_5, (1, 3, 5), (2, 4)),
        # mean of all five: 395.5 / 5 = 79.1; median 80.5
        (("78", "95", "82", "60", "80.5"), "mean", Decimal("79.1"), (1, 2, 3, 4, 5), ()),
        (("78", "95", "82", "60", "80.5"), "median", Decimal("80.5"), (1, 2, 3, 4, 5), ()),
        # 7 sheets: drop 92 (sheet 7) and 65 (sheet 3); (70 + 84 + 77.5 + 81 + 88) / 5 = 400.5 / 5 = 80.1
        (
            ("70", "84", "65", "77.5", "81", "88", "92"),
            "trimmed_mean",
            Decimal("80.1"),
            (1, 2, 4, 5, 6),
            (3, 7),
        ),
        # mean: 557.5 / 7; median: the 4th of 65, 70, 77.5, 81, 84, 88, 92 = 81
        (("70", "84", "65", "77.5", "81", "88", "92"), "mean", SEVENTH_OF_557_5, tuple(range(1, 8)), ()),
        (("70", "84", "65", "77.5", "81", "88", "92"), "median", Decimal(81), tuple(range(1, 8)), ()),
        # 6 sheets, median of an even count: (80 + 82) / 2 = 81
        (("90", "80", "70", "82", "85", "60"), "median", Decimal(81), tuple(range(1, 7)), ()),
    ],
)
def test_hand_computed_panel_scores(
    totals: tuple[str, ...], method: Method, value: Decimal, used: tuple[int, ...], dropped: tuple[int, ...]
) -> None:
    result = panel_score(sheets(*totals), method)
    assert result == PanelScore(value=value, method=method, used=used, dropped=dropped, reason=None)


def test_three_sheets_keep_the_exact_mean_and_round_only_for_display() -> None:
    result = panel_score(sheets("80", "81", "83"))
    assert result.value == Decimal("81.333333333333333333333333333333333333333333333333")
    assert round2(result.value) == Decimal("81.33")
    assert fmt2(result.value) == "81.33"


def test_trimmed_mean_with_tied_extremes_drops_lowest_id_among_lows_and_highest_id_among_highs() -> None:
    # sheets 1 and 4 tie at the top (90), sheets 2 and 5 tie at the bottom (70)
    result = panel_score(sheets("90", "70", "80", "90", "70"))
    assert result.dropped == (2, 4)
    assert result.used == (1, 3, 5)
    assert result.value == Decimal(80)  # (90 + 80 + 70) / 3, whichever tied sheet is dropped


def test_all_equal_totals_give_that_total_and_drop_the_first_and_last_sheet_ids() -> None:
    result = panel_score(
        [
            (11, Decimal("75.5")),
            (7, Decimal("75.5")),
            (9, Decimal("75.5")),
            (3, Decimal("75.5")),
            (5, Decimal("75.5")),
        ]
    )
    assert result == PanelScore(
        value=Decimal("75.5"), method="trimmed_mean", used=(5, 7, 9), dropped=(3, 11), reason=None
    )


def test_one_outlier_is_trimmed_away_but_moves_the_plain_mean() -> None:
    totals = sheets("82", "84", "83", "20", "81")
    assert panel_score(totals).value == Decimal(82)  # (82 + 83 + 81) / 3 after dropping 84 and 20
    assert panel_score(totals, "mean").value == Decimal(70)  # 350 / 5
    assert panel_score(totals, "median").value == Decimal(82)


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown aggregation method"):
        panel_score(sheets("80", "81", "82"), "mode")  # type: ignore[arg-type]


def test_float_totals_and_repeated_sheet_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="finite Decimal"):
        panel_score([(1, 80.5), (2, Decimal(80)), (3, Decimal(81))])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="finite Decimal"):
        panel_score([(1, Decimal("NaN")), (2, Decimal(80)), (3, Decimal(81))])
    with pytest.raises(ValueError, match="given twice"):
        panel_score([(1, Decimal(80)), (1, Decimal(80)), (3, Decimal(81))])


def test_final_score_adds_data_points_exactly_and_keeps_not_scoreable() -> None:
    assert final_score(THIRD_OF_244, Decimal("12.5")) == Decimal(
        "93.833333333333333333333333333333333333333333333333"
    )
    assert final_score(None, Decimal(10)) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("83.4", "83.40"),
        ("83.405", "83.41"),  # half up, not half even
        ("83.415", "83.42"),
        ("83.404999", "83.40"),
        ("0", "0.00"),
        ("-0.004", "0.00"),
        ("100", "100.00"),
    ],
)
def test_round2_rounds_half_up_to_cents(value: str, shown: str) -> None:
    assert fmt2(Decimal(value)) == shown
    assert round2(Decimal(value)) == Decimal(shown)


def test_fmt2_keeps_none() -> None:
    assert fmt2(None) is None


@given(st.lists(half_points, min_size=3, max_size=9), st.data())
def test_trimmed_mean_lies_between_min_and_max_and_ignores_sheet_order(
    values: list[Decimal], data: st.DataObject
) -> None:
    totals = sheets(*map(str, values))
    shuffled = data.draw(st.permutations(totals))
    result = panel_score(totals)
    assert result.value is not None
    assert min(values) <= result.value <= max(values)
    assert panel_score(shuffled) == result
    assert len(result.used) == (len(values) - 2 if len(values) >= 5 else len(values))
    assert set(result.used) | set(result.dropped) == set(range(1, len(values) + 1))


@given(st.lists(half_points, min_size=5, max_size=9))
def test_trimmed_mean_equals_mean_of_sorted_values_without_the_ends(values: list[Decimal]) -> None:
    inner = sorted(values)[1:-1]
    expected = panel_score(sheets(*map(str, inner)), "mean").value
    assert panel_score(sheets(*map(str, values))).value == expected
