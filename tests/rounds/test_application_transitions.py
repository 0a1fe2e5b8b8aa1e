"""Every application step tried in every status: allowed exactly where the life-cycle table says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.errors import InvalidTransition, NotFound
from scoring.core.lifecycle import APPLICATION_TRANSITIONS, ApplicationStatus
from scoring.services.designation.applications import (
    FormalCheckIn,
    RecommendationIn,
    formal_check,
    recommend_application,
    submit_application,
)
from scoring.store.models import AuditEvent
from tests.conftest import Person, count
from tests.rounds.rounds_world import World, fill_completely, make_world, new_application

# step name → (who acts, the lifecycle action, how the service is called)
STEPS: dict[str, tuple[str, str, Callable[..., Any]]] = {
    "submit": ("applicant_a", "submit", lambda s, a, i: submit_application(s, actor=a, application_id=i)),
    "recommend": (
        "county_a",
        "recommend",
        lambda s, a, i: recommend_application(
            s, actor=a, application_id=i, data=RecommendationIn(decision="recommend", reason="同意")
        ),
    ),
    "decline": (
        "county_a",
        "decline",
        lambda s, a, i: recommend_application(
            s, actor=a, application_id=i, data=RecommendationIn(decision="decline", reason="不符合条件")
        ),
    ),
    "county_return": (
        "county_a",
        "return",
        lambda s, a, i: recommend_application(
            s, actor=a, application_id=i, data=RecommendationIn(decision="return", reason="请补充")
        ),
    ),
    "accept": (
        "staff",
        "accept",
        lambda s, a, i: formal_check(s, actor=a, application_id=i, data=FormalCheckIn(decision="accept")),
    ),
    "check_return": (
        "staff",
        "return",
        lambda s, a, i: formal_check(
            s, actor=a, application_id=i, data=FormalCheckIn(decision="return", reason="材料不全")
        ),
    ),
}
# Which statuses each step starts from: the table's entries, split between county and formal check.
ALLOWED_FROM = {
    "submit": {"draft", "returned"},
    "recommend": {"submitted"},
    "decline": {"submitted"},
    "county_return": {"submitted"},
    "accept": {"recommended"},
    "check_return": {"recommended"},
}


@pytest.fixture
def world(session: Session, make_org: Callable[..., Any], make_person: Callable[..., Person]) -> World:
    return make_world(session, make_org, make_person)


def test_the_allowed_sets_are_the_lifecycle_table() -> None:
    for step, (_who, action, _call) in STEPS.items():
        in_table = {str(state) for (state, act) in APPLICATION_TRANSITIONS if act == action}
        assert ALLOWED_FROM[step] <= in_table, step
    # "return" is in the table from submitted and from recommended; each step takes its own one.
    assert ALLOWED_FROM["county_return"] | ALLOWED_FROM["check_return"] == {
        str(s) for (s, a) in APPLICATION_TRANSITIONS if a == "return"
    }


@pytest.mark.parametrize("status", [s.value for s in ApplicationStatus])
@pytest.mark.parametrize("step", list(STEPS))
def test_step_in_status(session: Session, world: World, status: str, step: str) -> None:
    who, action, call = STEPS[step]
    app = new_application(session, world, world.applicant_a)
    fill_completely(session, world, app)
    app.status = status
    session.flush()
    actor = getattr(world, who).actor
    events = count(session, "audit_events")
    if status in ALLOWED_FROM[step]:
        call(session, actor, app.id)
        assert app.status == APPLICATION_TRANSITIONS[(status, action)]
        assert app.version == 2
        assert count(session, "audit_events") == events + 1
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        assert (event.entity, event.entity_id) == ("application", str(app.id))
        assert event.before["status"] == status
        assert event.after["status"] == app.status
        return
    # The county never sees drafts at all; everything else is refused as a transition.
    expected = NotFound if (who == "county_a" and status == "draft") else InvalidTransition
    with pytest.raises(expected):
        call(session, actor, app.id)
    assert app.status == status
    assert app.version == 1
    assert count(session, "audit_events") == events
