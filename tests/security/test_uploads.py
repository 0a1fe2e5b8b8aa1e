"""Uploads under attack: names follow the sniffed type, downloads never render as our pages, no id reuse."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.edge.downloads import DOWNLOAD_CSP, PREVIEW_CSP
from scoring.services.admin.upload_names import stored_name
from scoring.store.models import Attachment
from tests.conftest import Person, is_postgres
from tests.rounds.rounds_world import PDF, PNG, World, make_world, new_application

HTML_WITH_PDF_HEADER = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n"


@pytest.fixture
def world(session: Session, make_org: Callable[..., Any], make_person: Callable[..., Person]) -> World:
    return make_world(session, make_org, make_person)


def _upload(client: TestClient, headers: dict[str, str], app_id: int, content: bytes, name: str) -> Any:
    return client.post(
        f"/api/v1/applications/{app_id}/attachments",
        data={"indicator_code": "e1_1"},
        files={"file": (name, content, "text/html")},
        headers=headers,
    )


@pytest.mark.parametrize(
    ("given", "content_type", "kept"),
    [
        ("证明材料.pdf", "application/pdf", "证明材料.pdf"),
        ("evil.html", "application/pdf", "evil.pdf"),
        ("evil.html.pdf", "application/pdf", "evil_html.pdf"),
        ("logo.svg", "image/png", "logo.png"),
        ("photo.JPEG", "image/jpeg", "photo.jpg"),
        ("no extension", "image/png", "no extension.png"),
        (".html", "application/pdf", "file.pdf"),
        ("a;b=c<d>.pdf", "application/pdf", "a_b_c_d.pdf"),
    ],
)
def test_stored_names_are_a_safe_stem_with_the_sniffed_extension(
    given: str, content_type: str, kept: str
) -> None:
    assert stored_name(given, content_type) == kept


def test_an_html_file_with_a_pdf_header_is_stored_and_served_as_a_pdf_download(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = login(world.applicant_a)
    resp = _upload(client, headers, app.id, HTML_WITH_PDF_HEADER, "page.html")
    assert resp.status_code == 201, resp.text
    assert (resp.json()["name"], resp.json()["content_type"]) == ("page.pdf", "application/pdf")

    api = client.get(f"/api/v1/attachments/{resp.json()['id']}", headers=headers)
    assert api.status_code == 200
    assert api.headers["content-type"] == "application/pdf"
    assert api.headers["content-disposition"] == 'attachment; filename="page.pdf"'
    assert api.headers["content-security-policy"] == DOWNLOAD_CSP
    assert api.headers["cache-control"] == "no-store"
    assert api.headers["x-content-type-options"] == "nosniff"


def test_svg_and_html_are_refused_whatever_their_declared_type(
    client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = login(world.applicant_a)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    for body, name in [(svg, "x.svg"), (b"<!doctype html><script>1</script>", "x.pdf")]:
        resp = _upload(client, headers, app.id, body, name)
        assert resp.status_code == 415
        assert resp.json()["error"]["code"] == "unsupported_media_type"


def test_the_page_preview_of_a_pdf_is_inline_under_a_locked_down_csp_and_images_are_downloads(
    app: Any, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    application = new_application(session, world, world.applicant_a)
    with TestClient(app, raise_server_exceptions=False) as api:
        headers = login(world.applicant_a)
        pdf = _upload(api, headers, application.id, PDF, "a.pdf").json()["id"]
        png = _upload(api, headers, application.id, PNG, "b.png").json()["id"]
    with TestClient(app, raise_server_exceptions=False) as browser:
        token = re.search(r'name="csrf_token" value="([^"]*)"', browser.get("/login").text)
        assert token
        person = world.applicant_a
        browser.post(
            "/login",
            data={"username": person.username, "password": person.password, "csrf_token": token.group(1)},
        )
        preview = browser.get(f"/files/{pdf}")
        assert preview.status_code == 200
        assert preview.headers["content-disposition"] == 'inline; filename="a.pdf"'
        assert preview.headers["content-security-policy"] == PREVIEW_CSP
        assert preview.headers["cache-control"] == "no-store"
        image = browser.get(f"/files/{png}")
        assert image.headers["content-disposition"] == 'attachment; filename="b.png"'
        assert image.headers["content-security-policy"] == DOWNLOAD_CSP


def test_a_deleted_attachments_id_is_never_given_to_another_file(session: Session, world: World) -> None:
    app = new_application(session, world, world.applicant_a)

    def add(storage: str) -> int:
        att = Attachment(
            application_id=app.id,
            indicator_code="e1_1",
            original_name="a.pdf",
            content_type="application/pdf",
            size_bytes=1,
            sha256="0" * 64,
            storage_name=storage,
        )
        session.add(att)
        session.flush()
        return att.id

    first = add("s1")
    session.execute(text("DELETE FROM attachments WHERE id = :id"), {"id": first})
    second = add("s2")
    assert second == first + 1
    if not is_postgres(session):
        ddl = session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'attachments'")).scalar_one()
        assert "AUTOINCREMENT" in ddl


def test_a_chunked_upload_over_the_limit_gets_413_not_400(
    small_client: TestClient, session: Session, world: World, login: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = login(world.applicant_a)
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="indicator_code"\r\n\r\ne1_1\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()

    def body() -> Any:  # no Content-Length: sent chunked
        yield head + PDF
        for _ in range(20):
            yield b"0" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    resp = small_client.post(
        f"/api/v1/applications/{app.id}/attachments",
        content=body(),
        headers=headers | {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "too_large"
