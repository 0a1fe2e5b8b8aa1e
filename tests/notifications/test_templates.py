"""Message templates: one per kind and language, every one renders, and none can tell a recipient what
its role may not see."""

from __future__ import annotations

import pytest

from scoring.core.actors import Role
from scoring.core.i18n import LOCALES
from scoring.services.admin.notifications.kinds import (
    ALL_FORBIDDEN,
    FORBIDDEN_PARAMS,
    PUBLIC,
    SPECS,
    NoticeKind,
)
from scoring.services.admin.notifications.outbox import check_params
from scoring.services.admin.notifications.render import TEMPLATE_DIR, RenderError, render

ROLES = [*Role, PUBLIC]
CASES = [(kind, role, loc) for kind in NoticeKind for role in ROLES for loc in LOCALES]


DATES = {"deadline", "notice_ends"}


def sentinel(name: str) -> str:
    return "2031-07-15T08:00:00+00:00" if name in DATES else f"«{name.upper()}»"


def test_every_kind_has_exactly_one_template_per_language() -> None:
    for loc in LOCALES:
        names = sorted(p.stem for p in (TEMPLATE_DIR / loc).glob("*.txt"))
        assert names == sorted(k.value for k in NoticeKind), loc


@pytest.mark.parametrize(("kind", "role", "locale"), CASES, ids=lambda v: str(v))
def test_a_message_tells_each_recipient_role_only_what_it_may_see(
    kind: NoticeKind, role: str, locale: str
) -> None:
    spec = SPECS[kind]
    params = {p: sentinel(p) for p in spec.params}
    if role not in spec.roles:
        with pytest.raises(ValueError, match="is not sent to"):
            check_params(kind, role, params)
        return
    check_params(kind, role, params)
    assert not set(spec.params) & FORBIDDEN_PARAMS[role]
    # Everything any role may not see is offered to the template too: none of it may come out.
    offered = {**{p: sentinel(p) for p in ALL_FORBIDDEN}, **params}
    out = render(kind, offered, locale=locale, link="/x")
    text = out.subject + "\n" + out.body
    for name in FORBIDDEN_PARAMS[role]:
        assert sentinel(name) not in text, (kind, role, name)
    # The subject names what it is about (a title or a name), the body carries the link.
    assert out.subject and "\n" not in out.subject
    if kind is not NoticeKind.OBJECTION_RESOLVED:
        assert "/x" in out.body


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_a_message_refuses_parameters_its_kind_does_not_declare(kind: NoticeKind) -> None:
    spec = SPECS[kind]
    role = sorted(str(r) for r in spec.roles)[0]
    params = {p: "x" for p in spec.params}
    with pytest.raises(ValueError, match="carries"):
        check_params(kind, role, {**params, "expert_name": "张三"})
    with pytest.raises(ValueError, match="carries"):
        check_params(kind, role, {k: v for k, v in list(params.items())[1:]})


def test_an_expert_is_never_told_which_applicant_before_the_declaration() -> None:
    for kind in (NoticeKind.PANEL_ASSIGNED, NoticeKind.SCORING_DUE_3D, NoticeKind.SCORING_DUE_1D):
        assert not {"application_title", "organisation_name"} & set(SPECS[kind].params)


def test_a_template_missing_a_value_is_a_render_error_naming_it() -> None:
    with pytest.raises(RenderError, match=r"panel_assigned \(en\): UndefinedError: 'sheets' is undefined"):
        render(
            NoticeKind.PANEL_ASSIGNED,
            {"round_title": "r", "base_kind": "enterprise", "deadline": None},
            locale="en",
        )


def test_dates_and_outcomes_render_in_each_language() -> None:
    params = {
        "round_title": "R",
        "application_title": "A",
        "outcome": "shortlisted",
        "notice_ends": "2026-12-28",
    }
    zh = render(NoticeKind.NOTICE_OPENED, params, locale="zh_CN", link="/applicant/applications/5")
    en = render(
        NoticeKind.NOTICE_OPENED, params, locale="en", link="/applicant/applications/5", base_url="https://h/"
    )
    assert "公示期至 2026年12月28日" in zh.body and "列入拟认定名单。" in zh.body
    assert "until Dec 28, 2026" in en.body and "on the proposed list." in en.body
    assert "See your result: https://h/applicant/applications/5" in en.body
    off = render(NoticeKind.NOTICE_OPENED, {**params, "outcome": "not_designated"}, locale="zh_CN")
    assert "未列入拟认定名单。" in off.body and "查看结果" not in off.body
