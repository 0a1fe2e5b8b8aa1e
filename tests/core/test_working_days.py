"""Working days follow the State Council calendar from the holidays library; uncovered years are refused."""

from __future__ import annotations

from datetime import date

import pytest

from scoring.core.clock import CalendarNotCovered, add_working_days, covered_years, is_working_day


def test_a_notice_over_national_day_2024_skips_the_holiday_and_counts_the_working_weekends() -> None:
    # Fri 27 Sep 2024: Sun 29 Sep is worked (调休), 1–7 Oct off, Sat 12 Oct worked.
    assert add_working_days(date(2024, 9, 27), 5) == date(2024, 10, 10)
    assert add_working_days(date(2024, 9, 28), 1) == date(2024, 9, 29)  # a Sunday
    assert add_working_days(date(2024, 10, 8), 5) == date(2024, 10, 14)  # through Sat 12 Oct
    assert add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 8)


def test_holidays_and_adjusted_weekends_of_2024() -> None:
    assert is_working_day(date(2024, 9, 29)) is True
    assert is_working_day(date(2024, 10, 12)) is True
    assert is_working_day(date(2024, 10, 7)) is False  # a Monday given off
    assert is_working_day(date(2024, 10, 5)) is False
    assert is_working_day(date(2024, 10, 8)) is True


def test_ordinary_weeks_are_monday_to_friday() -> None:
    assert add_working_days(date(2026, 3, 6), 5) == date(2026, 3, 13)
    assert add_working_days(date(2026, 3, 7), 5) == date(2026, 3, 13)


def test_the_installed_library_covers_2001_to_2026() -> None:
    assert covered_years() == (2001, 2026)


def test_an_uncovered_year_is_refused_naming_it() -> None:
    with pytest.raises(CalendarNotCovered) as raised:
        add_working_days(date(2026, 12, 28), 5)  # runs into January 2027
    assert raised.value.year == 2027
    assert raised.value.code == "calendar_not_covered"
    assert raised.value.status == 409
    assert str(raised.value.message) == (
        "Working days of 2027 cannot be counted: the State Council holiday calendar is known for "
        "2001–2026 only. Update the holidays library once that year's notice is out."
    )
    assert raised.value.message.render("zh_CN") == (
        "无法计算 2027 年的工作日：节假日库仅收录 2001–2026 年的国务院节假日安排。"
        "该年通知发布后请更新 holidays 库。"
    )
    assert add_working_days(date(2026, 12, 24), 4) == date(2026, 12, 30)
