"""The rules of a score sheet: each score checked against its indicator, the running total, progress.

Pure: a sheet's rubric (its expert indicators precomputed) and the scores as text, nothing stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from criteria.load import dec_str
from criteria.schema import Indicator, Rubric
from scoring.core.errors import ValidationFailed
from scoring.core.i18n import Msg, msg
from scoring.core.scores import InvalidValue, parse_score


@dataclass(frozen=True)
class SheetRubric:
    """A frozen rubric with what scoring needs precomputed: its expert indicators in order."""

    rubric: Rubric
    expert: Mapping[str, Indicator]  # code -> indicator, in rubric order
    data_codes: frozenset[str]

    @property
    def expert_count(self) -> int:
        return len(self.expert)


def score_text(value: Decimal) -> str:
    """Canonical text of a score: "4.5", "6", "0" (so equal values compare equal as text)."""
    return dec_str(value)


def validate_scores(info: SheetRubric, raw: Mapping[str, Any]) -> dict[str, Decimal]:
    """Every score checked against its indicator; all problems reported at once, keyed scores.<code>."""
    parsed: dict[str, Decimal] = {}
    problems: dict[str, Msg] = {}
    for code, value in raw.items():
        path = f"scores.{code}"
        if code in info.data_codes:
            problems[path] = msg("is computed from the declared figures; experts do not score it")
            continue
        indicator = info.expert.get(code)
        if indicator is None:
            problems[path] = msg("is not an indicator of this rubric")
            continue
        if value is None:
            continue  # not scored yet
        try:
            parsed[code] = parse_score(indicator, value)
        except InvalidValue as exc:
            problems[path] = exc.rule
    if problems:
        raise ValidationFailed(fields=problems)
    return parsed


def sheet_total(info: SheetRubric, scores: Mapping[str, str]) -> Decimal | None:
    """Sum of the expert indicators scored so far; None when nothing is scored."""
    values = [Decimal(v) for code, v in scores.items() if code in info.expert]
    return sum(values, Decimal(0)) if values else None


def scored_count(info: SheetRubric, scores: Mapping[str, str]) -> int:
    return sum(1 for code in scores if code in info.expert)


def progress(info: SheetRubric, scores: Mapping[str, str]) -> str:
    return f"{scored_count(info, scores)}/{info.expert_count}"


def missing_scores(info: SheetRubric, scores: Mapping[str, str]) -> list[str]:
    return [code for code in info.expert if code not in scores]
