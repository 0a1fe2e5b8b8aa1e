"""Scoring deadlines at the end of a round: a sheet's effective deadline and what an extension must be."""

from __future__ import annotations

from datetime import datetime

from scoring.core.i18n import Msg, msg


def effective_deadline(round_deadline: datetime | None, sheet_deadline: datetime | None) -> datetime | None:
    """The later of the round's deadline and the sheet's own; None when neither is set (no deadline)."""
    given = [d for d in (round_deadline, sheet_deadline) if d is not None]
    return max(given) if given else None


def extension_problems(
    *, new: datetime, current: datetime | None, now: datetime, reason: str
) -> dict[str, Msg]:
    """Why an extension to `new` is refused: not later than the current deadline or now, or no reason."""
    problems: dict[str, Msg] = {}
    if current is not None and new <= current:
        problems["deadline"] = msg("must be later than the current deadline")
    elif new <= now:
        problems["deadline"] = msg("must be in the future")
    if not reason.strip():
        problems["reason"] = msg("is required to extend a deadline")
    return problems
