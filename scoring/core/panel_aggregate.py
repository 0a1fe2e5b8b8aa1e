"""One application's panel aggregate: its submitted sheet totals with the panel score, spread and outliers.

The ranking reads these, stored per application when a sheet changes, instead of every sheet. Both the
stored and the recomputed path go through `aggregate`, and the stored text (`encode`/`decode`) keeps every
Decimal exactly as computed (digits and exponent), so a stored aggregate is the recomputed one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
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

    totals: tuple[tuple[int, Decimal], ...]  # (sheet id, total) of the submitted sheets, by sheet id
    experts: tuple[int, ...]  # the expert of each of those sheets, in the same order
    expected: int  # sheets not declined
    method: Method
    threshold: Decimal
    panel: PanelScore
    spread: Decimal | None  # highest minus lowest submitted total; None without any
    outliers: tuple[int, ...]

    @property
    def sheets(self) -> tuple[tuple[int, int, Decimal], ...]:
        """(sheet id, expert id, total) of the submitted sheets, by sheet id."""
        return tuple((sid, eid, t) for (sid, t), eid in zip(self.totals, self.experts, strict=True))


EMPTY_PANELS: dict[Method, PanelScore] = {m: panel_score((), m) for m in METHODS}


def aggregate(
    sheets: Iterable[tuple[int, int, Decimal]], expected: int, method: Method, threshold: Decimal
) -> PanelAggregate:
    """The aggregate of the submitted sheets given as (sheet id, expert id, total), any order."""
    ordered = sorted(sheets)
    totals = tuple((sheet_id, total) for sheet_id, _, total in ordered)
    return _derive(totals, tuple(eid for _, eid, _ in ordered), expected, method, threshold)


def _derive(
    totals: tuple[tuple[int, Decimal], ...],
    experts: tuple[int, ...],
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
        totals=totals, experts=experts, expected=expected, method=method, threshold=threshold, panel=panel,
        spread=spread, outliers=flagged,
    )  # fmt: skip


def encode(agg: PanelAggregate) -> str:
    """The stored text of the aggregate's derived values and sheets (method, threshold and the expected
    count are stored in their own columns)."""
    p = agg.panel
    return json.dumps(
        {
            "t": [[sid, str(total)] for sid, total in agg.totals],
            "e": list(agg.experts),
            "v": None if p.value is None else str(p.value),
            "u": list(p.used),
            "d": list(p.dropped),
            "r": p.reason,
            "g": None if agg.spread is None else str(agg.spread),
            "o": list(agg.outliers),
        },
        separators=(",", ":"),
    )


class _Decimals(dict[str, Decimal]):
    """Decimal of each text, parsed on first use (a hit is a plain dictionary lookup)."""

    def __missing__(self, text: str) -> Decimal:
        value = self[text] = Decimal(text)
        return value


class Decoder:
    """Stored aggregates back to PanelAggregate, for one round's method and threshold.

    Decimal texts repeat a lot (half-point totals), so each distinct text is parsed once; equal texts
    give equal Decimals with the same exponent, so sharing them changes nothing.
    """

    def __init__(self, method: Method, threshold: Decimal) -> None:
        self.method = method
        self.threshold = threshold
        self.decimals = _Decimals()

    def __call__(self, text: str, expected: int, stored_method: str, stored_threshold: str) -> PanelAggregate:
        """The aggregate from its stored text. When the round's method or threshold is no longer the one
        it was stored for, the derived values are recomputed from the stored sheets (exact either way)."""
        data = json.loads(text)
        dec = self.decimals.__getitem__
        totals = tuple([(sid, dec(t)) for sid, t in data["t"]])
        experts = tuple(data["e"])
        method, threshold = self.method, self.threshold
        if stored_method != method or dec(stored_threshold) != threshold:
            return _derive(totals, experts, expected, method, threshold)
        value, spread = data["v"], data["g"]
        return PanelAggregate(
            totals=totals,
            experts=experts,
            expected=expected,
            method=method,
            threshold=threshold,
            panel=PanelScore(
                value=None if value is None else dec(value),
                method=method,
                used=tuple(data["u"]),
                dropped=tuple(data["d"]),
                reason=data["r"],
            ),
            spread=None if spread is None else dec(spread),
            outliers=tuple(data["o"]),
        )


class DecodedCache:
    """Decoded aggregates by everything their decoding depends on, shared by builds in one process.

    Exact: the key is the stored text with the expected count, the stored and the current method and
    threshold, and decoding is deterministic; an aggregate is immutable. So the build after a change
    decodes only the aggregates that changed. Bounded: emptied when it reaches `size` entries.
    """

    def __init__(self, size: int = 50_000) -> None:
        self.size = size
        self.entries: dict[tuple[str, int, str, str, str, Decimal], PanelAggregate] = {}

    def decoder(self, method: Method, threshold: Decimal) -> Callable[[str, int, str, str], PanelAggregate]:
        decode = Decoder(method, threshold)
        entries = self.entries

        def cached(text: str, expected: int, stored_method: str, stored_threshold: str) -> PanelAggregate:
            key = (text, expected, stored_method, stored_threshold, method, threshold)
            hit = entries.get(key)
            if hit is None:
                if len(entries) >= self.size:
                    entries.clear()
                hit = entries[key] = decode(text, expected, stored_method, stored_threshold)
            return hit

        return cached

    def clear(self) -> None:
        self.entries.clear()


def empty(method: Method, threshold: Decimal) -> PanelAggregate:
    """The aggregate of an application without any sheet."""
    return PanelAggregate(
        totals=(), experts=(), expected=0, method=method, threshold=threshold, panel=EMPTY_PANELS[method],
        spread=None, outliers=(),
    )  # fmt: skip
