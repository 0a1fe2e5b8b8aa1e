"""The calendar of the review: today in Shijiazhuang and the working days of a public notice.

Working days follow a plain weekday rule (Monday to Friday); public holidays and the adjusted
weekend working days of the State Council calendar are not modelled.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def china_today() -> date:
    """Today in Shijiazhuang (UTC+8, no daylight saving time)."""
    return datetime.now(CHINA_TZ).date()


def add_working_days(start: date, days: int) -> date:
    """The `days`-th working day (Monday–Friday) after `start`."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current
