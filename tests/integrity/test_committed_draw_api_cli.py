"""The committed draw through the API (two staff members, an auditor) and `shuangchuang draw replay`."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from typer.testing import CliRunner

from scoring.cli.draw import draw_app
from scoring.core.draw import commitment_of
from scoring.settings import get_settings
from scoring.store.models import Application, Round
from tests.integrity import demo_copies
from tests.integrity.conftest import Install
from tests.integrity.demo_copies import KEY

SECRET = "staff member one's secret, kept offline"


def _new_round(install: Install) -> int:
    """A further round in review, with the demo's enterprise applicants accepted (set up directly)."""
    with install.session() as s:
        model = s.scalars(select(Round).where(Round.status == "reviewing")).one()
        rnd = Round(
            year=2025, title="2025年度(抽取测试)", status="reviewing", kinds=["enterprise"],
            rubric_versions=model.rubric_versions, references=model.references, quotas={"enterprise": 3},
            panel_size=5, reserves=2,
        )  # fmt: skip
        s.add(rnd)
        s.flush()
        for old in s.scalars(
            select(Application).where(Application.round_id == model.id, Application.kind == "enterprise")
        ):
            s.add(Application(round_id=rnd.id, kind="enterprise", organisation_id=old.organisation_id,
                              title=old.title, figures=old.figures, status="accepted"))  # fmt: skip
        s.flush()
        return rnd.id


def _replay_cli(install: Install, round_id: int) -> tuple[int, str]:
    install.monkeypatch.setenv("SHUANGCHUANG_DATABASE_URL", install.url)
    install.monkeypatch.setenv("SHUANGCHUANG_AUDIT_KEY", KEY)
    install.monkeypatch.setenv("SHUANGCHUANG_VAR_DIR", str(install.var))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(draw_app, ["replay", str(round_id)])
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def test_two_staff_draw_an_auditor_replays_and_an_altered_snapshot_fails(install: Install) -> None:
    from api.app import create_app

    round_id = _new_round(install)
    app = create_app(demo_copies.settings_for(install.url, install.var))
    with TestClient(app) as client:

        def as_(user: str) -> dict[str, str]:
            body = {"username": user, "password": install.template.passwords[user]}
            token = client.post("/api/v1/auth/token", json=body).json()["access_token"]
            return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}

        staff, staff2, auditor = as_("staff"), as_("staff2"), as_("auditor")
        url = f"/api/v1/rounds/{round_id}/draw-commitments"
        commitment = {"kind": "enterprise", "commitment": commitment_of(SECRET)}
        assert client.post(url, json=commitment, headers=auditor).status_code == 404
        made = client.post(url, json=commitment, headers=staff)
        assert made.status_code == 201, made.text
        cid = made.json()["id"]
        early = client.post(f"/api/v1/draw-commitments/{cid}/reveal", json={"secret": SECRET}, headers=staff)
        assert (early.status_code, early.json()["error"]["code"]) == (409, "contribution_missing")
        same = client.post(
            f"/api/v1/draw-commitments/{cid}/contribution", json={"value": "12345678"}, headers=staff
        )
        assert (same.status_code, same.json()["error"]["code"]) == (409, "same_staff_member")
        given = client.post(
            f"/api/v1/draw-commitments/{cid}/contribution", json={"value": "staff2: 9 1 7 3"}, headers=staff2
        )
        assert given.status_code == 200 and given.json()["status"] == "contributed"
        wrong = client.post(
            f"/api/v1/draw-commitments/{cid}/reveal", json={"secret": "not the secret at all"}, headers=staff
        )
        assert wrong.status_code == 422 and set(wrong.json()["error"]["fields"]) == {"secret"}
        drawn = client.post(f"/api/v1/draw-commitments/{cid}/reveal", json={"secret": SECRET}, headers=staff)
        assert drawn.status_code == 200, drawn.text
        assert drawn.json()["status"] == "drawn" and drawn.json()["record"]["secret"] == SECRET
        records = client.get(f"/api/v1/rounds/{round_id}/draw-records", headers=auditor)
        assert records.status_code == 200
        [record] = records.json()
        assert record["record"]["pool"] and record["record"]["algorithm"].startswith("draw/2")
        replay = client.get(f"/api/v1/rounds/{round_id}/draw-records/replay", headers=auditor).json()
        assert [(r["matches"], r["problems"]) for r in replay] == [(True, [])]
    code, out = _replay_cli(install, round_id)
    assert code == 0 and f"enterprise: panel {record['panel_id']} MATCHES its record" in out, out
    altered = dict(record["record"])
    altered["pool"] = altered["pool"][1:]  # an expert removed from the snapshot
    with install.session() as s:
        s.execute(
            text("UPDATE draw_commitments SET record = :r WHERE id = :i"),
            {"r": json.dumps(altered), "i": cid},
        )
    code, out = _replay_cli(install, round_id)
    assert code == 1 and "does NOT match" in out and "panel_mismatch" in out and "trail_mismatch" in out
