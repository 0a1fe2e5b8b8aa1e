"""The designation notice (认定通知) prints the anchor of its round's publication, as the public page does."""

from __future__ import annotations

from sqlalchemy import select

from scoring.services.admin import integrity
from scoring.services.admin.accounts import actor_for
from scoring.services.review.documents.schemas import DocumentIn
from scoring.services.review.documents.service import preview
from scoring.store.models import Round, User
from tests.integrity.conftest import Install


def test_the_designation_notice_prints_the_anchor_of_the_publication(install: Install) -> None:
    with install.session() as s:
        rnd = s.scalars(select(Round).where(Round.status == "published")).one()
        staff = actor_for(s.scalars(select(User).where(User.username == "staff")).one())
        anchor = integrity.anchor_of_round(s, rnd.id)
        assert anchor is not None
        draft = preview(s, actor=staff, data=DocumentIn(kind="designation", round_id=rnd.id))
    sections = dict(draft.sections)
    assert sections["审计日志锚点"] == [
        f"名单公布时审计日志链头为第{anchor.seq}号事件，锚点：{anchor.anchor}。"
        "持有此锚点者可随时核验此前的审计记录未被改动、删除或重排（见“审计锚点”公开页面）。"
    ]
    listed = {a["anchor"] for a in install.api("/api/v1/public/anchors").json()}
    assert anchor.anchor in listed
