"""The register of organisations: create, edit, deactivate and list, one credit code per organisation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.credit_code import CreditCodeProblem, normalise, validate_credit_code
from scoring.core.districts import DISTRICTS
from scoring.core.errors import Conflict, NotFound, ValidationFailed
from scoring.core.i18n import Msg, msg
from scoring.core.permissions.onboarding import can_manage_organisations
from scoring.core.vocabulary import OrganisationKind
from scoring.services.admin.onboarding_schemas import (
    OrganisationIn,
    OrganisationOut,
    OrganisationPage,
    OrganisationStatusIn,
)
from scoring.store import audit
from scoring.store.models import Organisation

CREDIT_CODE_RULES: dict[CreditCodeProblem, Msg] = {
    CreditCodeProblem.LENGTH: msg("must be exactly 18 characters"),
    CreditCodeProblem.CHARSET: msg(
        "may contain only digits and upper-case letters other than I, O, Z, S and V"
    ),
    CreditCodeProblem.DIVISION: msg("characters 3 to 8 must be an administrative division code (digits)"),
    CreditCodeProblem.ORG_CODE_CHECK: msg(
        "the organisation code (characters 9 to 17) has a wrong check character"
    ),
    CreditCodeProblem.CHECK_CHARACTER: msg("the check character (the 18th) does not match (GB 32100-2015)"),
}

# Kinds as a spreadsheet or a form may name them: the code, or its Chinese name.
KIND_NAMES_ZH: dict[OrganisationKind, str] = {
    OrganisationKind.GOVERNMENT: "政府或园区管委会",
    OrganisationKind.UNIVERSITY: "高校或科研院所",
    OrganisationKind.ENTERPRISE: "企业",
    OrganisationKind.EVALUATOR: "第三方评估机构",
    OrganisationKind.OTHER: "其他",
}
_KIND_ALIASES: dict[str, OrganisationKind] = {
    **{kind.value: kind for kind in OrganisationKind},
    **{name: kind for kind, name in KIND_NAMES_ZH.items()},
    "政府": OrganisationKind.GOVERNMENT,
    "管委会": OrganisationKind.GOVERNMENT,
    "高校": OrganisationKind.UNIVERSITY,
    "科研院所": OrganisationKind.UNIVERSITY,
}
_PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,30}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

KIND_RULE = msg(
    "must be one of: government or park committee, university or institute, enterprise, evaluator, other"
)
DISTRICT_RULE = msg("must be one of the districts of Shijiazhuang")


@dataclass(frozen=True)
class CheckedOrganisation:
    """An organisation's values once every rule holds: the normalised form that is stored."""

    name: str
    credit_code: str
    kind: str
    district: str | None
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str

    def as_dict(self) -> dict[str, str | None]:
        return {
            "name": self.name,
            "credit_code": self.credit_code,
            "kind": self.kind,
            "district": self.district,
            "address": self.address,
            "contact_name": self.contact_name,
            "contact_phone": self.contact_phone,
            "contact_email": self.contact_email,
        }


def check_organisation(data: OrganisationIn) -> tuple[CheckedOrganisation | None, dict[str, Msg]]:
    """Every field rule that needs no database, each refusal naming its field."""
    problems: dict[str, Msg] = {}
    if len(data.name) < 2:
        problems["name"] = msg("is required (at least 2 characters)")
    code = normalise(data.credit_code)
    if not code:
        problems["credit_code"] = msg("is required")
    else:
        rule = validate_credit_code(code)
        if rule is not None:
            problems["credit_code"] = CREDIT_CODE_RULES[rule]
    kind = _KIND_ALIASES.get(data.kind.strip().lower()) or _KIND_ALIASES.get(data.kind.strip())
    if kind is None:
        problems["kind"] = KIND_RULE
    district = (data.district or "").strip() or None
    if district is not None and district not in DISTRICTS:
        problems["district"] = DISTRICT_RULE
    if data.contact_phone and not _PHONE_RE.match(data.contact_phone):
        problems["contact_phone"] = msg("must be a telephone number (digits, optionally + and hyphens)")
    if data.contact_email and not EMAIL_RE.match(data.contact_email):
        problems["contact_email"] = msg("must be an e-mail address")
    if problems:
        return None, problems
    assert kind is not None
    return (
        CheckedOrganisation(
            name=data.name,
            credit_code=code,
            kind=kind.value,
            district=district,
            address=data.address,
            contact_name=data.contact_name,
            contact_phone=data.contact_phone,
            contact_email=data.contact_email,
        ),
        {},
    )


