"""Loading an application for a caller: visibility, the applicant's editability, round and deadline guards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor, Role
from scoring.core.errors import DeadlinePassed, Forbidden, InvalidTransition, NotFound, StaleVersion
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import (
    APPLICATION_EDITABLE,
    ApplicationStatus,
    RoundStatus,
    SheetStatus,
)
from scoring.core.permissions import can_edit_application, can_see_application
from scoring.core.round_rules import deadline_passed, format_deadline
from scoring.services.designation.rounds import msg_stale
from scoring.store.db import utcnow
from scoring.store.models import Application, Expert, Organisation, Round, Sheet

# A returned application is corrected for the county or the formal check, so it may still be edited
# while the round is recommending; a draft only while applications are open.
EDITABLE_ROUND_STATUS: dict[str, tuple[RoundStatus, ...]] = {
    ApplicationStatus.DRAFT: (RoundStatus.OPEN,),
    ApplicationStatus.RETURNED: (RoundStatus.OPEN, RoundStatus.RECOMMENDING),
}
CHECKING_ROUND_STATUS: tuple[RoundStatus, ...] = (RoundStatus.OPEN, RoundStatus.RECOMMENDING)


def declared_expert_user_ids(session: Session, *, application_id: int, user_id: int | None) -> frozenset[int]:
    """{user_id} when that expert holds a sheet for the application and signed its declaration."""
    if user_id is None:
        return frozenset()
    found = session.scalar(
        select(Expert.user_id)
        .join(Sheet, Sheet.expert_id == Expert.id)
        .where(
            Sheet.application_id == application_id,
            Expert.user_id == user_id,
            Sheet.declared_at.is_not(None),
            Sheet.status != SheetStatus.DECLINED,
        )
        .limit(1)
    )
    return frozenset({found}) if found is not None else frozenset()


def may_see(session: Session, actor: Actor, app: Application, org: Organisation) -> bool:
    experts = (
        declared_expert_user_ids(session, application_id=app.id, user_id=actor.user_id)
        if actor.role is Role.EXPERT
        else frozenset()
    )
    return can_see_application(
        actor,
        organisation_id=app.organisation_id,
        district=org.district,
        status=app.status,
        assigned_expert_user_ids=experts,
    )


def load(session: Session, application_id: int, *, lock: bool) -> tuple[Application, Organisation, Round]:
    stmt = select(Application).where(Application.id == application_id)
    if lock:
        # Serialise writers on the row (PostgreSQL); the version check then sees the latest value.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    app = session.scalar(stmt)
    if app is None:
        raise NotFound()
    org = session.get(Organisation, app.organisation_id)
    rnd = session.get(Round, app.round_id)
    assert org is not None and rnd is not None  # foreign keys
    return app, org, rnd


def load_visible(
    session: Session, *, actor: Actor, application_id: int, lock: bool = False
) -> tuple[Application, Organisation, Round]:
    """The application, its organisation and round, or NotFound when the caller may not see it."""
    app, org, rnd = load(session, application_id, lock=lock)
    if not may_see(session, actor, app, org):
        raise NotFound()
    return app, org, rnd


def load_editable(
    session: Session, *, actor: Actor, application_id: int, action: Msg
) -> tuple[Application, Organisation, Round]:
    """For the applicant's own changes: visible, its own, editable status, round open, before the deadline."""
    app, org, rnd = load_visible(session, actor=actor, application_id=application_id, lock=True)
    if not can_edit_application(actor, organisation_id=app.organisation_id):
        raise Forbidden()
    if app.status not in APPLICATION_EDITABLE:
        raise InvalidTransition(
            msg(
                "Cannot %(action)s: the record is in state “%(state)s”.",
                action=action,
                state=Msg(app.status.replace("_", " ")),
            )
        )
    require_round_status(rnd, EDITABLE_ROUND_STATUS[app.status])
    require_before(
        rnd.application_deadline if app.status == ApplicationStatus.DRAFT else rnd.recommendation_deadline
    )
    return app, org, rnd


def require_round_status(rnd: Round, allowed: Sequence[RoundStatus]) -> None:
    if rnd.status not in allowed:
        raise InvalidTransition(
            msg(
                "The round is in state “%(state)s”: this step is not open.",
                state=Msg(rnd.status.replace("_", " ")),
            ),
            code="round_not_open",
        )


def require_before(deadline: datetime | None, now: datetime | None = None) -> None:
    if deadline is not None and deadline_passed(deadline, now or utcnow()):
        raise DeadlinePassed(
            msg("The deadline, %(deadline)s, has passed.", deadline=format_deadline(deadline))
        )


def check_version(app: Application, version: int | None) -> None:
    if version is not None and version != app.version:
        raise StaleVersion(msg_stale(version, app.version))


def touch(app: Application) -> None:
    app.version += 1
    app.updated_at = utcnow()
