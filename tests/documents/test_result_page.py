"""The applicant's page shows its own result from the opening of the notice period: standing, reasons in
words, the recorded decision with its reason, how to object, and a print header; never who decided."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from scoring.store.models import Organisation
from tests.documents.test_own_result import _decided, _open_notice
from tests.ranking.conftest import World
from tests.web.conftest import page_as  # noqa: F401  (fixture)


def test_the_result_shows_on_the_application_page_during_the_notice(
    make_world: Callable[..., World],
    session: Session,
    make_person: Callable[..., Any],
    page_as: Callable[..., Any],  # noqa: F811
    clock: Any,
) -> None:
    staff = make_person("staff")
    w, a, _b, _c = _decided(make_world, session, staff)
    applicant = make_person("applicant", org=session.get(Organisation, a.organisation_id))
    client = page_as(applicant)
    before = client.get(f"/applicant/applications/{a.id}")
    assert before.status_code == 200 and 'id="result"' not in before.text  # deciding: not yet
    _open_notice(w)
    clock.set(date(2026, 3, 4))
    page = client.get(f"/applicant/applications/{a.id}")
    assert 'id="result"' in page.text
    text = page.text
    assert (
        "石家庄市发展和改革委员会 · 2026年度双创示范基地评选 · 石政函〔2026〕12号 · 打印日期：2026-03-04"
        in text
    )
    assert "未列入公示名单。" in text
    assert "在同类3个申报中排名第1，名额为1个：在名额内。" in text
    assert "决定与拟推荐名单不同" in text and "甲公司申报材料存在重复计算" in text
    assert "可在2026-03-09（含）前通过公示页面提出" in text
    assert staff.user.display_name not in text  # who decided is for staff
    assert "乙公司" not in text and "丙公司" not in text
