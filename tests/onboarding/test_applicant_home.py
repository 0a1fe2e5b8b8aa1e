"""The applicant's home page says what to do next: open calls, drafts, returned items."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from scoring.services.designation.call import applicant_next_steps
from scoring.store.models import Organisation
from tests.conftest import Person
from tests.web.conftest import make_draft, open_round_in


def test_next_steps_list_open_calls_of_the_own_kind_then_the_draft(
    session: Session,
    page_as: Callable[[Person], TestClient],
    make_org: Callable[..., Organisation],
    make_person: Callable[..., Person],
) -> None:
    staff = make_person("staff")
    rnd = open_round_in(session, staff.actor, title="2026年度待办测试评选")
    applicant = make_person("applicant", org=make_org(kind="enterprise"))
    before = applicant_next_steps(session, actor=applicant.actor)
    assert [(i.round_id, i.kind) for i in before.open_calls] == [(rnd.id, "enterprise")]
    assert before.drafts == []

    draft = make_draft(session, applicant, rnd, "我的企业双创基地申报")
    after = applicant_next_steps(session, actor=applicant.actor)
    assert after.open_calls == []
    assert [(i.application_id, i.status) for i in after.drafts] == [(draft.id, "draft")]

    home = page_as(applicant).get("/")
    assert 'id="next-steps"' in home.text
    assert f'<a href="/applicant/applications/{draft.id}">我的企业双创基地申报</a>' in home.text
