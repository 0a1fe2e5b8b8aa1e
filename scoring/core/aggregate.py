"""Pure aggregation of sheet totals: panel score (trimmed mean, mean, median), final score, rounding."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from functools import reduce
from operator import itemgetter
from typing import Literal, get_args

Method = Literal["trimmed_mean", "mean", "median"]
METHODS: tuple[Method, ...] = get_args(Method)

MIN_SHEETS = 3  # fewer submitted sheets: not scoreable, whatever the method
TRIM_FROM = 5  # trimmed mean drops one highest and one lowest from this many sheets on

NOT_SCOREABLE = "not_scoreable"

# Sums of two-place points are exact at this precision; only a quotient such as 244/3 is cut, at the 50th
# significant digit, far below anything that is shown (2 places) or could separate two real scores.
EXACT = Context(prec=50, rounding=ROUND_HALF_EVEN)
CENT = Decimal("0.01")
_TOTAL_THEN_ID = itemgetter(1, 0)  # sort key of (sheet id, total) pairs: by total, then sheet id


@dataclass(frozen=True, slots=True)
class PanelScore:
    """The panel score of one application and which sheets made it.

    ``used`` and ``dropped`` are sheet ids in ascending order; ``value`` is None when not scoreable.
    """

    value: Decimal | None
    method: Method
    used: tuple[int, ...]
    dropped: tuple[int, ...]
    reason: str | None  # None when scoreable; "not_scoreable" with fewer than MIN_SHEETS sheets


def check_totals(totals: Sequence[tuple[int, Decimal]]) -> list[tuple[int, Decimal]]:
    """The (sheet id, total) pairs, refusing floats, non-finite values and a sheet id given twice."""
    out = list(totals)
    for _sheet_id, total in out:
        if not isinstance(total, Decimal) or not total.is_finite():
            break
    else:
        if len({sheet_id for sheet_id, _ in out}) == len(out):
            return out  # the common case
    # Something is wrong: walk again in order so the first offending pair is the one reported.
    seen: set[int] = set()
    for sheet_id, total in out:
        if not isinstance(total, Decimal) or not total.is_finite():
            raise ValueError(f"sheet {sheet_id}: total must be a finite Decimal, got {total!r}")
        if sheet_id in seen:
            raise ValueError(f"sheet {sheet_id} given twice")
        seen.add(sheet_id)
    return out


def mean(values: Iterable[Decimal]) -> Decimal:
    """The arithmetic mean, exact to EXACT's precision; at least one value."""
    items = list(values)
    if not items:
        raise ValueError("mean of no values")
    # EXACT's own methods rather than a localcontext: the same arithmetic, without a context switch.
    return EXACT.divide(reduce(EXACT.add, items, Decimal(0)), len(items))


def median(values: Iterable[Decimal]) -> Decimal:
    """The median; with an even count the mean of the two middle values."""
    items = sorted(values)
    if not items:
        raise ValueError("median of no values")
    mid = len(items) // 2
    if len(items) % 2:
        return items[mid]
    return mean(items[mid - 1 : mid + 1])


def panel_score(totals: Sequence[tuple[int, Decimal]], method: Method = "trimmed_mean") -> PanelScore:
    """Aggregate the submitted sheets' totals of one application (DOMAIN §5).

    trimmed_mean: with ≥ 5 sheets drop one highest and one lowest and average the rest; with 3 or 4 the
    plain mean. Tie rule for the trim: order the sheets by (total, sheet id) and drop the first and the
    last, i.e. the lowest sheet id among equal lowest totals and the highest sheet id among equal highest
    totals. The value never depends on that choice, only which ids are reported as dropped.
    Every method: fewer than 3 sheets is not scoreable (value None). No rounding here.
    """
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}; expected one of {METHODS}")
    ordered = sorted(check_totals(totals), key=_TOTAL_THEN_ID)
    if len(ordered) < MIN_SHEETS:
        ids = tuple(sorted(sheet_id for sheet_id, _ in ordered))
        return PanelScore(value=None, method=method, used=ids, dropped=(), reason=NOT_SCOREABLE)
    dropped: tuple[int, ...] = ()
    if method == "trimmed_mean" and len(ordered) >= TRIM_FROM:
        dropped = tuple(sorted((ordered[0][0], ordered[-1][0])))
        ordered = ordered[1:-1]
    values = [total for _, total in ordered]
    value = median(values) if method == "median" else mean(values)
    used = tuple(sorted(sheet_id for sheet_id, _ in ordered))
    return PanelScore(value=value, method=method, used=used, dropped=dropped, reason=None)


def final_score(panel: Decimal | None, data_points: Decimal) -> Decimal | None:
    """Panel score plus data-indicator points, exact; None when the panel score is None."""
    if panel is None:
        return None
    return EXACT.add(panel, data_points)


def round2(x: Decimal) -> Decimal:
    """Round half up to 0.01, for display and publication only; never feeds a comparison."""
    rounded = x.quantize(CENT, rounding=ROUND_HALF_UP, context=EXACT)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # never show "-0.00"


def fmt2(x: Decimal | None) -> str | None:
    """The two-place text of a score as shown and in JSON ("83.40"); None stays None."""
    return None if x is None else f"{round2(x):f}"
