"""The designation phase's permission predicates, role by role and against other people's objects."""

from __future__ import annotations

import pytest

from scoring.core.actors import Actor, Role
from scoring.core.permissions import can_edit_application, can_recommend, can_see_application
from scoring.core.permissions.designation import (
    ApplicationScope,
    application_list_scope,
    can_create_application,
    can_formal_check,
    can_manage_rounds,
    can_read_rounds,
)

ORG, OTHER_ORG = 7, 8
DISTRICT, OTHER_DISTRICT = "长安区", "桥西区"
USER = 41


def actor(role: Role) -> Actor:
    """Every role with the scope it would carry: its organisation, its district, its account."""
    return Actor(
        user_id=USER,
        username=role.value,
        role=role,
        organisation_id=ORG if role in (Role.APPLICANT, Role.EVALUATOR) else None,
        district=DISTRICT if role is Role.COUNTY else None,
    )


ROLES = list(Role)
# role -> (manage rounds, create application, formal check)
STAFF_ONLY = {Role.STAFF: True, Role.ADMIN: True}


def test_the_table_covers_all_seven_roles() -> None:
    assert len(ROLES) == 7


@pytest.mark.parametrize("role", ROLES)
def test_rounds_are_managed_by_staff_and_read_by_everyone(role: Role) -> None:
    assert can_manage_rounds(actor(role)) is STAFF_ONLY.get(role, False)
    assert can_read_rounds(actor(role)) is True


@pytest.mark.parametrize("role", ROLES)
def test_only_an_applicant_with_an_organisation_creates_applications(role: Role) -> None:
    assert can_create_application(actor(role)) is (role is Role.APPLICANT)


def test_an_applicant_without_an_organisation_creates_none() -> None:
    assert can_create_application(Actor(user_id=1, username="a", role=Role.APPLICANT)) is False


@pytest.mark.parametrize("role", ROLES)
def test_the_formal_check_is_the_city_drcs(role: Role) -> None:
    assert can_formal_check(actor(role)) is STAFF_ONLY.get(role, False)


# role -> seen (own org, own district, submitted, expert holds a declared sheet) / another org's / a draft
SEE_OWN = {
    Role.APPLICANT: True,
    Role.COUNTY: True,
    Role.EXPERT: True,
    Role.EVALUATOR: False,
    Role.STAFF: True,
    Role.ADMIN: True,
    Role.AUDITOR: False,  # the auditor reads the trail and the draw records, not applications
}
SEE_OTHERS = {
    Role.APPLICANT: False,
    Role.COUNTY: False,
    Role.EXPERT: False,
    Role.EVALUATOR: False,
    Role.STAFF: True,
    Role.ADMIN: True,
    Role.AUDITOR: False,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_an_application(role: Role) -> None:
    mine = can_see_application(
        actor(role),
        organisation_id=ORG,
        district=DISTRICT,
        status="submitted",
        assigned_expert_user_ids=frozenset({USER}),
    )
    others = can_see_application(
        actor(role),
        organisation_id=OTHER_ORG,
        district=OTHER_DISTRICT,
        status="submitted",
        assigned_expert_user_ids=frozenset({USER + 1}),
    )
    assert (mine, others) == (SEE_OWN[role], SEE_OTHERS[role])


@pytest.mark.parametrize("role", ROLES)
def test_a_county_never_sees_a_draft(role: Role) -> None:
    draft = can_see_application(actor(role), organisation_id=ORG, district=DISTRICT, status="draft")
    assert draft is {Role.APPLICANT: True, Role.STAFF: True, Role.ADMIN: True}.get(role, False)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_applicant_edits_its_own_application(role: Role) -> None:
    assert can_edit_application(actor(role), organisation_id=ORG) is (role is Role.APPLICANT)
    assert can_edit_application(actor(role), organisation_id=OTHER_ORG) is False


@pytest.mark.parametrize("role", ROLES)
def test_only_the_districts_county_recommends(role: Role) -> None:
    assert can_recommend(actor(role), district=DISTRICT) is (role is Role.COUNTY)
    assert can_recommend(actor(role), district=OTHER_DISTRICT) is False
    assert can_recommend(actor(role), district=None) is False


EXPECTED_SCOPE = {
    Role.APPLICANT: ApplicationScope(organisation_id=ORG),
    Role.COUNTY: ApplicationScope(district=DISTRICT),
    Role.EXPERT: ApplicationScope(expert_user_id=USER),
    Role.EVALUATOR: None,
    Role.STAFF: ApplicationScope(everything=True),
    Role.ADMIN: ApplicationScope(everything=True),
    Role.AUDITOR: None,
}


@pytest.mark.parametrize("role", ROLES)
def test_the_list_scope_of_each_role(role: Role) -> None:
    assert application_list_scope(actor(role)) == EXPECTED_SCOPE[role]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.COUNTY, Role.EXPERT])
def test_a_scoped_role_without_its_scope_lists_nothing(role: Role) -> None:
    assert application_list_scope(Actor(user_id=None, username="x", role=role)) is None
