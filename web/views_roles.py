"""Page-specific read helpers for the expert sheets (the level anchors of an indicator)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from criteria.load import dec_str

# ---- expert sheets: the level anchors of an indicator -------------------------------------------


def anchors(indicator: Any, locale: str) -> list[dict[str, Any]]:
    """Each level of an indicator with the scores an expert can give in it, highest first.

    A level runs from min_share × max (inclusive) up to the next level's lower bound (exclusive);
    the top level includes the maximum. Shown as the on-step scores inside that range, e.g. for a
    maximum of 6.5 in steps of 0.5: 优 6–6.5, 良 5–5.5, 中 4–4.5, 差 0–3.5 (the exact bounds
    5.85 / 4.875 / 3.9 are kept for the tooltip).
    """
    step: Decimal = indicator.step
    out: list[dict[str, Any]] = []
    upper: Decimal | None = None
    for anchor in indicator.anchors:
        low = anchor.min_share * indicator.max_points
        first = (low / step).to_integral_value(ROUND_CEILING) * step
        if upper is None:
            last = indicator.max_points
        else:
            below = (upper / step).to_integral_value(ROUND_FLOOR) * step
            last = below - step if below == upper else below
        out.append(
            {
                "level": anchor.level_en if locale == "en" else anchor.level,
                "description": anchor.description_en if locale == "en" else anchor.description_zh,
                "low": dec_str(first),
                "high": dec_str(last),
                "empty": first > last,
                "exact_low": dec_str(low),
                "exact_high": dec_str(indicator.max_points if upper is None else upper),
                "top": upper is None,
            }
        )
        upper = low
    return out
