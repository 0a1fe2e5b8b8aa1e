"""The staff decision and publication page and the audit-trail page: only staff see them or act
through them, every form is CSRF-guarded, a deviation from the proposed list needs a reason, the
proposer cannot confirm, objections are upheld or dismissed with a reason, replays change nothing,
and the audit trail filters, pages and verifies its chain."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.services.admin import audit_trail
from scoring.services.review import publication
from scoring.store import audit
from scoring.store.audit import ChainReport
from scoring.store.models import Application, DesignatedBase, Objection, Round
from tests.conftest import Person, count
from tests.ranking.conftest import Clock, World
from tests.web.conftest import csrf_of

FOUR_EYES_ZH = "须由另一名工作人员确认:提出发布的人员不能自行确认。"
REASON_ZH = "决定与建议名单不一致或处理并列情况时必须填写"


def post(client: Any, url: str, data: dict[str, Any], **kwargs: Any) -> Any:
    token = csrf_of(client.get("/").text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False, **kwargs)


def rows_of(html: str) -> dict[int, str]:
    """The decision table's rows by application id."""
    return {
        int(m.group(1)): m.group(2)
        for m in re.finditer(r'<tr data-application="(\d+)">(.*?)</tr>', html, re.S)
    }


def event_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-event="(\d+)">', html)]


@dataclass
class Deciding:
    world: World
    a: Application  # 甲 90: proposed
    b: Application  # 乙 80: proposed
    c: Application  # 丙 70: eligible, below the quota of 2
    d: Application  # 丁: fails the gate
    alice: Any
    bob: Any
    alice_person: Person
    bob_person: Person

    @property
    def url(self) -> str:
        return f"/staff/rounds/{self.world.round.id}"

    def statuses(self, session: Session) -> dict[int, str]:
        session.expire_all()
        return dict(
            session.execute(
                select(Application.id, Application.status).where(Application.round_id == self.world.round.id)
            ).all()
        )

    def to_notice(self) -> None:
        """Decide the proposed list, record the approval, propose (alice), confirm (bob)."""
        steps = [
            (self.alice, "decisions", {"kind": "enterprise", "designate": [str(self.a.id), str(self.b.id)]}),
            (self.alice, "approval", {"document_no": "石政字〔2026〕12号", "approved_on": "2026-03-02"}),
            (self.alice, "publication", {"action": "propose"}),
            (self.bob, "publication", {"action": "confirm"}),
        ]
        for client, path, data in steps:
            resp = post(client, f"{self.url}/{path}", data)
            assert resp.status_code == 303, (path, resp.status_code, resp.text[:500])


@pytest.fixture
def deciding(
    make_world: Callable[..., World], page_as: Callable[[Person], Any], make_person: Any, clock: Clock
) -> Deciding:
    w = make_world()
    a = w.application(["90", "90", "90"], name="石家庄甲科技有限公司", district="长安区")
    b = w.application(["80", "80", "80"], name="石家庄乙科技有限公司", district="桥西区")
    c = w.application(["70", "70", "70"], name="石家庄丙科技有限公司")
    d = w.application(["75", "75", "75"], name="石家庄丁科技有限公司", platforms="0")
    alice_person, bob_person = make_person("staff"), make_person("staff")
    return Deciding(w, a, b, c, d, page_as(alice_person), page_as(bob_person), alice_person, bob_person)


# ---- who sees what ------------------------------------------------------------------------------


def test_the_decision_page_preselects_the_proposed_list_and_locks_the_ineligible(deciding: Deciding) -> None:
    page = deciding.alice.get(f"{deciding.url}/decision")
    assert page.status_code == 200
    assert "<h1>认定与公布</h1>" in page.text
    rows = rows_of(page.text)
    assert set(rows) == {deciding.a.id, deciding.b.id, deciding.c.id, deciding.d.id}
    assert "checked" in rows[deciding.a.id] and "checked" in rows[deciding.b.id]
    assert "checked" not in rows[deciding.c.id] and "disabled" not in rows[deciding.c.id]
    assert "disabled" in rows[deciding.d.id]  # fails the gate: cannot be designated
    # final score = panel score + data points (the small rubric's platform gives 10)
    assert '<td>1</td><td>石家庄甲科技有限公司</td><td class="num">100.00</td>' in rows[deciding.a.id]
    assert '<td>2</td><td>石家庄乙科技有限公司</td><td class="num">90.00</td>' in rows[deciding.b.id]
    assert '<td>3</td><td>石家庄丙科技有限公司</td><td class="num">80.00</td>' in rows[deciding.c.id]


