"""The one way dates and times are shown: Beijing time, labelled, one date style per locale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date

from scoring.core.i18n import DEFAULT_LOCALE, Msg, translate

BEIJING = ZoneInfo("Asia/Shanghai")


def to_beijing(value: datetime) -> datetime:
    """The same instant in Beijing time; a naive value is UTC (how the database stores it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BEIJING)


def _parse(value: date | datetime | str) -> date | datetime:
    if isinstance(value, str):  # read models hand some dates and times on as ISO text
        return datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    return value


def format_date(value: date | datetime | str | None, locale: str) -> str:
    """「2026年11月29日」 in Chinese, "29 Nov 2026" in English; a datetime gives its Beijing date."""
    if value is None or value == "":
        return "—"
    parsed = _parse(value)
    day = to_beijing(parsed).date() if isinstance(parsed, datetime) else parsed
    if locale == "en":
        return _babel_date(day, format="d MMM y", locale="en")
    return f"{day.year}年{day.month}月{day.day}日"


def format_time(value: datetime, locale: str) -> str:
    return to_beijing(value).strftime("%H:%M")


def format_datetime(value: datetime | str | None, locale: str, *, label: bool = False) -> str:
    """「2026年11月29日 22:30」, with 「(北京时间)」 after it when `label` (once per table or sentence)."""
    if value is None or value == "":
        return "—"
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return format_date(parsed, locale)
    text = f"{format_date(parsed, locale)} {format_time(parsed, locale)}"
    return f"{text} {beijing_label(locale)}" if label else text


def beijing_label(locale: str) -> str:
    return translate("(Beijing time)", locale)


def export_datetime(value: datetime | None) -> str:
    """For CSV and spreadsheet cells: 「2026-11-29 22:30:05」 in Beijing time, no microseconds."""
    return "" if value is None else to_beijing(value).strftime("%Y-%m-%d %H:%M:%S")


def iso_beijing(value: datetime) -> str:
    """The machine-readable form for <time datetime="…">: ISO 8601 with the +08:00 offset."""
    return to_beijing(value).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Moment(Msg):
    """A date and time inside a message (a Msg parameter), shown by `format_datetime` in the locale the
    message is rendered in; the msgid is unused."""

    at: datetime | None = None
    label: bool = True

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        return format_datetime(self.at, locale, label=self.label)

    def __str__(self) -> str:
        return self.render("en")
