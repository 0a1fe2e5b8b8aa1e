"""The ranking API pages by default: 250 rows, the total and the quota line, a cursor to the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.ranking.conftest import World


def test_the_ranking_returns_250_rows_by_default_with_the_total_and_a_cursor(
    make_world: Callable[..., World],
    client: TestClient,
    make_person: Callable[..., Any],
    login: Callable[..., dict[str, str]],
) -> None:
    staff = login(make_person("staff"))
    w = make_world()
    top = [w.application(["90", "90", "90"]).id, w.application(["80", "80", "80"]).id]
    for _ in range(249):
        w.application([])  # not scoreable: ranked after every scored application
    url = f"/api/v1/rounds/{w.round.id}/ranking?kind=enterprise"
    first = client.get(url, headers=staff).json()
    assert len(first["rows"]) == 250
    assert first["count"] == 251
    assert first["next_cursor"] == "250"
    assert first["proposed"] == top
    assert (first["quota"], first["tie_rank"], first["seats_left_for_tie"]) == (2, None, 0)
    assert [r["application_id"] for r in first["rows"][:2]] == top
    rest = client.get(url + "&cursor=250", headers=staff).json()
    assert len(rest["rows"]) == 1
    assert rest["next_cursor"] is None
    seen = {r["application_id"] for r in first["rows"]} | {r["application_id"] for r in rest["rows"]}
    assert len(seen) == 251
    whole = client.get(url + "&limit=50000", headers=staff).json()
    assert [r["application_id"] for r in whole["rows"]] == [
        r["application_id"] for r in first["rows"] + rest["rows"]
    ]