@pytest.mark.parametrize("role", ["applicant", "county", "expert", "evaluator"])
def test_other_roles_neither_see_nor_act_through_the_decision_and_audit_pages(
    role: str,
    session: Session,
    deciding: Deciding,
    page_as: Callable[[Person], Any],
    make_person: Any,
    make_org: Any,
) -> None:
    person = make_person(
        role, org=make_org() if role == "applicant" else None, district="长安区" if role == "county" else None
    )
    other = page_as(person)
    for url in (f"{deciding.url}/decision", "/staff/audit", "/staff/audit?verify=true"):
        resp = other.get(url, follow_redirects=False)
        assert resp.status_code in (403, 404), (url, resp.status_code)
        assert "石家庄甲科技有限公司" not in resp.text and "审计日志" not in resp.text.split("<main")[-1]
    events = count(session, "audit_events")
    for path, data in (
        (
            f"{deciding.url}/decisions",
            {"kind": "enterprise", "designate": [str(deciding.c.id)], "reason": "x"},
        ),
        (f"{deciding.url}/approval", {"document_no": "伪造〔2026〕1号", "approved_on": "2026-03-02"}),
        (f"{deciding.url}/publication", {"action": "propose"}),
        (
            "/staff/objections/1/resolve",
            {"round_id": str(deciding.world.round.id), "decision": "dismiss", "reason": "x"},
        ),
        (
            "/staff/objections/1/resolve",
            {"round_id": str(deciding.world.round.id), "decision": "uphold", "reason": "x", "seat": "vacant"},
        ),
        (
            f"{deciding.url}/list-revision/approval",
            {"document_no": "伪造〔2026〕2号", "approved_on": "2026-03-02"},
        ),
        (f"{deciding.url}/list-revision", {"action": "propose"}),
    ):
        assert post(other, path, data).status_code in (403, 404), path
    assert count(session, "audit_events") == events
    session.expire_all()
    rnd = session.get(Round, deciding.world.round.id)
    assert rnd.approval_document_no is None and rnd.publication_proposed_by_id is None
    assert set(deciding.statuses(session).values()) == {"scored"}


def test_every_decision_form_refuses_a_missing_or_forged_csrf_token(
    session: Session, deciding: Deciding
) -> None:
    deciding.to_notice()
    session.expire_all()
    obj = publication.file_objection(
        session,
        data=publication.ObjectionIn(
            round_id=deciding.world.round.id,
            application_id=deciding.a.id,
            name="王",
            contact="1",
            text="不实",
        ),
    )
    events = count(session, "audit_events")
    forms = (
        (
            f"{deciding.url}/decisions",
            {"kind": "enterprise", "designate": [str(deciding.c.id)], "reason": "x"},
        ),
        (f"{deciding.url}/approval", {"document_no": "石政字〔2026〕99号", "approved_on": "2026-03-03"}),
        (f"{deciding.url}/publication", {"action": "finalize"}),
        (
            f"/staff/objections/{obj.id}/resolve",
            {"round_id": str(deciding.world.round.id), "decision": "uphold", "reason": "x"},
        ),
    )
    for url, data in forms:
        missing = deciding.bob.post(url, data=data, follow_redirects=False)
        forged = deciding.bob.post(url, data=data | {"csrf_token": "forged"}, follow_redirects=False)
        assert missing.status_code == forged.status_code == 403, url
    assert count(session, "audit_events") == events
    session.expire_all()
    assert session.get(Objection, obj.id).status == "open"
    assert session.get(Round, deciding.world.round.id).status == "notice"


# ---- decision -----------------------------------------------------------------------------------


