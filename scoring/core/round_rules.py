"""The rules of a round's settings and deadlines: what a new round must satisfy, and the deadline clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from scoring.core import timefmt
from scoring.core.draw import InvalidPanelSize, validate_panel_size
from scoring.core.i18n import Msg, msg
from scoring.core.timefmt import BEIJING
from scoring.core.vocabulary import BaseKind

CHINA_TZ = BEIJING  # the one Beijing zone (scoring.core.timefmt, a ZoneInfo)

_RD_REFERENCE_NAMES = {"provincial": msg("the provincial average"), "city": msg("the city average")}
_AFTER = {
    "application": msg("must be after the application deadline"),
    "recommendation": msg("must be after the recommendation deadline"),
}


def format_deadline(value: datetime) -> Msg:
    """A deadline inside a message, by the one formatter: 「2026年5月31日 17:00（北京时间）」,
    "31 May 2026 17:00 (Beijing time)" in English."""
    return timefmt.Moment("", at=value, label=True)


def deadline_passed(deadline: datetime | None, now: datetime) -> bool:
    """A step closes the moment after its deadline; no deadline never closes."""
    return deadline is not None and now > deadline


def round_settings_problems(
    *,
    kinds: Sequence[str],
    provincial_rd_intensity: Decimal | None,
    city_rd_intensity: Decimal | None,
    rd_reference: str,
    deadlines: Sequence[tuple[str, datetime]],
    panel_size: int,
    quotas: Mapping[str, int],
) -> dict[str, Msg]:
    """Every problem of a new round's settings, by field path; `deadlines` are (name, value) pairs in
    the order they must follow each other (application, recommendation, scoring)."""
    problems: dict[str, Msg] = {}
    if len(set(kinds)) != len(kinds):
        problems["kinds"] = msg("must not name a kind twice")
    chosen = provincial_rd_intensity if rd_reference == "provincial" else city_rd_intensity
    if BaseKind.REGIONAL in kinds and provincial_rd_intensity is None:
        problems["references.provincial_rd_intensity"] = msg(
            "is required when regional bases are opened (the R&D-intensity gate compares with it)"
        )
    if chosen is None and (rd_reference == "city" or BaseKind.REGIONAL in kinds):
        problems.setdefault(
            "references.rd_reference",
            msg(
                "names %(value)s, but that reference value is not given",
                value=_RD_REFERENCE_NAMES[rd_reference],
            ),
        )
    naive = [name for name, value in deadlines if value.tzinfo is None or value.utcoffset() is None]
    for name in naive:
        problems[f"deadlines.{name}"] = msg("must include a time zone, like 2026-05-31T17:00:00+08:00")
    if not naive:
        for (earlier, first), (later, then) in pairwise(deadlines):
            if then <= first:
                problems[f"deadlines.{later}"] = _AFTER[earlier]
    problems.update(panel_and_quota_problems(kinds=kinds, quotas=quotas, panel_size=panel_size))
    return problems


def panel_and_quota_problems(
    *, kinds: Sequence[str], quotas: Mapping[str, int], panel_size: int
) -> dict[str, Msg]:
    """An odd panel size within the bounds, and a quota of at least 1 for exactly the opened kinds."""
    problems: dict[str, Msg] = {}
    try:
        validate_panel_size(panel_size)
    except InvalidPanelSize as exc:
        problems["panel_size"] = msg(
            "must be an odd number from %(min)s to %(max)s", min=exc.min_size, max=exc.max_size
        )
    for kind in kinds:
        if kind not in quotas:
            problems[f"quotas.{kind}"] = msg("is required for every opened kind")
    for quota_kind, quota in quotas.items():
        if quota_kind not in kinds:
            problems[f"quotas.{quota_kind}"] = msg("is not a kind this round opens")
        elif isinstance(quota, bool) or quota < 1:
            problems[f"quotas.{quota_kind}"] = msg("must be a whole number of at least 1")
    return problems
