"""Page-specific views for the expert sheets: the level anchors of an indicator in the page's language."""

from __future__ import annotations

from typing import Any

from criteria.schema import Indicator
from scoring.core.anchors import anchor_ranges


def anchors(indicator: Indicator, locale: str) -> list[dict[str, Any]]:
    """Each level of an indicator (scoring.core.anchors) with its texts in the page's language."""
    en = locale == "en"
    return [
        {
            "level": a.level_en if en else a.level_zh,
            "description": a.description_en if en else a.description_zh,
            "low": a.low,
            "high": a.high,
            "empty": a.empty,
            "exact_low": a.exact_low,
            "exact_high": a.exact_high,
            "top": a.top,
        }
        for a in anchor_ranges(indicator)
    ]