def test_deviating_from_the_proposed_list_needs_a_reason_named_on_its_field(
    session: Session, deciding: Deciding
) -> None:
    choice = {"kind": "enterprise", "designate": [str(deciding.a.id), str(deciding.c.id)]}
    refused = post(deciding.alice, f"{deciding.url}/decisions", choice)
    assert refused.status_code == 422
    assert REASON_ZH in refused.text and 'id="f-reason"' in refused.text
    english = post(deciding.alice, f"{deciding.url}/decisions", choice, headers={"Accept-Language": "en"})
    assert english.status_code == 422
    assert "is required when the decision differs from the proposed list or resolves a tie" in english.text
    assert set(deciding.statuses(session).values()) == {"scored"}

    ok = post(deciding.alice, f"{deciding.url}/decisions", choice | {"reason": "丙的带动作用更突出"})
    assert ok.status_code == 303 and ok.headers["location"].endswith("/decision?done=decided")
    statuses = deciding.statuses(session)
    assert statuses[deciding.a.id] == statuses[deciding.c.id] == "shortlisted"
    assert statuses[deciding.b.id] == "not_designated"
    assert session.get(Application, deciding.b.id).decision_reason == "丙的带动作用更突出"
    assert "认定决定已记录" in deciding.alice.get(ok.headers["location"]).text


def test_an_ineligible_or_foreign_choice_is_refused_and_garbage_never_fails(
    session: Session, deciding: Deciding
) -> None:
    ineligible = post(
        deciding.alice,
        f"{deciding.url}/decisions",
        {"kind": "enterprise", "designate": [str(deciding.d.id)], "reason": "试试"},
    )
    assert ineligible.status_code == 422
    for data in (
        {"kind": "enterprise", "designate": ["abc"]},
        {"kind": "no-such-kind", "designate": [str(deciding.a.id)]},
        {"kind": "enterprise", "designate": [str(deciding.a.id), str(deciding.a.id)], "reason": "x"},
    ):
        resp = post(deciding.alice, f"{deciding.url}/decisions", data)
        assert resp.status_code in (404, 409, 422), (data, resp.status_code)
    for data in (
        {"document_no": "", "approved_on": "2026-03-02"},
        {"document_no": "石政字", "approved_on": "昨天"},
    ):
        assert post(deciding.alice, f"{deciding.url}/approval", data).status_code == 422
    assert post(deciding.alice, f"{deciding.url}/publication", {"action": "publish-now"}).status_code == 422
    assert post(
        deciding.alice, "/staff/objections/999999/resolve", {"round_id": "abc", "decision": "x"}
    ).status_code in (404, 422)
    assert deciding.alice.get("/staff/rounds/999999/decision").status_code == 404
    for huge in ("2147483648", "99999999999999999999999"):  # beyond any key: refused, never a 500
        assert deciding.alice.get(f"/staff/rounds/{huge}/decision").status_code in (404, 422), huge
        resp = post(
            deciding.alice, f"/staff/objections/{huge}/resolve", {"decision": "dismiss", "reason": "x"}
        )
        assert resp.status_code in (404, 422), huge
    superscript = post(
        deciding.alice, "/staff/objections/1/resolve", {"round_id": "²", "decision": "dismiss"}
    )
    assert superscript.status_code in (404, 422)
    assert set(deciding.statuses(session).values()) == {"scored"}


# ---- four eyes, notice, objections, publication -------------------------------------------------


def test_the_proposer_cannot_confirm_a_second_staff_member_starts_the_notice_and_replays_do_nothing(
    session: Session, deciding: Deciding
) -> None:
    for path, data in (
        ("decisions", {"kind": "enterprise", "designate": [str(deciding.a.id), str(deciding.b.id)]}),
        ("approval", {"document_no": "石政字〔2026〕12号", "approved_on": "2026-03-02"}),
        ("publication", {"action": "propose"}),
    ):
        assert post(deciding.alice, f"{deciding.url}/{path}", data).status_code == 303
    events = count(session, "audit_events")
    same = post(deciding.alice, f"{deciding.url}/publication", {"action": "confirm"})
    assert same.status_code == 409 and FOUR_EYES_ZH in same.text
    english = post(
        deciding.alice,
        f"{deciding.url}/publication",
        {"action": "confirm"},
        headers={"Accept-Language": "en"},
    )
    assert "the person who proposed the list cannot confirm it" in english.text
    session.expire_all()
    rnd = session.get(Round, deciding.world.round.id)
    assert rnd.status == "deciding" and rnd.publication_confirmed_by_id is None
    assert count(session, "audit_events") == events

    assert post(deciding.bob, f"{deciding.url}/publication", {"action": "confirm"}).status_code == 303
    assert count(session, "audit_events") == events + 1
    assert (
        post(deciding.bob, f"{deciding.url}/publication", {"action": "confirm"}).status_code == 303
    )  # replay
    assert count(session, "audit_events") == events + 1
    session.expire_all()
    rnd = session.get(Round, deciding.world.round.id)
    assert (rnd.status, rnd.notice_starts_on, rnd.notice_ends_on) == (
        "notice",
        date(2026, 3, 2),
        date(2026, 3, 9),
    )
    page = deciding.alice.get(f"{deciding.url}/decision").text
    assert "公示期 2026-03-02 至 2026-03-09" in page or ("2026-03-02" in page and "2026-03-09" in page)
    assert "名单公示至 2026-03-09" in page
    assert "石政字〔2026〕12号" in page
    assert deciding.alice_person.user.display_name in page and deciding.bob_person.user.display_name in page
    assert "确定认定名单" not in page  # no more decisions once the notice runs