def organisation_out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=org.id,
        name=org.name,
        credit_code=org.credit_code,
        kind=org.kind,
        district=org.district,
        address=org.address,
        contact_name=org.contact_name,
        contact_phone=org.contact_phone,
        contact_email=org.contact_email,
        is_active=org.is_active,
        created_at=org.created_at,
    )


def snapshot(org: Organisation) -> dict[str, object]:
    return {**organisation_out(org).model_dump(mode="json", exclude={"id", "created_at"})}


def _require(actor: Actor) -> None:
    if not can_manage_organisations(actor):
        raise NotFound()


def _load(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound()
    return org


def uniqueness_problems(
    session: Session, checked: CheckedOrganisation, *, exclude_id: int | None = None
) -> dict[str, Msg]:
    problems: dict[str, Msg] = {}
    by_code = session.scalar(select(Organisation.id).where(Organisation.credit_code == checked.credit_code))
    if by_code is not None and by_code != exclude_id:
        problems["credit_code"] = msg("an organisation with this credit code exists already")
    by_name = session.scalar(select(Organisation.id).where(Organisation.name == checked.name))
    if by_name is not None and by_name != exclude_id:
        problems["name"] = msg("an organisation with this name exists already")
    return problems


def _apply(org: Organisation, checked: CheckedOrganisation) -> None:
    org.name = checked.name
    org.credit_code = checked.credit_code
    org.kind = checked.kind
    org.district = checked.district
    org.address = checked.address
    org.contact_name = checked.contact_name
    org.contact_phone = checked.contact_phone
    org.contact_email = checked.contact_email


def add_checked(
    session: Session, *, actor: Actor, checked: CheckedOrganisation, active: bool = True
) -> Organisation:
    """Store an organisation whose rules and uniqueness were checked by the caller."""
    org = Organisation(is_active=active)
    _apply(org, checked)
    session.add(org)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="organisation.create",
        entity="organisation",
        entity_id=org.id,
        after=snapshot(org),
    )
    return org


def update_checked(
    session: Session, *, actor: Actor, org: Organisation, checked: CheckedOrganisation
) -> bool:
    """Write changed values with one audit event; False (and no event) when nothing differs."""
    before = snapshot(org)
    _apply(org, checked)
    after = snapshot(org)
    if before == after:
        return False
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="organisation.update",
        entity="organisation",
        entity_id=org.id,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return True


def create_organisation(session: Session, *, actor: Actor, data: OrganisationIn) -> OrganisationOut:
    _require(actor)
    checked, problems = check_organisation(data)
    if checked is None:
        raise ValidationFailed(fields=problems)
    clashes = uniqueness_problems(session, checked)
    if clashes:
        raise Conflict(fields=clashes)
    return organisation_out(add_checked(session, actor=actor, checked=checked))


def update_organisation(
    session: Session, *, actor: Actor, organisation_id: int, data: OrganisationIn
) -> OrganisationOut:
    _require(actor)
    org = _load(session, organisation_id)
    checked, problems = check_organisation(data)
    if checked is None:
        raise ValidationFailed(fields=problems)
    clashes = uniqueness_problems(session, checked, exclude_id=org.id)
    if clashes:
        raise Conflict(fields=clashes)
    update_checked(session, actor=actor, org=org, checked=checked)
    return organisation_out(org)


def set_organisation_status(
    session: Session, *, actor: Actor, organisation_id: int, data: OrganisationStatusIn
) -> OrganisationOut:
    """Deactivate (or reactivate) an organisation; its history stays, it is no longer offered."""
    _require(actor)
    org = _load(session, organisation_id)
    if org.is_active == data.active:
        return organisation_out(org)
    org.is_active = data.active
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="organisation.activate" if data.active else "organisation.deactivate",
        entity="organisation",
        entity_id=org.id,
        before={"is_active": not data.active},
        after={"is_active": data.active},
        reason=data.reason or None,
    )
    return organisation_out(org)


def get_organisation(session: Session, *, actor: Actor, organisation_id: int) -> OrganisationOut:
    _require(actor)
    return organisation_out(_load(session, organisation_id))


def list_organisations(
    session: Session,
    *,
    actor: Actor,
    query: str = "",
    active: bool | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> OrganisationPage:
    """Organisations by id, filtered by a name or credit-code fragment and by status."""
    _require(actor)
    stmt = select(Organisation).where(Organisation.id > after_id).order_by(Organisation.id).limit(limit)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Organisation.name.like(like), Organisation.credit_code.like(like.upper())))
    if active is not None:
        stmt = stmt.where(Organisation.is_active.is_(active))
    rows = list(session.scalars(stmt))
    return OrganisationPage(
        items=[organisation_out(o) for o in rows],
        next_cursor=rows[-1].id if len(rows) == limit else None,
    )
