"""The pure rules of a round's settings and of the deadline clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from scoring.core.round_rules import deadline_passed, format_deadline, round_settings_problems

T0 = datetime(2026, 5, 31, 9, 0, tzinfo=UTC)


DEADLINES = (
    ("application", T0),
    ("recommendation", T0 + timedelta(days=10)),
    ("scoring", T0 + timedelta(days=20)),
)


def _problems(
    *,
    kinds: Sequence[str] = ("regional", "enterprise"),
    provincial_rd_intensity: Decimal | None = Decimal("2.00"),
    rd_reference: str = "provincial",
    deadlines: Sequence[tuple[str, datetime]] = DEADLINES,
    panel_size: int = 5,
    quotas: Mapping[str, int] | None = None,
) -> dict[str, str]:
    problems = round_settings_problems(
        kinds=kinds,
        provincial_rd_intensity=provincial_rd_intensity,
        city_rd_intensity=None,
        rd_reference=rd_reference,
        deadlines=deadlines,
        panel_size=panel_size,
        quotas={"regional": 2, "enterprise": 3} if quotas is None else quotas,
    )
    return {path: str(rule) for path, rule in problems.items()}


def test_valid_settings_have_no_problem() -> None:
    assert _problems() == {}


def test_every_problem_is_named_at_once() -> None:
    assert _problems(
        kinds=["regional", "regional"],
        provincial_rd_intensity=None,
        deadlines=(
            ("application", T0),
            ("recommendation", T0),
            ("scoring", T0 - timedelta(minutes=1)),
        ),
        panel_size=4,
        quotas={"regional": 0, "university": 1},
    ) == {
        "kinds": "must not name a kind twice",
        "references.provincial_rd_intensity": (
            "is required when regional bases are opened (the R&D-intensity gate compares with it)"
        ),
        "references.rd_reference": "names the provincial average, but that reference value is not given",
        "deadlines.recommendation": "must be after the application deadline",
        "deadlines.scoring": "must be after the recommendation deadline",
        "panel_size": "must be an odd number from 5 to 7",
        "quotas.regional": "must be a whole number of at least 1",
        "quotas.university": "is not a kind this round opens",
    }


def test_a_naive_deadline_is_refused_and_not_compared() -> None:
    naive = T0.replace(tzinfo=None)
    assert _problems(
        deadlines=(("application", naive), ("recommendation", T0), ("scoring", T0 - timedelta(days=1)))
    ) == {"deadlines.application": "must include a time zone, like 2026-05-31T17:00:00+08:00"}


def test_a_city_reference_needs_the_city_value() -> None:
    assert _problems(kinds=["enterprise"], quotas={"enterprise": 1}, rd_reference="city") == {
        "references.rd_reference": "names the city average, but that reference value is not given"
    }


def test_deadlines_are_shown_in_beijing_time() -> None:
    assert format_deadline(T0).render("zh_CN") == "2026年5月31日 17:00 （北京时间）"
    assert format_deadline(T0).render("en") == "31 May 2026 17:00 (Beijing time)"


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_a_step_closes_the_moment_after_its_deadline(seconds: int) -> None:
    assert deadline_passed(T0, T0 + timedelta(seconds=seconds)) is (seconds > 0)
    assert deadline_passed(None, T0 + timedelta(seconds=seconds)) is False