def test_objections_are_upheld_or_dismissed_with_a_reason_then_the_list_is_published(
    session: Session, deciding: Deciding, clock: Clock, client: Any
) -> None:
    deciding.to_notice()
    session.expire_all()
    rid = deciding.world.round.id

    def objection(app: Application, text: str) -> Objection:
        data = publication.ObjectionIn(
            round_id=rid, application_id=app.id, name="王先生", contact="0311-1", text=text
        )
        return publication.file_objection(session, data=data)

    against_a, against_b = (
        objection(deciding.a, "甲的研发投入数据不实"),
        objection(deciding.b, "乙不符合条件"),
    )
    page = deciding.bob.get(f"{deciding.url}/decision").text
    assert "甲的研发投入数据不实" in page and "乙不符合条件" in page
    assert page.count('action="/staff/objections/') == 2

    no_reason = post(
        deciding.bob,
        f"/staff/objections/{against_a.id}/resolve",
        {"round_id": str(rid), "decision": "uphold", "reason": ""},
    )
    assert no_reason.status_code == 422
    session.expire_all()
    assert session.get(Objection, against_a.id).status == "open"

    early = post(deciding.bob, f"{deciding.url}/publication", {"action": "finalize"})
    assert early.status_code == 409 and "公示期至 2026-03-09 结束,此后方可发布名单。" in early.text

    uphold = {"round_id": str(rid), "decision": "uphold", "reason": "经核实数据不实", "seat": "vacant"}
    asked = post(deciding.bob, f"/staff/objections/{against_a.id}/resolve", uphold)
    assert asked.status_code == 200 and 'id="confirm-uphold"' in asked.text  # nothing changed yet
    assert "石家庄甲科技有限公司 将移出名单，并记录所填理由。" in asked.text
    assert "该名额空缺。" in asked.text and "调整后的名单须经市政府重新批复后方可公布。" in asked.text
    session.expire_all()
    assert session.get(Objection, against_a.id).status == "open"
    upheld = post(deciding.bob, f"/staff/objections/{against_a.id}/resolve", uphold | {"confirmed": "1"})
    assert upheld.status_code == 303 and upheld.headers["location"].endswith("/decision?done=resolved")
    events = count(session, "audit_events")
    replay = post(deciding.bob, f"/staff/objections/{against_a.id}/resolve", uphold | {"confirmed": "1"})
    assert replay.status_code == 303 and count(session, "audit_events") == events
    flip = post(
        deciding.bob,
        f"/staff/objections/{against_a.id}/resolve",
        {"round_id": str(rid), "decision": "dismiss", "reason": "改变主意"},
    )
    assert flip.status_code == 409 and "该异议已处理。" in flip.text
    dismissed = post(
        deciding.alice,
        f"/staff/objections/{against_b.id}/resolve",
        {"round_id": str(rid), "decision": "dismiss", "reason": "符合条件"},
    )
    assert dismissed.status_code == 303

    session.expire_all()
    assert session.get(Objection, against_a.id).status == "upheld"
    assert session.get(Objection, against_a.id).resolution_reason == "经核实数据不实"
    assert session.get(Objection, against_b.id).status == "dismissed"
    statuses = deciding.statuses(session)
    assert statuses[deciding.a.id] == "not_designated" and statuses[deciding.b.id] == "shortlisted"
    page = deciding.bob.get(f"{deciding.url}/decision").text
    assert "经核实数据不实 · 名额空缺" in page and "符合条件" in page
    assert 'action="/staff/objections/' not in page  # both resolved: no more forms
    assert 'data-list-status="changed"' in page and "移出：石家庄甲科技有限公司" in page

    clock.set(date(2026, 3, 10))
    refused = post(deciding.bob, f"{deciding.url}/publication", {"action": "finalize"})
    assert refused.status_code == 409
    assert "名单因异议成立而调整，须先登记市政府对调整后名单的新批复" in refused.text
    same = post(
        deciding.bob,
        f"{deciding.url}/list-revision/approval",
        {"document_no": "石政字〔2026〕12号", "approved_on": "2026-03-10"},
    )
    assert same.status_code == 422 and "须为新的批复：该文号为原批复文号" in same.text
    assert 'value="石政字〔2026〕12号"' in same.text.split('id="f-revision_document_no"')[1][:400]
    approved = post(
        deciding.bob,
        f"{deciding.url}/list-revision/approval",
        {"document_no": "石政字〔2026〕20号", "approved_on": "2026-03-10"},
    )
    assert approved.status_code == 303
    assert "已批复：公示期满后可公布调整后的名单。" in deciding.bob.get(f"{deciding.url}/decision").text
    assert post(deciding.bob, f"{deciding.url}/publication", {"action": "finalize"}).status_code == 303
    session.expire_all()
    assert session.get(Round, rid).status == "published"
    assert count(session, "bases") == 1
    assert session.scalar(select(DesignatedBase.application_id)) == deciding.b.id
    public = client.get("/public/bases").text
    assert "石家庄乙科技有限公司" in public and "石政字〔2026〕12号" in public
    assert "石家庄甲科技有限公司" not in public and "90.00" not in public
    assert "名单已正式公布" in deciding.bob.get(f"{deciding.url}/decision?done=finalize").text


