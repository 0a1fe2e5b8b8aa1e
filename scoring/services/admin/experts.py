"""The expert pool (专家库) and the third-party evaluators: add, update, deactivate, list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor, Role
from scoring.core.districts import DISTRICTS
from scoring.core.errors import Conflict, NotFound, ValidationFailed
from scoring.core.i18n import Msg, msg
from scoring.core.permissions.admin import can_manage_experts
from scoring.services.admin.accounts import UserIn, create_user
from scoring.services.admin.schemas import (
    ExpertIn,
    ExpertOut,
    ExpertPage,
    ExpertUpdate,
    FieldName,
    OrganisationName,
    Pool,
)
from scoring.store import audit
from scoring.store.models import Expert, Organisation, User

# The account role that logs in for each pool: experts score sheets, evaluators score evaluations.
POOL_ROLE: dict[str, Role] = {"expert": Role.EXPERT, "evaluator": Role.EVALUATOR}

__all__ = ["POOL_ROLE", "ExpertIn", "ExpertOut", "ExpertUpdate", "FieldName", "Pool"]


def _missing_orgs(session: Session, ids: Sequence[int]) -> list[int]:
    wanted = set(ids)
    if not wanted:
        return []
    found = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(wanted))))
    return sorted(wanted - found)


def _check_place(
    session: Session, problems: dict[str, Msg], *, organisation_id: int | None, district: str | None
) -> None:
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        problems["organisation_id"] = msg("no such organisation")
    if district is not None and district not in DISTRICTS:
        problems["district"] = msg("must be one of the districts of Shijiazhuang")


def _check_conflicts(session: Session, problems: dict[str, Msg], ids: Sequence[int]) -> None:
    missing = _missing_orgs(session, ids)
    if missing:
        problems["declared_conflict_org_ids"] = msg(
            "no such organisation: %(ids)s", ids=", ".join(map(str, missing))
        )


def _check_account(session: Session, problems: dict[str, Msg], data: ExpertIn) -> None:
    role = POOL_ROLE[data.pool]
    new_account = data.username is not None or data.password is not None
    if data.user_id is not None and new_account:
        problems["user_id"] = msg("give either an existing user or a username and password, not both")
    elif data.user_id is not None:
        user = session.get(User, data.user_id)
        if user is None:
            problems["user_id"] = msg("no such user")
        elif user.role != role.value:
            problems["user_id"] = msg("must be a user with the role %(role)s", role=role.value)
    elif data.username is None:
        problems["username"] = msg("is required: every pool member logs in to score")
    elif data.password is None:
        problems["password"] = msg("is required")


def create_expert(session: Session, *, actor: Actor, data: ExpertIn) -> Expert:
    """Add a member to the pool; creates its login account when a username and password are given."""
    if not can_manage_experts(actor):
        raise NotFound()
    problems: dict[str, Msg] = {}
    _check_place(session, problems, organisation_id=data.organisation_id, district=data.district)
    _check_conflicts(session, problems, data.declared_conflict_org_ids)
    _check_account(session, problems, data)
    if problems:
        raise ValidationFailed(fields=problems)
    if data.user_id is not None and session.scalar(select(Expert.id).where(Expert.user_id == data.user_id)):
        raise Conflict(fields={"user_id": msg("this user is already in the pool")})
    user_id = data.user_id
    if user_id is None:
        assert data.username is not None and data.password is not None
        user = create_user(
            session,
            actor=actor,
            data=UserIn(
                username=data.username,
                display_name=data.name,
                password=data.password,
                role=POOL_ROLE[data.pool].value,
                organisation_id=data.organisation_id,
            ),
        )
        user_id = user.id
    expert = Expert(
        user_id=user_id,
        pool=data.pool,
        name=data.name,
        title=data.title,
        fields=list(data.fields),
        organisation_id=data.organisation_id,
        district=data.district,
        declared_conflict_org_ids=sorted(set(data.declared_conflict_org_ids)),
    )
    session.add(expert)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="expert.create",
        entity="expert",
        entity_id=expert.id,
        after=_snapshot(expert),
    )
    return expert


def update_expert(session: Session, *, actor: Actor, expert_id: int, data: ExpertUpdate) -> Expert:
    """Change declared conflicts, affiliation, fields, or (de)activate; unchanged → nothing recorded."""
    if not can_manage_experts(actor):
        raise NotFound()
    expert = session.scalar(select(Expert).where(Expert.id == expert_id).with_for_update())
    if expert is None:
        raise NotFound()
    changes = data.model_dump(exclude_unset=True)
    problems: dict[str, Msg] = {}
    for key in ("name", "fields", "is_active"):
        if key in changes and changes[key] is None:
            problems[key] = msg("must not be empty")
    _check_place(
        session,
        problems,
        organisation_id=changes.get("organisation_id"),
        district=changes.get("district"),
    )
    if changes.get("declared_conflict_org_ids") is not None:
        _check_conflicts(session, problems, changes["declared_conflict_org_ids"])
        changes["declared_conflict_org_ids"] = sorted(set(changes["declared_conflict_org_ids"]))
    if changes.get("title") is None and "title" in changes:
        changes["title"] = ""
    if problems:
        raise ValidationFailed(fields=problems)
    before = _snapshot(expert)
    for key, value in changes.items():
        setattr(expert, key, list(value) if isinstance(value, list) else value)
    after = _snapshot(expert)
    if after == before:
        return expert
    session.flush()
    changed = sorted(k for k in after if after[k] != before[k])
    audit.record(
        session,
        actor=actor,
        action="expert.update",
        entity="expert",
        entity_id=expert.id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    return expert


def get_expert(session: Session, *, actor: Actor, expert_id: int) -> Expert:
    if not can_manage_experts(actor):
        raise NotFound()
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound()
    return expert


def list_experts(
    session: Session,
    *,
    actor: Actor,
    pool: str | None = None,
    active: bool | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[Expert]:
    """The pool in id order, keyset-paginated."""
    if not can_manage_experts(actor):
        raise NotFound()
    stmt = select(Expert).where(Expert.id > after_id).order_by(Expert.id).limit(limit)
    if pool is not None:
        stmt = stmt.where(Expert.pool == pool)
    if active is not None:
        stmt = stmt.where(Expert.is_active.is_(active))
    return list(session.scalars(stmt))


def expert_for_user(session: Session, *, user_id: int | None, pool: str = "expert") -> Expert | None:
    """The pool row of a logged-in expert (or evaluator), if any."""
    if user_id is None:
        return None
    return session.scalar(select(Expert).where(Expert.user_id == user_id, Expert.pool == pool))


def _snapshot(expert: Expert) -> dict[str, Any]:
    return {
        "name": expert.name,
        "title": expert.title,
        "fields": list(expert.fields),
        "organisation_id": expert.organisation_id,
        "district": expert.district,
        "declared_conflict_org_ids": list(expert.declared_conflict_org_ids),
        "is_active": expert.is_active,
        "pool": expert.pool,
        "user_id": expert.user_id,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def experts_out(session: Session, experts: Sequence[Expert]) -> list[ExpertOut]:
    """Pool members as read models, with organisation names and usernames in two queries."""
    org_ids = {e.organisation_id for e in experts if e.organisation_id is not None}
    user_ids = {e.user_id for e in experts if e.user_id is not None}
    orgs: dict[int, str] = (
        {
            i: n
            for i, n in session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
            )
        }
        if org_ids
        else {}
    )
    users: dict[int, str] = (
        {i: n for i, n in session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    return [
        ExpertOut(
            id=e.id,
            name=e.name,
            title=e.title,
            fields=list(e.fields),
            pool=e.pool,
            organisation_id=e.organisation_id,
            organisation=(
                OrganisationName(id=e.organisation_id, name=orgs.get(e.organisation_id))
                if e.organisation_id is not None
                else None
            ),
            district=e.district,
            user_id=e.user_id,
            username=users.get(e.user_id) if e.user_id is not None else None,
            declared_conflict_org_ids=list(e.declared_conflict_org_ids),
            is_active=e.is_active,
            created_at=_iso(e.created_at),
        )
        for e in experts
    ]


def expert_view(session: Session, expert: Expert) -> ExpertOut:
    return experts_out(session, [expert])[0]


def experts_page(
    session: Session,
    *,
    actor: Actor,
    pool: str | None = None,
    active: bool | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> ExpertPage:
    """One page of the pool; `next_cursor` is the last id when the page is full."""
    rows = list_experts(session, actor=actor, pool=pool, active=active, after_id=after_id, limit=limit)
    return ExpertPage(
        items=experts_out(session, rows), next_cursor=rows[-1].id if len(rows) == limit else None
    )
