"""The evaluator's sheet speaks the caller's language: the rubric's own wording, chosen at the edge."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.bases.conftest import PERFORMANCE, BaseWorld
from tests.bases.test_base_cycle import campaign


def test_the_sheet_gives_the_rubric_wording_in_the_callers_language(
    client: TestClient, bw: BaseWorld
) -> None:
    cid = campaign(client, bw)
    expert, headers = bw.evaluators[0]
    resp = client.post(
        f"{bw.url}/evaluations", json={"campaign_id": cid, "evaluator_ids": [expert.id]}, headers=bw.alice
    )
    url = f"/api/v1/evaluations/{resp.json()['created'][0]}"
    assert client.post(f"{url}/declaration", json={"no_conflict": True}, headers=headers).status_code == 200
    section, indicator = PERFORMANCE.sections[0], PERFORMANCE.sections[0].indicators[0]
    for language, expected in (
        ("en", (section.title_en, indicator.text_en)),
        ("zh-CN", (section.title_zh, indicator.text_zh)),
    ):
        first = client.get(url, headers=headers | {"Accept-Language": language}).json()["indicators"][0]
        assert (first["code"], first["section"], first["text"]) == (indicator.code, *expected)
