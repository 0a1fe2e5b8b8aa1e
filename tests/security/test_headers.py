"""Security headers on pages, API responses and errors; no-store when authenticated; vendored API docs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.edge.headers import CSP
from scoring.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _assert_common(resp: Any) -> None:
    assert resp.headers["content-security-policy"] == CSP
    assert "frame-ancestors 'none'" in CSP and "script-src 'self';" in CSP
    assert resp.headers["x-frame-options"] == "DENY"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in resp.headers["permissions-policy"]


def test_pages_api_and_errors_carry_the_headers(client: TestClient) -> None:
    for path, status in [("/", 200), ("/login", 200), ("/healthz", 200), ("/api/v1/me", 401), ("/nope", 404)]:
        resp = client.get(path)
        assert resp.status_code == status, path
        _assert_common(resp)
        assert "strict-transport-security" not in resp.headers


def test_a_too_large_body_is_answered_with_the_headers_too(client: TestClient) -> None:
    resp = client.post(
        "/api/v1/auth/token", content=b"x" * 2_000_000, headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 413
    _assert_common(resp)


def test_authenticated_responses_are_not_stored(client: TestClient, make_person: Any, login: Any) -> None:
    headers = login(make_person("staff"))
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/healthz").headers  # anonymous and public: cacheable
    client.cookies.set("sc_session", "whatever")
    assert client.get("/").headers["cache-control"] == "no-store"
    client.cookies.clear()


def test_under_cookie_secure_hsts_is_sent_and_every_cookie_is_secure(
    settings: Settings, engine: Any, connection: Any
) -> None:
    secure = create_app(settings.model_copy(update={"cookie_secure": True}), engine=engine)
    with TestClient(secure, base_url="https://testserver") as c:
        login_page = c.get("/login")
        assert login_page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        cookies = login_page.headers.get_list("set-cookie")
        assert cookies and all("; Secure" in cookie for cookie in cookies), cookies
        assert login_page.headers["cache-control"] == "no-store"  # it sets the pre-login CSRF cookie
        lang = c.get("/lang/en", follow_redirects=False)
        assert "; Secure" in lang.headers["set-cookie"]


def test_api_docs_load_only_vendored_assets(client: TestClient) -> None:
    for path, asset in [
        ("/api/v1/docs", "/static/vendor/swagger-ui/swagger-ui-bundle.js"),
        ("/api/v1/redoc", "/static/vendor/redoc/redoc.standalone.js"),
    ]:
        page = client.get(path)
        assert page.status_code == 200
        sources = [s for s in re.findall(r'(?:src|href)="([^"]+)"', page.text) if s != "data:,"]
        assert asset in sources
        assert all(s.startswith("/static/") for s in sources), sources
        assert "<script>" not in page.text
        for s in sources:
            assert client.get(s).status_code == 200, s
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_no_template_has_an_inline_script_or_handler() -> None:
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+=|javascript:"
    )
    offenders = [
        f"{path.relative_to(ROOT)}: {m.group(0)}"
        for path in sorted((ROOT / "web" / "templates").rglob("*.html"))
        for m in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
