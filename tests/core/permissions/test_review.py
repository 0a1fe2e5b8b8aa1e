"""The review phase's permission predicates, role by role and against other users' objects."""

from __future__ import annotations

import pytest

from scoring.core.actors import Actor, Role
from scoring.core.permissions.review import (
    can_list_sheets,
    can_manage_review,
    can_read_sheet,
    can_score_sheet,
    can_see_result,
    can_see_sheet_expert,
    can_see_sheet_material,
)

ORG = 7
OTHER_ORG = 8
USER = 11
OTHER_USER = 12


def actor(role: Role) -> Actor:
    return Actor(user_id=USER, username=role.value, role=role, organisation_id=ORG, district="长安区")


ROLES = list(Role)
STAFFISH = {Role.STAFF, Role.ADMIN}


def test_the_matrix_covers_all_seven_roles() -> None:
    assert len(ROLES) == 7


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_and_admins_manage_the_review(role: Role) -> None:
    assert can_manage_review(actor(role)) is (role in STAFFISH)
    assert can_see_sheet_expert(actor(role)) is (role in STAFFISH)


@pytest.mark.parametrize("role", ROLES)
def test_only_experts_and_staff_list_sheets(role: Role) -> None:
    assert can_list_sheets(actor(role)) is (role in STAFFISH | {Role.EXPERT})


@pytest.mark.parametrize("role", ROLES)
def test_only_the_holding_expert_scores_a_sheet(role: Role) -> None:
    assert can_score_sheet(actor(role), sheet_expert_user_id=USER) is (role is Role.EXPERT)
    assert can_score_sheet(actor(role), sheet_expert_user_id=OTHER_USER) is False
    assert can_score_sheet(actor(role), sheet_expert_user_id=None) is False


def test_an_expert_without_a_user_id_scores_nothing() -> None:
    nobody = Actor(user_id=None, username="x", role=Role.EXPERT)
    assert can_score_sheet(nobody, sheet_expert_user_id=None) is False


@pytest.mark.parametrize("role", ROLES)
def test_staff_read_every_sheet_an_expert_only_its_own(role: Role) -> None:
    assert can_read_sheet(actor(role), sheet_expert_user_id=USER) is (role in STAFFISH | {Role.EXPERT})
    assert can_read_sheet(actor(role), sheet_expert_user_id=OTHER_USER) is (role in STAFFISH)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("status", "after_declaration"),
    [("assigned", False), ("declined", False), ("draft", True), ("submitted", True)],
)
def test_material_shows_after_the_declaration(role: Role, status: str, after_declaration: bool) -> None:
    assert can_see_sheet_material(actor(role), sheet_status=status) is (role in STAFFISH or after_declaration)


@pytest.mark.parametrize("role", ROLES)
def test_results_staff_always_applicants_their_own_from_the_notice_period(role: Role) -> None:
    who = actor(role)
    assert can_see_result(who, organisation_id=ORG, round_status="published") is (
        role in STAFFISH | {Role.APPLICANT}
    )
    assert can_see_result(who, organisation_id=ORG, round_status="notice") is (
        role in STAFFISH | {Role.APPLICANT}
    )
    assert can_see_result(who, organisation_id=ORG, round_status="deciding") is (role in STAFFISH)
    assert can_see_result(who, organisation_id=OTHER_ORG, round_status="published") is (role in STAFFISH)


def test_an_applicant_without_an_organisation_sees_no_result() -> None:
    orphan = Actor(user_id=USER, username="a", role=Role.APPLICANT)
    assert can_see_result(orphan, organisation_id=ORG, round_status="published") is False
