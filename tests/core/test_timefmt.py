"""One date and time style: Beijing time, labelled on request, one date style per locale."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from scoring.core.timefmt import export_datetime, format_date, format_datetime, iso_beijing, to_beijing

LATE_EVENING_UTC = datetime(2026, 11, 29, 16, 30, 5, 123456, tzinfo=UTC)  # 00:30 next day in Beijing


def test_a_utc_instant_is_shown_on_its_beijing_date_and_clock() -> None:
    assert format_datetime(LATE_EVENING_UTC, "zh_CN") == "2026年11月30日 00:30"
    assert format_datetime(LATE_EVENING_UTC, "en") == "30 Nov 2026 00:30"
    assert format_datetime(LATE_EVENING_UTC, "zh_CN", label=True) == "2026年11月30日 00:30 （北京时间）"
    assert format_datetime(LATE_EVENING_UTC, "en", label=True) == "30 Nov 2026 00:30 (Beijing time)"


def test_naive_values_are_utc_like_the_database_and_iso_text_is_accepted() -> None:
    naive = LATE_EVENING_UTC.replace(tzinfo=None)
    assert format_datetime(naive, "zh_CN") == "2026年11月30日 00:30"
    assert format_datetime("2026-11-29T16:30:05+00:00", "zh_CN") == "2026年11月30日 00:30"
    assert format_date("2026-11-29T16:30:05+00:00", "zh_CN") == "2026年11月30日"


def test_one_date_style_per_locale_for_dates_and_datetimes() -> None:
    assert format_date(date(2023, 10, 3), "zh_CN") == "2023年10月3日"
    assert format_date("2023-10-03", "zh_CN") == "2023年10月3日"
    assert format_date(date(2023, 10, 3), "en") == "3 Oct 2023"
    assert format_date(None, "zh_CN") == format_datetime("", "en") == "—"


def test_exports_write_beijing_time_to_the_second_without_microseconds() -> None:
    assert export_datetime(LATE_EVENING_UTC) == "2026-11-30 00:30:05"
    assert export_datetime(None) == ""
    assert iso_beijing(LATE_EVENING_UTC) == "2026-11-30T00:30:05+08:00"


@given(st.datetimes(min_value=datetime(1992, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_beijing_is_always_eight_hours_ahead_since_1992(value: datetime) -> None:
    # no daylight saving time in China since 1991: the zone database and a fixed offset agree
    assert to_beijing(value).utcoffset() == timedelta(hours=8)
    assert to_beijing(value) == value.astimezone(timezone(timedelta(hours=8)))
