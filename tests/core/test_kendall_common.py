"""Kendall's W over the largest complete block: panels with a replacement still get a W, with its method."""

from __future__ import annotations

from decimal import Decimal

from scoring.core.consistency import KendallResult, kendalls_w


def d(value: int) -> Decimal:
    return Decimal(value)


def test_a_panel_with_a_replacement_gets_w_over_the_experts_who_scored_everything() -> None:
    # Expert 4 scored applications 1–2 and was replaced by expert 5, who scored 3–4: no application has
    # all five. Blocks: {1,2,3}×{1,2,3,4} = 12 cells beats {1,2,3,4}×{1,2} = 8 and {1,2,3,5}×{3,4} = 8.
    # Ranks (1 = lowest): e1 90,80,70,60 → 4,3,2,1; e2 85,88,70,65 → 3,4,2,1; e3 70,75,80,60 → 2,3,4,1.
    # R = 9, 10, 8, 3; mean 7.5; S = 2.25 + 6.25 + 0.25 + 20.25 = 29; W = 12·29 / (3²·(4³ − 4)) = 29/45.
    matrix = {
        1: {1: d(90), 2: d(80), 3: d(70), 4: d(60)},
        2: {1: d(85), 2: d(88), 3: d(70), 4: d(65)},
        3: {1: d(70), 2: d(75), 3: d(80), 4: d(60)},
        4: {1: d(50), 2: d(95)},
        5: {3: d(77), 4: d(66)},
    }
    assert kendalls_w(matrix) == KendallResult(
        w=Decimal("0.64444444444444444444444444444444444444444444444444"),
        m=3,
        n=4,
        applications_used=(1, 2, 3, 4),
        experts_used=(1, 2, 3),
        method="largest_block",
        reason=None,
    )


def test_equal_blocks_prefer_more_applications_then_the_smallest_expert_ids() -> None:
    # {1,2,3}×{1,2} and {1,2}×{1,2,3} both have 6 cells: the one with three applications is used.
    # e1 10,20,30 and e2 30,20,10 rank in reverse: R = 4, 4, 4, S = 0, W = 0.
    more_apps = {1: {1: d(10), 2: d(20), 3: d(30)}, 2: {1: d(30), 2: d(20), 3: d(10)}, 3: {1: d(5), 2: d(6)}}
    result = kendalls_w(more_apps)
    assert (result.w, result.experts_used, result.applications_used, result.method) == (
        Decimal(0),
        (1, 2),
        (1, 2, 3),
        "largest_block",
    )
    # {1,2}×{1,2} and {3,4}×{3,4}: same cells and applications, the smaller expert ids win; W = 1.
    split = {1: {1: d(1), 2: d(2)}, 2: {1: d(3), 2: d(4)}, 3: {3: d(2), 4: d(1)}, 4: {3: d(9), 4: d(8)}}
    result = kendalls_w(split)
    assert (result.w, result.experts_used, result.applications_used) == (Decimal(1), (1, 2), (1, 2))


def test_the_reason_codes_when_w_cannot_be_computed() -> None:
    assert kendalls_w({}).reason == "too_few_experts"
    assert kendalls_w({1: {1: d(80), 2: d(90)}, 2: {}}).reason == "too_few_experts"
    disjoint = kendalls_w({1: {1: d(80), 2: d(90)}, 2: {3: d(70), 4: d(60)}})
    assert (disjoint.w, disjoint.m, disjoint.n, disjoint.reason) == (None, 2, 0, "no_common_block")
    tied = kendalls_w({1: {1: d(80), 2: d(80)}, 2: {1: d(70), 2: d(70)}})
    assert (tied.w, tied.method, tied.reason) == (None, "all_experts", "all_tied")
