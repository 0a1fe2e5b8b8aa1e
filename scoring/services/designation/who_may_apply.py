"""Who may apply: the organisation's kind for the base kind, a base it holds, a revocation's cooling-off."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.apply_rules import base_problem, kind_problem
from scoring.core.clock import china_today
from scoring.core.errors import ValidationFailed
from scoring.core.i18n import Msg, msg
from scoring.store.models import DesignatedBase, Organisation, Round


def may_apply_problem(
    session: Session, rnd: Round, *, kind: str, organisation_id: int, today: date | None = None
) -> Msg | None:
    """The first rule this organisation breaks by applying for `kind` in this round, or None."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        return msg("does not match your organisation")
    problem = kind_problem(kind, org.kind)
    if problem is not None:
        return problem
    bases = session.execute(
        select(DesignatedBase.status, DesignatedBase.revoked_on)
        .where(DesignatedBase.organisation_id == organisation_id, DesignatedBase.kind == kind)
        .order_by(DesignatedBase.id.desc())
    )
    day = today or china_today()
    for status, revoked_on in bases:
        problem = base_problem(status, revoked_on, today=day, years=rnd.cooling_off_years)
        if problem is not None:
            return problem
    return None


def require_may_apply(session: Session, rnd: Round, *, kind: str, organisation_id: int) -> None:
    problem = may_apply_problem(session, rnd, kind=kind, organisation_id=organisation_id)
    if problem is not None:
        raise ValidationFailed(
            msg("Your organisation may not apply for this kind of base."), fields={"kind": problem}
        )
