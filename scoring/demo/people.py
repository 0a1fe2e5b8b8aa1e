"""Demo stage 1: organisations, one account per demo person, and the expert and evaluator pools."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM, Actor
from scoring.demo.data import DEMO
from scoring.services.admin import passwords
from scoring.services.admin.accounts import (
    OrganisationIn,
    UserIn,
    actor_for,
    create_organisation,
    create_user,
)
from scoring.store import audit
from scoring.store.models import Expert, Organisation, User


@dataclass
class DemoPeople:
    orgs: dict[str, Organisation] = field(default_factory=dict)  # demo key -> row
    users: dict[str, User] = field(default_factory=dict)  # username -> row
    experts: dict[str, Expert] = field(default_factory=dict)  # username -> pool row
    credentials: list[tuple[str, str, str]] = field(default_factory=list)
    # role -> username of the account a newcomer should try first (chosen by later stages)
    featured: dict[str, str] = field(default_factory=dict)

    def actor(self, username: str) -> Actor:
        return actor_for(self.users[username])


def demo_password() -> str:
    # Random, shown once; the fixed tail guarantees the policy's character classes.
    return f"{secrets.token_urlsafe(8)}-Sc1"


def seed_people(session: Session) -> DemoPeople:
    people = DemoPeople()
    for org in DEMO.organisations:
        people.orgs[org.key] = create_organisation(
            session,
            actor=SYSTEM,
            data=OrganisationIn(
                name=org.name, credit_code=org.credit_code, kind=org.kind, district=org.district
            ),
        )
    with passwords.fast_hashing():
        for account in DEMO.accounts:
            password = demo_password()
            org_row = people.orgs.get(account.organisation) if account.organisation else None
            # Only applicants act for their organisation; experts' affiliation lives on the pool row.
            data = UserIn(
                username=account.username,
                display_name=account.display_name,
                password=password,
                role=account.role,
                organisation_id=org_row.id if org_row and account.role == "applicant" else None,
                district=account.district if account.role == "county" else None,
            )
            people.users[account.username] = create_user(session, actor=SYSTEM, data=data)
            people.credentials.append((account.role, account.username, password))
    staff = people.actor("admin")
    for person in DEMO.experts:
        people.experts[person.key] = _pool_row(
            session,
            staff,
            people,
            username=person.key,
            name=person.name,
            title=person.title,
            fields=list(person.fields),
            org_key=person.affiliation,
            district=person.district,
            conflicts=[people.orgs[k].id for k in person.declared_conflicts],
            pool="expert",
        )
    for evaluator in DEMO.evaluators:
        agency = people.orgs[evaluator.organisation]
        people.experts[evaluator.key] = _pool_row(
            session,
            staff,
            people,
            username=evaluator.key,
            name=evaluator.name,
            title="评估师",
            fields=["绩效评估"],
            org_key=evaluator.organisation,
            district=agency.district,
            conflicts=[],
            pool="evaluator",
        )
    session.flush()
    return people


def _pool_row(
    session: Session,
    staff: Actor,
    people: DemoPeople,
    *,
    username: str,
    name: str,
    title: str,
    fields: list[str],
    org_key: str,
    district: str | None,
    conflicts: list[int],
    pool: str,
) -> Expert:
    row = Expert(
        user_id=people.users[username].id,
        pool=pool,
        name=name,
        title=title,
        fields=fields,
        organisation_id=people.orgs[org_key].id,
        district=district,
        declared_conflict_org_ids=conflicts,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=staff,
        action="expert.create",
        entity="expert",
        entity_id=row.id,
        after={"name": name, "pool": pool, "organisation_id": row.organisation_id, "district": district},
    )
    return row
