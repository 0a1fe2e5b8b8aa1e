"""The calendar of the review: today in Shijiazhuang and the working days of the State Council calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING

from scoring.core.errors import Conflict
from scoring.core.i18n import msg

if TYPE_CHECKING:
    import holidays

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


class CalendarNotCovered(Conflict):
    """A working-day count reached a year whose State Council holiday notice the library does not hold."""

    code = "calendar_not_covered"

    def __init__(self, year: int) -> None:
        first, last = covered_years()
        self.year = year
        super().__init__(
            msg(
                "Working days of %(year)s cannot be counted: the State Council holiday calendar is known "
                "for %(first)s–%(last)s only. Update the holidays library once that year's notice is out.",
                year=year,
                first=first,
                last=last,
            )
        )


def china_today() -> date:
    """Today in Shijiazhuang (UTC+8, no daylight saving time)."""
    return datetime.now(CHINA_TZ).date()


@cache
def covered_years() -> tuple[int, int]:
    """First and last year whose State Council arrangement (holidays and 调休 days) the library holds.

    The library computes statutory holidays for any year, but the adjusted days off and working
    weekends exist only for years whose notice it transcribed: those are the covered years.
    """
    # Importing the Chinese calendar loads every country of the library (~0.1 s): on first use only.
    from holidays.countries.china import ChinaStaticHolidays

    years = ChinaStaticHolidays.special_public_holidays
    return min(years), max(years)


@cache
def _calendar(year: int) -> holidays.HolidayBase:
    first, last = covered_years()
    if not first <= year <= last:
        raise CalendarNotCovered(year)
    import holidays

    return holidays.country_holidays("CN", years=year)


def is_working_day(day: date) -> bool:
    """Monday–Friday unless a public holiday or day off, and the adjusted working weekends (调休)."""
    return bool(_calendar(day.year).is_working_day(day))


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day after `start`; CalendarNotCovered for a year the library lacks."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            left -= 1
    return current
