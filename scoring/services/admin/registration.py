"""Self-registration of an applicant organisation and its first account, and the review of it by the
organisation's county (city staff for city-level organisations). The account logs in with the credit
code once approved. The answer to a registration never tells whether the code was known."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM, Actor, Role
from scoring.core.errors import InvalidTransition, NotFound, ValidationFailed
from scoring.core.i18n import Msg, Text, msg
from scoring.core.permissions.onboarding import can_review_registration
from scoring.core.schema import Schema
from scoring.core.vocabulary import APPLICANT_KIND_OF_BASE
from scoring.services.admin.onboarding_schemas import OrganisationIn
from scoring.services.admin.organisations import check_organisation, snapshot
from scoring.services.admin.passwords import hash_password, password_problem
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import Organisation, Registration, User

APPLICANT_KINDS = tuple(kind.value for kind in APPLICANT_KIND_OF_BASE.values())
RECEIVED = msg(
    "Thank you. If this credit code was not registered yet, the registration now waits for the review of "
    "your county's development and reform department (the city's for city-level organisations). Once it "
    "is approved, log in with the credit code as username and the password you chose."
)


class RegistrationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    credit_code: str = Field(default="", max_length=64)
    name: str = Field(default="", max_length=200)
    kind: str = Field(default="", max_length=32)
    district: str | None = Field(default=None, max_length=32)
    address: str = Field(default="", max_length=300)
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=32)
    contact_email: str = Field(default="", max_length=200)
    password: str = Field(default="", max_length=256, repr=False)


class RegistrationReceived(Schema):
    message: Text


class DecisionIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: Literal["approve", "reject"]
    reason: str = Field(default="", max_length=1000)


class RegistrationOut(Schema):
    id: int
    status: str
    organisation_id: int
    name: str
    credit_code: str
    kind: str
    district: str | None
    contact_name: str
    contact_phone: str
    contact_email: str
    reason: str
    created_at: str
    decided_at: str | None


def register(session: Session, *, data: RegistrationIn) -> RegistrationReceived:
    """Check the form; then, for a new code (or one whose last registration was rejected), store the
    organisation and its account, both inactive, and a pending registration. Same answer either way."""
    checked, problems = check_organisation(OrganisationIn(**data.model_dump(exclude={"password"})))
    if data.kind and data.kind not in APPLICANT_KINDS and "kind" not in problems:
        problems["kind"] = msg(
            "must be one of: government or park committee, university or institute, enterprise"
        )
    if not data.contact_name.strip():
        problems["contact_name"] = msg("is required")
    if not data.contact_phone.strip():
        problems.setdefault("contact_phone", msg("is required"))
    if not data.contact_email.strip():
        problems.setdefault("contact_email", msg("is required"))
    weak = password_problem(data.password)
    if weak is not None:
        problems["password"] = weak
    if problems or checked is None:
        raise ValidationFailed(fields=problems)
    password_hash = hash_password(data.password)  # hashed on every path: the timing tells nothing either
    org = session.scalar(select(Organisation).where(Organisation.credit_code == checked.credit_code))
    if org is None:
        if session.scalar(select(Organisation.id).where(Organisation.name == checked.name)) is not None:
            audit.record(
                session,
                actor=SYSTEM,
                action="registration.ignored",
                entity="organisation",
                entity_id=checked.credit_code,
                reason="name registered under another credit code",
            )
            return RegistrationReceived(message=RECEIVED)
        org = Organisation(is_active=False, **checked.as_dict())
        session.add(org)
        session.flush()
        user = User(
            username=checked.credit_code,
            display_name=checked.contact_name or checked.name,
            password_hash=password_hash,
            role=Role.APPLICANT.value,
            organisation_id=org.id,
            is_active=False,
        )
        session.add(user)
        session.flush()
    else:
        last = session.scalar(
            select(Registration)
            .where(Registration.organisation_id == org.id)
            .order_by(Registration.id.desc())
            .limit(1)
        )
        rejected = session.get(User, last.user_id) if last is not None and last.status == "rejected" else None
        if rejected is None:
            # Registered, approved or pending already: nothing changes, and the answer is the same.
            audit.record(
                session,
                actor=SYSTEM,
                action="registration.ignored",
                entity="organisation",
                entity_id=org.id,
                reason="credit code already registered",
            )
            return RegistrationReceived(message=RECEIVED)
        for key, value in checked.as_dict().items():
            setattr(org, key, value)
        rejected.password_hash = password_hash
        user = rejected
    reg = Registration(
        organisation_id=org.id, user_id=user.id, district=checked.district, status="pending", reason=""
    )
    session.add(reg)
    session.flush()
    audit.record(
        session,
        actor=SYSTEM,
        action="registration.submit",
        entity="registration",
        entity_id=reg.id,
        after={**snapshot(org), "username": user.username},
    )
    return RegistrationReceived(message=RECEIVED)


def _out(reg: Registration, org: Organisation) -> RegistrationOut:
    return RegistrationOut(
        id=reg.id,
        status=reg.status,
        organisation_id=org.id,
        name=org.name,
        credit_code=org.credit_code,
        kind=org.kind,
        district=reg.district,
        contact_name=org.contact_name,
        contact_phone=org.contact_phone,
        contact_email=org.contact_email,
        reason=reg.reason,
        created_at=reg.created_at.isoformat(),
        decided_at=reg.decided_at.isoformat() if reg.decided_at else None,
    )


def list_registrations(
    session: Session, *, actor: Actor, status: str | None = "pending"
) -> list[RegistrationOut]:
    """The registrations the caller reviews: a county's district, or the city-level ones for staff."""
    if actor.role is Role.COUNTY:
        scope = Registration.district == actor.district
    elif actor.role is Role.STAFF:
        scope = Registration.district.is_(None)
    else:
        raise NotFound()
    stmt = (
        select(Registration, Organisation)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(scope)
        .order_by(Registration.id)
    )
    if status:
        stmt = stmt.where(Registration.status == status)
    return [_out(reg, org) for reg, org in session.execute(stmt).all()]


def decide_registration(
    session: Session, *, actor: Actor, registration_id: int, data: DecisionIn
) -> RegistrationOut:
    """Approve (the organisation and its account become active) or reject with a reason."""
    reg = session.get(Registration, registration_id)
    if reg is None or not can_review_registration(actor, district=reg.district):
        raise NotFound()
    if reg.status != "pending":
        raise InvalidTransition(msg("This registration has been decided already."))
    problems: dict[str, Msg] = {}
    if data.decision == "reject" and not data.reason:
        problems["reason"] = msg("a rejection needs a reason")
    if problems:
        raise ValidationFailed(fields=problems)
    org = session.get(Organisation, reg.organisation_id)
    user = session.get(User, reg.user_id)
    assert org is not None and user is not None
    reg.status = "approved" if data.decision == "approve" else "rejected"
    reg.reason = data.reason
    reg.decided_by_id = actor.user_id
    reg.decided_at = utcnow()
    if reg.status == "approved":
        org.is_active = True
        user.is_active = True
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"registration.{'approve' if reg.status == 'approved' else 'reject'}",
        entity="registration",
        entity_id=reg.id,
        before={"status": "pending"},
        after={"status": reg.status, "organisation_id": org.id, "user_id": user.id},
        reason=data.reason or None,
    )
    return _out(reg, org)
