"""A method a path does not serve is 405 with an Allow header naming every method it does serve;
HEAD is answered wherever GET is (RFC 9110), with GET's status and headers and no body."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_405_names_every_method_of_the_path(client: TestClient) -> None:
    put = client.put("/api/v1/attachments/1")
    assert put.status_code == 405
    assert put.headers["allow"] == "GET, HEAD, DELETE"
    assert put.json()["error"]["code"] == "method_not_allowed"


def test_405_on_a_page_and_on_the_health_probe(client: TestClient) -> None:
    assert client.delete("/healthz").headers["allow"] == "GET, HEAD"
    login = client.put("/login")
    assert login.status_code == 405
    assert login.headers["allow"] == "GET, HEAD, POST"


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    for path in ("/healthz", "/login", "/", "/api/v1/openapi.json", "/api/v1/public/bases", "/public/bases"):
        get, head = client.get(path), client.head(path)
        assert (head.status_code, get.status_code) == (200, 200), path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        assert head.headers["content-security-policy"] == get.headers["content-security-policy"], path
    length = client.get("/healthz").headers["content-length"]
    assert client.head("/healthz").headers["content-length"] == length


def test_head_keeps_the_get_status_and_authorization(
    client: TestClient, make_person: Any, login: Any
) -> None:
    assert client.head("/api/v1/me").status_code == 401
    assert client.head("/api/v1/rounds/999999", headers=login(make_person("staff"))).status_code == 404
    assert client.head("/no-such-page").status_code == 404
    staff_page = client.head("/staff", follow_redirects=False)
    assert (staff_page.status_code, staff_page.headers["location"].startswith("/login")) == (303, True)
    assert staff_page.content == b""


def test_head_on_a_path_without_get_is_405(client: TestClient) -> None:
    head = client.head("/api/v1/auth/token")
    assert (head.status_code, head.headers["allow"], head.content) == (405, "POST", b"")


def test_the_route_table_behind_the_allow_header_is_every_route_fastapi_serves(app: Any) -> None:
    """api.edge.methods reads the routers it was given by `include`: a router included any other way
    would be missing from every Allow header, so the table must equal what FastAPI itself routes."""
    from fastapi.routing import iter_route_contexts

    from api.edge.methods import route_table

    served = {
        (route.path, method)
        for route in iter_route_contexts(app.routes)
        for method in (getattr(route, "methods", None) or ())
    }
    table = {(path, method) for path, methods in route_table(app) for method in methods}
    assert served
    assert table == served