# ---- audit trail ----------------------------------------------------------------------------------


def test_the_audit_trail_filters_by_entity_action_and_actor(session: Session, deciding: Deciding) -> None:
    deciding.to_notice()
    session.expire_all()
    rid = str(deciding.world.round.id)
    page = deciding.alice.get("/staff/audit", params={"entity": "round", "entity_id": rid}).text
    actions = re.findall(r"data-action=\"([a-z_.]+)\"", page)
    assert actions == ["round.start_notice", "round.propose_publication", "round.approval", "round.decide"]
    bob = deciding.alice.get(
        "/staff/audit",
        params={"entity_id": rid, "action": "round", "actor": deciding.bob_person.username.upper()},
    ).text
    assert re.findall(r"data-action=\"([a-z_.]+)\"", bob) == ["round.start_notice"]
    exact = deciding.alice.get("/staff/audit", params={"entity_id": rid, "action": "round.decide"}).text
    assert re.findall(r"data-action=\"([a-z_.]+)\"", exact) == ["round.decide"]
    nothing = deciding.alice.get("/staff/audit", params={"action": "round.dec%"}).text
    assert event_ids(nothing) == [] and "没有符合筛选条件的记录。" in nothing


def test_the_audit_trail_pages_newest_first_and_ignores_a_bad_cursor(
    session: Session, page_as: Callable[[Person], Any], make_person: Any
) -> None:
    staff = page_as(make_person("staff"))
    made = [
        audit.record(session, actor=SYSTEM, action="probe.write", entity="probe", entity_id=i).id
        for i in range(60)
    ]
    first = staff.get("/staff/audit", params={"entity": "probe"})
    assert event_ids(first.text) == sorted(made, reverse=True)[:50]
    cursor = re.search(r'href="/staff/audit\?([^"]*before=(\d+))"', first.text)
    assert cursor is not None and int(cursor.group(2)) == sorted(made, reverse=True)[49]
    second = staff.get("/staff/audit?" + cursor.group(1).replace("&amp;", "&"))
    assert event_ids(second.text) == sorted(made, reverse=True)[50:]
    assert "更早的记录" not in second.text and "最新" in second.text
    for garbage in (
        "before=abc",
        "before=-5",
        "before=99999999999999999999999",
        "verify=perhaps",
        "entity=" + "x" * 500,
    ):
        resp = staff.get("/staff/audit?" + garbage)
        assert resp.status_code == 200, garbage


