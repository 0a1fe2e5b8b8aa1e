"""Performance grading: the bands of the rubric file, each minimum inclusive, one rule for all."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from criteria.load import shipped_rubric
from criteria.schema import GradeBand, Rubric
from scoring.core import grading
from scoring.core.grading import Band
from scoring.core.vocabulary import BASE_KINDS, Grade


def shipped(kind: str) -> Rubric:
    return shipped_rubric(kind, "performance")


def with_bands(rubric: Rubric, excellent: str, pass_: str) -> Rubric:
    bands = (
        GradeBand(code="excellent", grade_zh="优秀", grade_en="excellent", min=D(excellent)),
        GradeBand(code="pass", grade_zh="合格", grade_en="pass", min=D(pass_)),
        GradeBand(code="fail", grade_zh="不合格", grade_en="fail", min=D(0)),
    )
    return rubric.model_copy(update={"grade_bands": bands})


@pytest.mark.parametrize("kind", BASE_KINDS)
def test_the_shipped_performance_rubrics_grade_from_85_and_60(kind: str) -> None:
    bands = grading.rubric_bands(shipped(kind))
    assert bands == (Band(Grade.EXCELLENT, D(85)), Band(Grade.PASS, D(60)), Band(Grade.FAIL, D(0)))
    assert grading.stored_bands(bands) == {"excellent": "85", "pass": "60"}


@pytest.mark.parametrize(
    ("total", "expected"),
    [("100", Grade.EXCELLENT), ("90", Grade.EXCELLENT), ("89.99", Grade.PASS), ("70", Grade.PASS),
     ("69.99", Grade.FAIL), ("0", Grade.FAIL)],
)  # fmt: skip
def test_a_rubric_with_other_bands_grades_by_them(total: str, expected: Grade) -> None:
    rubric = with_bands(shipped("enterprise"), "90", "70")
    assert grading.grade(D(total), grading.rubric_bands(rubric)) is expected
    assert grading.grade_of(rubric, D(total)).code == expected.value


def test_stored_campaign_bands_round_trip() -> None:
    bands = grading.bands_from_stored({"excellent": "80.5", "pass": "55"})
    assert bands == (Band(Grade.EXCELLENT, D("80.5")), Band(Grade.PASS, D(55)), Band(Grade.FAIL, D(0)))
    assert grading.stored_bands(bands) == {"excellent": "80.5", "pass": "55"}


def test_a_rubric_band_that_is_not_a_grade_is_refused() -> None:
    rubric = shipped("regional")
    odd = (GradeBand(code="gold", grade_zh="金", grade_en="gold", min=D(0)),)
    with pytest.raises(ValueError):
        grading.rubric_bands(rubric.model_copy(update={"grade_bands": odd}))


def test_only_excellent_and_pass_end_a_rectification() -> None:
    assert [g for g in Grade if grading.passed(g)] == [Grade.EXCELLENT, Grade.PASS]


@given(st.decimals(min_value=0, max_value=100, places=2), st.decimals(min_value=1, max_value=99, places=2))
def test_each_minimum_is_inclusive(total: D, low: D) -> None:
    bands = (Band(Grade.EXCELLENT, low + 1), Band(Grade.PASS, low), Band(Grade.FAIL, D(0)))
    expected = Grade.EXCELLENT if total >= low + 1 else Grade.PASS if total >= low else Grade.FAIL
    assert grading.grade(total, bands) is expected
