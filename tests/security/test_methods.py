"""A method a path does not serve is 405 with an Allow header naming every method it does serve."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_405_names_every_method_of_the_path(client: TestClient) -> None:
    put = client.put("/api/v1/attachments/1")
    assert put.status_code == 405
    assert put.headers["allow"] == "GET, DELETE"
    assert put.json()["error"]["code"] == "method_not_allowed"


def test_405_on_a_page_and_on_the_health_probe(client: TestClient) -> None:
    assert client.delete("/healthz").headers["allow"] == "GET"
    login = client.put("/login")
    assert login.status_code == 405
    assert login.headers["allow"] == "GET, POST"


def test_head_is_not_served_and_says_so(client: TestClient) -> None:
    head = client.head("/healthz")
    assert (head.status_code, head.headers["allow"]) == (405, "GET")
