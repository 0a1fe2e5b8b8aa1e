"""Pure: parse expert scores and declared figures exactly, total sheets, award data-indicator points."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

from criteria.schema import Figure, Indicator, Rubric
from scoring.core.gates import evaluate_rule
from scoring.core.grading import grade_of as grade_of  # the one grading rule lives in grading
from scoring.core.i18n import Msg, msg

# Longest text accepted as a number: enough for any score or figure, short enough that a pasted blob
# never reaches Decimal.
MAX_NUMBER_LENGTH = 32
_PLAIN_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
FIGURE_PLACES = {"count": 0, "percent": 2, "amount": 2}


class InvalidValue(ValueError):
    """A value that breaks its rule; `rule` is the translatable reason."""

    def __init__(self, rule: Msg) -> None:
        super().__init__(str(rule))
        self.rule = rule


def to_decimal(raw: object) -> Decimal:
    """An exact Decimal from a string, int, Decimal or (via its repr) float; anything else is refused.

    Strings are NFKC-normalised first, so full-width digits typed with a Chinese IME ("４．５") work;
    exponent notation ("1e3") is refused: nobody types a score that way, and it hides mistakes.
    """
    if isinstance(raw, bool):
        raise InvalidValue(msg("must be a number"))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise InvalidValue(msg("must be a finite number"))
        return Decimal(repr(raw))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise InvalidValue(msg("must be a finite number"))
        return raw
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text:
            raise InvalidValue(msg("a value is required"))
        if len(text) > MAX_NUMBER_LENGTH or not _PLAIN_DECIMAL.match(text):
            raise InvalidValue(msg("must be a plain decimal number such as 4.5"))
        return Decimal(text)
    raise InvalidValue(msg("must be a number"))


def decimal_places(value: Decimal) -> int:
    """Significant decimal places: 4.50 → 1, 5 → 0, 0.25 → 2."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def _plain(d: Decimal) -> str:
    return "0" if d == 0 else format(d.normalize(), "f")


def parse_score(indicator: Indicator, raw: object) -> Decimal:
    """One expert's score for one indicator: 0..max, on the step; returned with the step's places."""
    if indicator.kind != "expert":
        raise InvalidValue(msg("This indicator is computed from declared figures; experts do not score it."))
    value = to_decimal(raw)
    if value < 0:
        raise InvalidValue(msg("must not be negative"))
    if value > indicator.max_points:
        raise InvalidValue(msg("must be at most %(max)s", max=_plain(indicator.max_points)))
    places = decimal_places(indicator.step)
    if decimal_places(value) > places:
        if places == 0:
            raise InvalidValue(msg("must be a whole number"))
        raise InvalidValue(msg("must have at most %(places)s decimal place(s)", places=places))
    if value % indicator.step != 0:
        raise InvalidValue(msg("must be a multiple of %(step)s", step=_plain(indicator.step)))
    if value == 0:
        value = Decimal(0)  # never "-0"
    return value.quantize(Decimal(1).scaleb(-places))


def parse_figure(figure: Figure, raw: object) -> Decimal:
    """A declared figure: counts are whole numbers, percents 0..100, amounts ≥ 0; at most 2 decimals."""
    if not figure.declared:
        raise InvalidValue(msg("This figure is computed from other figures; it is not declared."))
    value = to_decimal(raw)
    if value < 0:
        raise InvalidValue(msg("must not be negative"))
    if figure.type == "percent" and value > 100:
        raise InvalidValue(msg("must be at most %(max)s", max=100))
    places = FIGURE_PLACES[figure.type]
    if decimal_places(value) > places:
        if places == 0:
            raise InvalidValue(msg("must be a whole number"))
        raise InvalidValue(msg("must have at most %(places)s decimal place(s)", places=places))
    if value == 0:
        value = Decimal(0)
    return value.quantize(Decimal(1).scaleb(-places))


# Sheets ------------------------------------------------------------------------------------------


def expert_indicator_codes(rubric: Rubric) -> list[str]:
    """The indicators an expert scores, in rubric order."""
    return [ind.code for ind in rubric.indicators() if ind.kind == "expert"]


def data_indicator_codes(rubric: Rubric) -> list[str]:
    return [ind.code for ind in rubric.indicators() if ind.kind == "data"]


def _check_expert_codes(rubric: Rubric, scores: Mapping[str, Decimal]) -> None:
    expert = set(expert_indicator_codes(rubric))
    for code in scores:
        if code not in expert:
            raise InvalidValue(
                msg("%(code)s is not an indicator that experts score in this rubric.", code=code)
            )


def sheet_total(rubric: Rubric, scores: Mapping[str, Decimal]) -> Decimal:
    """The sum of a sheet's expert-indicator scores (unscored indicators count as nothing)."""
    _check_expert_codes(rubric, scores)
    return sum(scores.values(), Decimal(0))


def section_breakdown(
    rubric: Rubric, scores: Mapping[str, Decimal], data: Mapping[str, Decimal] | None = None
) -> dict[str, Decimal]:
    """Points per section, in rubric order: expert scores, plus data-indicator points when given."""
    _check_expert_codes(rubric, scores)
    out: dict[str, Decimal] = {}
    for section in rubric.sections:
        total = Decimal(0)
        for ind in section.indicators:
            if ind.kind == "expert":
                total += scores.get(ind.code, Decimal(0))
            elif data is not None:
                total += data.get(ind.code, Decimal(0))
        out[section.code] = total
    return out


# Data indicators ---------------------------------------------------------------------------------


def data_points(
    rubric: Rubric, figures: Mapping[str, Decimal | None], references: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Full points for each data indicator whose rule holds; 0 when it fails or a figure is missing."""
    out: dict[str, Decimal] = {}
    for ind in rubric.indicators():
        rule = rubric.rule_of(ind)
        if ind.kind != "data" or rule is None:
            continue
        outcome = evaluate_rule(rubric, rule, figures, references)
        out[ind.code] = ind.max_points if outcome.result == "pass" else Decimal(0)
    return out


def total_data_points(
    rubric: Rubric, figures: Mapping[str, Decimal | None], references: Mapping[str, Decimal]
) -> Decimal:
    return sum(data_points(rubric, figures, references).values(), Decimal(0))
