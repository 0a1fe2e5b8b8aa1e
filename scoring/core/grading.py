"""Pure: performance grading — the grade of a total from the grade bands of the performance rubric."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from criteria.schema import GradeBand, Rubric
from scoring.core.vocabulary import Grade


@dataclass(frozen=True)
class Band:
    """From `min` points (inclusive) up to the next band's minimum."""

    grade: Grade
    min: Decimal


# The bands a campaign stores: the lower bounds of 优秀 and 合格 (不合格 is everything below).
STORED_GRADES: tuple[Grade, ...] = (Grade.EXCELLENT, Grade.PASS)


def band_index(mins: Sequence[Decimal], score: Decimal) -> int:
    """The one grading rule: the first band (listed from the highest minimum down) whose minimum the
    score reaches; below every minimum, the lowest band."""
    for i, low in enumerate(mins):
        if score >= low:
            return i
    return len(mins) - 1


def grade_of(rubric: Rubric, score: Decimal) -> GradeBand:
    """The performance grade band of a rubric a score falls in (each minimum is inclusive: 85 is 优秀)."""
    if not rubric.grade_bands:
        raise ValueError(f"the {rubric.purpose} rubric of {rubric.kind} has no grade bands")
    return rubric.grade_bands[band_index([b.min for b in rubric.grade_bands], score)]


def rubric_bands(rubric: Rubric) -> tuple[Band, ...]:
    """The bands a performance rubric file declares (validated: highest minimum first, codes are grades)."""
    if not rubric.grade_bands:
        raise ValueError(f"the {rubric.purpose} rubric of {rubric.kind} has no grade bands")
    return tuple(Band(Grade(b.code), b.min) for b in rubric.grade_bands)


def stored_bands(bands: Sequence[Band]) -> dict[str, str]:
    """{"excellent": "85", "pass": "60"}: the minima of the grades a campaign records."""
    return {b.grade.value: str(b.min) for b in bands if b.grade in STORED_GRADES}


def bands_from_stored(stored: Mapping[str, str]) -> tuple[Band, ...]:
    """A campaign's recorded minima as bands, 不合格 below the lowest."""
    bands = [Band(g, Decimal(stored[g.value])) for g in STORED_GRADES]
    return (*bands, Band(Grade.FAIL, Decimal(0)))


def grade(total: Decimal, bands: Sequence[Band]) -> Grade:
    return bands[band_index([b.min for b in bands], total)].grade


def passed(value: Grade) -> bool:
    """合格 or better: a re-evaluation with this grade ends a rectification."""
    return value in (Grade.EXCELLENT, Grade.PASS)
