"""Official documents of the review in the GB/T 9704-2012 layout, generated from the recorded data."""

from __future__ import annotations

from datetime import date

ISSUER = "石家庄市发展和改革委员会"  # the issuing organ named in every 版头, 落款 and print header
ISSUER_SHORT = "石发改"  # the organ's abbreviation in a 发文字号


def chinese_date(day: date) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, year, month and day in full, no leading 0."""
    return f"{day.year}年{day.month}月{day.day}日"
