"""The admin area's permission predicates, role by role and against other people's objects."""

from __future__ import annotations

import pytest

from scoring.core.actors import Actor, Role
from scoring.core.permissions.admin import (
    can_manage_accounts,
    can_manage_experts,
    can_read_audit,
    can_read_evaluation_evidence,
    can_see_any_base_evidence,
)

USER = 41
ROLES = list(Role)
STAFF = {Role.STAFF, Role.ADMIN}


def actor(role: Role, user_id: int | None = USER) -> Actor:
    return Actor(user_id=user_id, username=role.value, role=role)


def test_the_table_covers_all_seven_roles() -> None:
    assert len(ROLES) == 7


@pytest.mark.parametrize("role", ROLES)
def test_accounts_experts_audit_and_all_evidence_are_staffs(role: Role) -> None:
    who = actor(role)
    expected = role in STAFF
    assert [
        can_manage_accounts(who),
        can_manage_experts(who),
        can_read_audit(who),
        can_see_any_base_evidence(who),
    ] == [expected] * 4


@pytest.mark.parametrize("role", ROLES)
def test_an_evaluator_reads_evidence_of_its_own_declared_evaluation_only(role: Role) -> None:
    own = can_read_evaluation_evidence(actor(role), declared_evaluator_user_ids=frozenset({USER}))
    others = can_read_evaluation_evidence(actor(role), declared_evaluator_user_ids=frozenset({USER + 1}))
    undeclared = can_read_evaluation_evidence(actor(role), declared_evaluator_user_ids=frozenset())
    assert (own, others, undeclared) == (role is Role.EVALUATOR, False, False)


def test_an_evaluator_without_an_account_reads_nothing() -> None:
    assert (
        can_read_evaluation_evidence(
            actor(Role.EVALUATOR, user_id=None), declared_evaluator_user_ids=frozenset({USER})
        )
        is False
    )
