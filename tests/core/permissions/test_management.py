"""Each management permission predicate, for every role, on one's own and on another's object."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scoring.core.actors import Actor, Role
from scoring.core.permissions import management as p

OWN_ORG, OTHER_ORG = 10, 11
OWN_USER, OTHER_USER = 1, 2


def actor(role: Role) -> Actor:
    org = OWN_ORG if role is Role.APPLICANT else None
    return Actor(user_id=OWN_USER, username=role.value, role=role, organisation_id=org, district="长安区")


CASES: dict[str, Callable[[Actor], bool]] = {
    "manage bases": p.can_manage_bases,
    "list bases": p.can_list_bases,
    "see evaluators": p.can_see_evaluators,
    "list evaluations": p.can_list_evaluations,
    "see own base": lambda a: p.can_see_base(a, organisation_id=OWN_ORG),
    "see another's base": lambda a: p.can_see_base(a, organisation_id=OTHER_ORG),
    "declare for own base": lambda a: p.can_declare_for_base(a, organisation_id=OWN_ORG),
    "declare for another's base": lambda a: p.can_declare_for_base(a, organisation_id=OTHER_ORG),
    "see own evaluation": lambda a: p.can_see_evaluation(a, evaluator_user_id=OWN_USER),
    "see another's evaluation": lambda a: p.can_see_evaluation(a, evaluator_user_id=OTHER_USER),
    "use own evaluation": lambda a: p.can_use_evaluation(a, evaluator_user_id=OWN_USER),
    "use another's evaluation": lambda a: p.can_use_evaluation(a, evaluator_user_id=OTHER_USER),
}

A, C, E, V, S, D = Role.APPLICANT, Role.COUNTY, Role.EXPERT, Role.EVALUATOR, Role.STAFF, Role.ADMIN
ALLOWED: dict[str, set[Role]] = {
    "manage bases": {S, D},
    "list bases": {A, S, D},
    "see evaluators": {S, D},
    "list evaluations": {V, S, D},
    "see own base": {A, S, D},
    "see another's base": {S, D},
    "declare for own base": {A, S, D},
    "declare for another's base": {S, D},
    "see own evaluation": {V, S, D},
    "see another's evaluation": {S, D},
    "use own evaluation": {V},
    "use another's evaluation": set(),
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("case", list(CASES))
def test_management_predicate_allows_exactly_its_roles(case: str, role: Role) -> None:
    assert CASES[case](actor(role)) is (role in ALLOWED[case])


def test_an_applicant_without_an_organisation_has_no_bases() -> None:
    orphan = Actor(user_id=OWN_USER, username="a", role=Role.APPLICANT, organisation_id=None)
    assert p.can_list_bases(orphan) is False
    assert p.can_declare_for_base(orphan, organisation_id=OWN_ORG) is False
    assert p.can_see_base(orphan, organisation_id=OWN_ORG) is False


def test_an_evaluator_without_a_user_id_uses_no_evaluation() -> None:
    anonymous = Actor(user_id=None, username="v", role=Role.EVALUATOR)
    assert p.can_use_evaluation(anonymous, evaluator_user_id=None) is False
    assert p.can_see_evaluation(anonymous, evaluator_user_id=None) is False
