"""Who may apply for a base: the organisation's kind, a base it already holds, a revocation's cooling-off."""

from __future__ import annotations

from datetime import date

from scoring.core.i18n import Msg, msg
from scoring.core.vocabulary import APPLICANT_KIND_OF_BASE, BaseKind

DEFAULT_COOLING_OFF_YEARS = 2
HELD_STATUSES = frozenset({"active", "rectifying"})

_APPLICANTS: dict[BaseKind, Msg] = {
    BaseKind.REGIONAL: msg("district governments and park management committees"),
    BaseKind.UNIVERSITY: msg("universities and research institutes"),
    BaseKind.ENTERPRISE: msg("enterprises"),
}


def kind_problem(base_kind: str, organisation_kind: str) -> Msg | None:
    """Why this organisation may not apply for this kind of base, or None."""
    kind = BaseKind(base_kind)
    if APPLICANT_KIND_OF_BASE[kind] == organisation_kind:
        return None
    return msg(
        "does not match your organisation: only %(applicants)s apply for this kind",
        applicants=_APPLICANTS[kind],
    )


def cooling_off_ends(revoked_on: date, years: int) -> date:
    """The first day a revoked base's organisation may apply again (29 February falls back a day)."""
    try:
        return revoked_on.replace(year=revoked_on.year + years)
    except ValueError:
        return revoked_on.replace(year=revoked_on.year + years, day=28)


def base_problem(status: str, revoked_on: date | None, *, today: date, years: int) -> Msg | None:
    """Why an organisation holding (or having lost) a base of this kind may not apply, or None."""
    if status in HELD_STATUSES:
        return msg(
            "your organisation already holds a base of this kind (it is %(status)s)", status=Msg(status)
        )
    if revoked_on is not None and today < cooling_off_ends(revoked_on, years):
        return msg(
            "your base of this kind was revoked on %(revoked)s: you may apply again from %(until)s",
            revoked=revoked_on.isoformat(),
            until=cooling_off_ends(revoked_on, years).isoformat(),
        )
    return None
