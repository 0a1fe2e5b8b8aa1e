"""The level anchors of an expert indicator as the on-step scores an expert can give in each level."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from criteria.load import dec_str
from criteria.schema import Indicator


@dataclass(frozen=True)
class AnchorRange:
    level_zh: str
    level_en: str
    description_zh: str
    description_en: str
    low: str  # the lowest on-step score of the level
    high: str  # the highest on-step score of the level
    empty: bool  # no on-step score falls inside the level
    exact_low: str
    exact_high: str
    top: bool  # the top level (includes the maximum)


def anchor_ranges(indicator: Indicator) -> list[AnchorRange]:
    """Each level of an indicator with the scores an expert can give in it, highest first.

    A level runs from min_share × max (inclusive) up to the next level's lower bound (exclusive);
    the top level includes the maximum. Shown as the on-step scores inside that range, e.g. for a
    maximum of 6.5 in steps of 0.5: 优 6–6.5, 良 5–5.5, 中 4–4.5, 差 0–3.5 (the exact bounds
    5.85 / 4.875 / 3.9 are kept for the tooltip).
    """
    step: Decimal = indicator.step
    out: list[AnchorRange] = []
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
            AnchorRange(
                level_zh=anchor.level,
                level_en=anchor.level_en,
                description_zh=anchor.description_zh,
                description_en=anchor.description_en,
                low=dec_str(first),
                high=dec_str(last),
                empty=first > last,
                exact_low=dec_str(low),
                exact_high=dec_str(indicator.max_points if upper is None else upper),
                top=upper is None,
            )
        )
        upper = low
    return out
