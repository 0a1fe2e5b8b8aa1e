"""Pure rules of a designated base's dynamic management: rectification deadlines, evaluator conflicts,
and how a yearly figure and its change from the year before are written."""

from __future__ import annotations

import calendar
from collections.abc import Collection
from datetime import date
from decimal import Decimal

from scoring.core.i18n import Msg, msg
from scoring.core.vocabulary import BaseKind

RECTIFICATION_MONTHS = 6  # DOMAIN.md §6 default


def add_months(start: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 August + 6 months = 28/29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def evaluator_conflict(
    *,
    evaluator_organisation_id: int | None,
    evaluator_district: str | None,
    declared_conflict_org_ids: Collection[int],
    base_organisation_id: int,
    base_kind: str,
    base_district: str | None,
) -> Msg | None:
    """Why an evaluator may not evaluate a base (the same rules as for experts), or None."""
    if evaluator_organisation_id is not None and evaluator_organisation_id == base_organisation_id:
        return msg("works for the base's own organisation")
    if (
        base_kind == BaseKind.REGIONAL
        and evaluator_district is not None
        and evaluator_district == base_district
    ):
        return msg("is from the same district as the regional base")
    if base_organisation_id in declared_conflict_org_ids:
        return msg("has declared a conflict with the base's organisation")
    return None


def plain(value: Decimal) -> str:
    """A figure as declared text: no exponent, no trailing zeros ("1.50" → "1.5", "2E+1" → "20")."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def change(value: Decimal, previous: Decimal) -> str:
    """The change from the year before, signed: "+1.2", "-3", "0"."""
    delta = value - previous
    return ("+" if delta > 0 else "") + plain(delta)
