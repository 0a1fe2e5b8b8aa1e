"""Public anchors: the chain head at each publication, on a public page and under the published list."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from scoring.store.models import AuditEvent, Round
from tests.integrity import demo_copies
from tests.integrity.conftest import Install


def test_the_anchor_is_the_head_at_the_publication_and_is_printed_without_login(install: Install) -> None:
    from api.app import create_app

    with install.session() as s:
        published = s.scalars(select(Round).where(Round.status == "published")).one()
        event = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "round.publish", AuditEvent.entity_id == str(published.id)
            )
        ).one()
        anchor, round_id = f"{event.id}:{event.hash}", published.id
    app = create_app(demo_copies.settings_for(install.url, install.var))
    with TestClient(app) as client:
        api = client.get("/api/v1/public/anchors").json()
        assert [(a["anchor"], a["round_id"], a["reason"]) for a in api] == [(anchor, round_id, "publication")]
        page = client.get("/public/anchors", headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 200
        assert f'<tr data-anchor="{anchor}">' in page.text and "审计锚点" in page.text
        listing = client.get("/public/bases")
        assert f'<p class="anchor" data-anchor="{anchor}">' in listing.text
        assert f'<code translate="no">{anchor}</code>' in listing.text
