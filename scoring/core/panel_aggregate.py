"""One application's panel aggregate: its submitted sheet totals with the panel score, spread and outliers.

The ranking reads these, stored per application when a sheet changes, instead of every sheet. Both the
stored and the recomputed path go through `aggregate`, and the stored text (`encode`/`decode`) keeps every
Decimal exactly as computed (digits and exponent), so a stored aggregate is the recomputed one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from scoring.core.aggregate import METHODS, Method, PanelScore, panel_score
from scoring.core.consistency import outliers

DEFAULT_METHOD: Method = "trimmed_mean"
DEFAULT_THRESHOLD = Decimal(20)


def effective_method(method: str | None) -> Method:
    """The round's aggregation method; an unknown or unset one means the trimmed mean."""
    for known in METHODS:
        if method == known:
            return known
    return DEFAULT_METHOD


def effective_threshold(threshold: Decimal | None) -> Decimal:
    """The round's outlier threshold; unset means 20 points."""
    return DEFAULT_THRESHOLD if threshold is None else threshold


@dataclass(frozen=True, slots=True)
class PanelAggregate:
    """What the ranking needs from one application's sheets."""

    sheets: tuple[tuple[int, int, Decimal], ...]  # (sheet id, expert id, total) of submitted sheets, by id
    expected: int  # sheets not declined
    method: Method
    threshold: Decimal
    panel: PanelScore
    spread: Decimal | None  # highest minus lowest submitted total; None without any
    outliers: tuple[int, ...]

    @property
    def totals(self) -> tuple[tuple[int, Decimal], ...]:
        return tuple((sheet_id, total) for sheet_id, _, total in self.sheets)


EMPTY_PANELS: dict[Method, PanelScore] = {m: panel_score((), m) for m in METHODS}


def aggregate(
    sheets: Iterable[tuple[int, int, Decimal]], expected: int, method: Method, threshold: Decimal
) -> PanelAggregate:
    """The aggregate of the submitted sheets given as (sheet id, expert id, total), any order."""
    ordered = tuple(sorted(sheets))
    totals = tuple((sheet_id, total) for sheet_id, _, total in ordered)
    return _derive(ordered, totals, expected, method, threshold)


def _derive(
    ordered: tuple[tuple[int, int, Decimal], ...],
    totals: tuple[tuple[int, Decimal], ...],
    expected: int,
    method: Method,
    threshold: Decimal,
) -> PanelAggregate:
    panel = panel_score(totals, method)
    if totals:
        values = [t for _, t in totals]
        # A difference of two 4-place totals is exact in any context.
        spread: Decimal | None = max(values) - min(values)
    else:
        spread = None
    # Every total lies within [min, max] and so does the median: no sheet can be further than the
    # spread from it, so outliers need looking for only when the spread exceeds the threshold.
    flagged = outliers(totals, threshold) if spread is not None and spread > threshold else ()
    return PanelAggregate(
        sheets=ordered, expected=expected, method=method, threshold=threshold, panel=panel, spread=spread,
        outliers=flagged,
    )  # fmt: skip


def encode(agg: PanelAggregate) -> str:
    """The stored text of the aggregate's derived values and sheets (method, threshold and the expected
    count are stored in their own columns)."""
    p = agg.panel
    return json.dumps(
        {
            "s": [[sid, eid, str(total)] for sid, eid, total in agg.sheets],
            "v": None if p.value is None else str(p.value),
            "u": list(p.used),
            "d": list(p.dropped),
            "r": p.reason,
            "g": None if agg.spread is None else str(agg.spread),
            "o": list(agg.outliers),
        },
        separators=(",", ":"),
    )


def decode(text: str, expected: int, method: Method, threshold: Decimal, *, stored_method: str,
           stored_threshold: str) -> PanelAggregate:  # fmt: skip
    """The aggregate from its stored text. When the round's method or threshold is no longer the one it
    was stored for, the derived values are recomputed from the stored sheets (exact either way)."""
    data = json.loads(text)
    ordered = tuple((sid, eid, Decimal(total)) for sid, eid, total in data["s"])
    if stored_method != method or Decimal(stored_threshold) != threshold:
        return _derive(ordered, tuple((s, t) for s, _, t in ordered), expected, method, threshold)
    value = data["v"]
    spread = data["g"]
    return PanelAggregate(
        sheets=ordered,
        expected=expected,
        method=method,
        threshold=threshold,
        panel=PanelScore(
            value=None if value is None else Decimal(value),
            method=method,
            used=tuple(data["u"]),
            dropped=tuple(data["d"]),
            reason=data["r"],
        ),
        spread=None if spread is None else Decimal(spread),
        outliers=tuple(data["o"]),
    )


def empty(method: Method, threshold: Decimal) -> PanelAggregate:
    """The aggregate of an application without any sheet."""
    return PanelAggregate(
        sheets=(), expected=0, method=method, threshold=threshold, panel=EMPTY_PANELS[method], spread=None,
        outliers=(),
    )  # fmt: skip