def test_the_audit_page_verifies_the_chain_and_names_a_break(
    session: Session, page_as: Callable[[Person], Any], make_person: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = page_as(make_person("staff"))
    total = count(session, "audit_events")
    ok = staff.get("/staff/audit?verify=true").text
    assert f"日志链完整:已核验 {total} 条记录。" in ok
    english = staff.get("/staff/audit?verify=true", headers={"Accept-Language": "en"}).text
    assert f"The chain is intact: {total} events verified." in english

    monkeypatch.setattr(
        audit_trail,
        "verify_chain",
        lambda s: ChainReport(ok=False, events=3, first_bad_id=4, problem="hash_mismatch"),
    )
    broken = staff.get("/staff/audit?verify=true").text
    assert "日志链在第 4 号事件处断开。有事件的内容与其哈希值不符：有记录被修改。" in broken


def test_a_backfill_is_confirmed_on_its_own_page_then_approved_noticed_by_four_eyes_and_designated(
    session: Session, deciding: Deciding, clock: Clock, client: Any
) -> None:
    deciding.to_notice()
    session.expire_all()
    rid = deciding.world.round.id
    data = publication.ObjectionIn(
        round_id=rid, application_id=deciding.b.id, name="王", contact="1", text="乙不实"
    )
    against_b = publication.file_objection(session, data=data)
    url = f"/staff/objections/{against_b.id}/resolve"

    page = deciding.bob.get(f"{deciding.url}/decision").text
    assert "由下一个符合条件的申报递补：石家庄丙科技有限公司，最终得分 80.00，排名第 3 位" in page
    no_seat = post(deciding.bob, url, {"round_id": str(rid), "decision": "uphold", "reason": "经核实不实"})
    assert no_seat.status_code == 422
    assert "异议成立时必须选择：该名额空缺，或由下一个符合条件的申报递补" in no_seat.text
    assert 'value="经核实不实"' in no_seat.text  # what was typed is kept

    form = {"round_id": str(rid), "decision": "uphold", "reason": "经核实不实", "seat": "backfill"}
    asked = post(deciding.bob, url, form)
    assert asked.status_code == 200
    assert f'data-leaves="{deciding.b.id}"' in asked.text and f'data-enters="{deciding.c.id}"' in asked.text
    assert (
        "石家庄丙科技有限公司（最终得分 80.00，排名第 3 位）作为该类别下一个符合条件的申报递补列入名单。"
        in asked.text
    )
    assert "递补单位须另行公示 5 个工作日，由一名工作人员提请、另一名工作人员确认。" in asked.text
    assert deciding.statuses(session)[deciding.c.id] == "not_designated"  # nothing changed yet
    assert post(deciding.bob, url, form | {"confirmed": "1"}).status_code == 303
    statuses = deciding.statuses(session)
    assert (statuses[deciding.b.id], statuses[deciding.c.id]) == ("not_designated", "shortlisted")

    page = deciding.bob.get(f"{deciding.url}/decision").text
    assert "经核实不实 · 由 石家庄丙科技有限公司 递补" in page
    assert "递补：石家庄丙科技有限公司" in page and "移出：石家庄乙科技有限公司" in page
    steps = [
        (
            deciding.alice,
            "list-revision/approval",
            {"document_no": "石政字〔2026〕20号", "approved_on": "2026-03-02"},
        ),
        (deciding.alice, "list-revision", {"action": "propose"}),
    ]
    for who, path, body in steps:
        assert post(who, f"{deciding.url}/{path}", body).status_code == 303, path
    same = post(deciding.alice, f"{deciding.url}/list-revision", {"action": "confirm"})
    assert same.status_code == 409 and FOUR_EYES_ZH in same.text
    assert post(deciding.bob, f"{deciding.url}/list-revision", {"action": "confirm"}).status_code == 303
    page = deciding.bob.get(f"{deciding.url}/decision?done=revision_confirm").text
    assert "已确认：递补单位的补充公示已开始。" in page
    assert "补充公示期 2026-03-02 至 2026-03-09，由 " in page

    public = client.get("/public/notice").text
    assert "补充公示期为 2026-03-02 至 2026-03-09" in public
    row = public.split('data-supplementary="1"')[1].split("</tr>")[0]
    assert "石家庄丙科技有限公司" in row and "补充公示" in row

    clock.set(date(2026, 3, 10))
    assert post(deciding.bob, f"{deciding.url}/publication", {"action": "finalize"}).status_code == 303
    session.expire_all()
    bases = dict(session.execute(select(DesignatedBase.application_id, DesignatedBase.document_no)).all())
    assert bases == {deciding.a.id: "石政字〔2026〕12号", deciding.c.id: "石政字〔2026〕20号"}
