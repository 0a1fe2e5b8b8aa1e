"""Pure rules of dynamic management: deadlines, evaluator conflicts, figures and their changes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

import pytest

from scoring.core.base_rules import add_months, change, evaluator_conflict, plain


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [(date(2026, 8, 31), 6, date(2027, 2, 28)), (date(2027, 8, 31), 6, date(2028, 2, 29)),
     (date(2026, 3, 2), 6, date(2026, 9, 2)), (date(2026, 11, 15), 2, date(2027, 1, 15))],
)  # fmt: skip
def test_a_deadline_months_later_keeps_the_day_or_the_months_end(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


BASE: dict[str, Any] = {"base_organisation_id": 7, "base_kind": "regional", "base_district": "长安区"}
FREE: dict[str, Any] = {
    "evaluator_organisation_id": 9,
    "evaluator_district": "桥西区",
    "declared_conflict_org_ids": [],
}


@pytest.mark.parametrize(
    ("evaluator", "base", "reason"),
    [
        ({}, {}, None),
        ({"evaluator_organisation_id": 7}, {}, "works for the base's own organisation"),
        ({"evaluator_district": "长安区"}, {}, "is from the same district as the regional base"),
        ({"evaluator_district": "长安区"}, {"base_kind": "enterprise"}, None),
        ({"declared_conflict_org_ids": [3, 7]}, {}, "has declared a conflict with the base's organisation"),
    ],
)
def test_an_evaluator_conflict_names_its_reason(
    evaluator: dict[str, Any], base: dict[str, Any], reason: str | None
) -> None:
    found = evaluator_conflict(**(FREE | evaluator), **(BASE | base))
    assert (found.msgid if found else None) == reason


@pytest.mark.parametrize(
    ("value", "previous", "text", "delta"),
    [("1.50", "1", "1.5", "+0.5"), ("2E+1", "25", "20", "-5"), ("3.00", "3", "3", "0"),
     ("0.0", "1.25", "0", "-1.25")],
)  # fmt: skip
def test_figures_and_changes_are_written_plainly(value: str, previous: str, text: str, delta: str) -> None:
    assert (plain(D(value)), change(D(value), D(previous))) == (text, delta)
