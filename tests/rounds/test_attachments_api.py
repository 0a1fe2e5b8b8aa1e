"""Evidence files: type sniffing, size limits that leave nothing behind, download, delete, visibility."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from scoring.core.errors import TooLarge
from scoring.services.management.files import clean_name, save_upload, sniff
from scoring.settings import Settings
from scoring.store.models import Application, Attachment, AuditEvent
from tests.conftest import Person, _session_on, count
from tests.rounds.rounds_world import JPEG, PDF, PNG, World, give_sheet, make_world, new_application

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(session: Session, make_org: Callable[..., Any], make_person: Callable[..., Person]) -> World:
    return make_world(session, make_org, make_person)


@pytest.fixture
def auth(login: Callable[[Person], dict[str, str]]) -> Callable[[Person], dict[str, str]]:
    cache: dict[int, dict[str, str]] = {}

    def _auth(person: Person) -> dict[str, str]:
        if person.user.id not in cache:
            cache[person.user.id] = login(person) | EN
        return cache[person.user.id]

    return _auth


def _stored(settings: Settings) -> set[str]:
    directory = settings.files_dir
    return {p.name for p in directory.iterdir()} if directory.exists() else set()


def _upload(
    client: TestClient,
    headers: dict[str, str],
    app_id: int,
    content: bytes,
    *,
    name: str = "证明材料.pdf",
    code: str = "e1_1",
    content_type: str = "application/pdf",
) -> Any:
    return client.post(
        f"/api/v1/applications/{app_id}/attachments",
        data={"indicator_code": code},
        files={"file": (name, content, content_type)},
        headers=headers,
    )


def _fresh(session: Session, app_id: int) -> Application:
    session.expire_all()
    app = session.get(Application, app_id)
    assert app is not None
    return app


@pytest.mark.parametrize(
    ("content", "content_type"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_upload_is_stored_hashed_and_audited(
    client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    auth: Callable[[Person], dict[str, str]],
    content: bytes,
    content_type: str,
) -> None:
    app = new_application(session, world, world.applicant_a)
    # The client's declared type is ignored: the first bytes decide.
    resp = _upload(client, auth(world.applicant_a), app.id, content, content_type="application/octet-stream")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["indicator_code"] == "e1_1"
    # The stored name takes the sniffed type's extension, whatever the client called the file.
    assert (
        body["name"]
        == "证明材料" + {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}[content_type]
    )
    assert body["content_type"] == content_type
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    row = session.get(Attachment, body["id"])
    assert row is not None
    assert (settings.files_dir / row.storage_name).read_bytes() == content
    assert _fresh(session, app.id).files_bytes == len(content)
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "attachment.upload", AuditEvent.entity_id == str(row.id)
        )
    ).one()
    assert event.after["sha256"] == body["sha256"]
    detail = client.get(f"/api/v1/applications/{app.id}", headers=auth(world.applicant_a)).json()
    assert [a["id"] for a in detail["attachments"]] == [body["id"]]


@pytest.mark.parametrize(
    "content",
    [
        b"just some text pretending to be a PDF",
        b"GIF89a" + b"\x00" * 20,
        b"PK\x03\x04" + b"\x00" * 20,
        b"MZ\x90\x00" + b"\x00" * 20,
        b"%PD",
    ],
)
def test_files_that_are_not_pdf_png_or_jpeg_are_415_and_leave_nothing(
    client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    auth: Callable[[Person], dict[str, str]],
    content: bytes,
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = auth(world.applicant_a)
    files_before, rows_before = _stored(settings), count(session, "attachments")
    resp = _upload(client, headers, app.id, content, name="evidence.pdf")
    assert resp.status_code == 415
    assert resp.json()["error"] == {
        "code": "unsupported_media_type",
        "message": "Only PDF, PNG and JPEG files are accepted.",
        "fields": {},
    }
    assert _stored(settings) == files_before
    assert count(session, "attachments") == rows_before
    assert _fresh(session, app.id).files_bytes == 0


@pytest.mark.parametrize(
    ("data", "files", "fields"),
    [
        (
            {"indicator_code": "zz_1"},
            {"file": ("a.pdf", PDF, "application/pdf")},
            {"indicator_code": "is not an indicator of this rubric"},
        ),
        ({}, {"file": ("a.pdf", PDF, "application/pdf")}, {"indicator_code": "is required"}),
        ({"indicator_code": "e1_1"}, {"other": ("a.pdf", PDF, "application/pdf")}, {"file": "is required"}),
        ({"indicator_code": "e1_1"}, {"file": ("a.pdf", b"", "application/pdf")}, {"file": "is empty"}),
    ],
)
def test_bad_upload_fields_are_named(
    client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    auth: Callable[[Person], dict[str, str]],
    data: dict[str, str],
    files: dict[str, Any],
    fields: dict[str, str],
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = auth(world.applicant_a)
    files_before = _stored(settings)
    resp = client.post(f"/api/v1/applications/{app.id}/attachments", data=data, files=files, headers=headers)
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"]["fields"] == fields
    assert _stored(settings) == files_before
    assert count(session, "attachments") == 0


def test_a_file_over_the_limit_is_413_and_leaves_nothing(
    small_client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    auth: Callable[[Person], dict[str, str]],
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = auth(world.applicant_a)
    files_before = _stored(settings)
    resp = _upload(small_client, headers, app.id, PDF + b"\x00" * 2000)
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "too_large"
    assert resp.json()["error"]["message"] == "The file is larger than the limit of 1000 B."
    assert _stored(settings) == files_before
    assert count(session, "attachments") == 0
    assert _fresh(session, app.id).files_bytes == 0


def test_an_applications_files_have_a_total_limit(
    small_client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    auth: Callable[[Person], dict[str, str]],
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = auth(world.applicant_a)
    part = PDF + b"\x00" * (800 - len(PDF))
    assert _upload(small_client, headers, app.id, part).status_code == 201
    files_before = _stored(settings)
    resp = _upload(small_client, headers, app.id, part, code="e1_2")
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "application_files_too_large"
    assert resp.json()["error"]["message"] == (
        "The files of one application may total at most 1.5 KB; 800 B are used already."
    )
    assert _stored(settings) == files_before
    assert count(session, "attachments") == 1
    assert _fresh(session, app.id).files_bytes == 800


def test_download_sends_the_file_with_its_name_and_type(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    att = _upload(client, auth(world.applicant_a), app.id, PNG, name="平台证书.png").json()
    resp = client.get(f"/api/v1/attachments/{att['id']}", headers=auth(world.applicant_a))
    assert resp.status_code == 200
    assert resp.content == PNG
    assert resp.headers["content-type"] == "image/png"
    assert resp.headers["x-content-type-options"] == "nosniff"
    disposition = resp.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E5%B9%B3%E5%8F%B0%E8%AF%81%E4%B9%A6.png" in disposition


def test_who_may_download_an_evidence_file(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    app = new_application(session, world, world.applicant_a)
    att_id = _upload(client, auth(world.applicant_a), app.id, PDF).json()["id"]

    def status(person: Person | None) -> int:
        return client.get(f"/api/v1/attachments/{att_id}", headers=auth(person) if person else {}).status_code

    assert status(world.applicant_a) == 200
    assert status(world.staff) == 200
    assert status(world.applicant_b) == 404
    assert status(world.county_a) == 404  # still a draft
    assert status(world.expert) == 404
    assert status(world.evaluator) == 404
    assert status(None) == 401
    app.status = "submitted"
    session.flush()
    assert status(world.county_a) == 200
    assert status(world.county_b) == 404
    sheet = give_sheet(session, world, app, declared=False)
    assert status(world.expert) == 404
    sheet.declared_at = sheet.created_at
    sheet.status = "draft"
    session.flush()
    assert status(world.expert) == 200
    assert client.get("/api/v1/attachments/999999", headers=auth(world.staff)).status_code == 404


def test_other_applicants_cannot_upload_to_or_delete_from_an_application(
    client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    auth: Callable[[Person], dict[str, str]],
) -> None:
    app = new_application(session, world, world.applicant_a)
    att_id = _upload(client, auth(world.applicant_a), app.id, PDF).json()["id"]
    files_before = _stored(settings)
    assert _upload(client, auth(world.applicant_b), app.id, PDF).status_code == 404
    assert client.delete(f"/api/v1/attachments/{att_id}", headers=auth(world.applicant_b)).status_code == 404
    assert client.delete(f"/api/v1/attachments/{att_id}", headers=auth(world.staff)).status_code == 403
    assert _upload(client, auth(world.county_a), app.id, PDF).status_code == 403
    assert _stored(settings) == files_before
    assert count(session, "attachments") == 1


def test_applicant_deletes_an_evidence_file_of_its_draft(
    client: TestClient,
    session: Session,
    settings: Settings,
    world: World,
    auth: Callable[[Person], dict[str, str]],
) -> None:
    app = new_application(session, world, world.applicant_a)
    headers = auth(world.applicant_a)
    keep = _upload(client, headers, app.id, JPEG).json()
    gone = _upload(client, headers, app.id, PDF, code="e1_2").json()
    stored = session.get(Attachment, gone["id"])
    assert stored is not None
    path = settings.files_dir / stored.storage_name
    assert path.exists()
    resp = client.delete(f"/api/v1/attachments/{gone['id']}", headers=headers)
    assert resp.status_code == 204
    session.expire_all()
    assert session.get(Attachment, gone["id"]) is None
    assert not path.exists()
    assert _fresh(session, app.id).files_bytes == len(JPEG)
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "attachment.delete", AuditEvent.entity_id == str(gone["id"])
        )
    ).one()
    assert event.before["sha256"] == gone["sha256"]
    assert client.get(f"/api/v1/attachments/{keep['id']}", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/attachments/{gone['id']}", headers=headers).status_code == 404


def test_files_are_locked_once_submitted_or_after_the_deadline(
    client: TestClient, session: Session, world: World, auth: Callable[[Person], dict[str, str]]
) -> None:
    from datetime import UTC, datetime

    app = new_application(session, world, world.applicant_a)
    headers = auth(world.applicant_a)
    att_id = _upload(client, headers, app.id, PDF).json()["id"]
    app.status = "submitted"
    session.flush()
    resp = _upload(client, headers, app.id, PDF)
    assert resp.status_code == 409
    assert resp.json()["error"]["message"] == "Cannot upload evidence: the record is in state “submitted”."
    resp = client.delete(f"/api/v1/attachments/{att_id}", headers=headers)
    assert resp.status_code == 409
    assert resp.json()["error"]["message"] == "Cannot delete evidence: the record is in state “submitted”."
    app.status = "draft"
    world.round.application_deadline = datetime(2025, 5, 31, 9, 0, tzinfo=UTC)
    session.flush()
    assert _upload(client, headers, app.id, PDF).json()["error"]["code"] == "deadline_passed"
    assert count(session, "attachments") == 1


# ---- the service, below the API ------------------------------------------------------------------


class _BreaksAfterOneChunk(io.RawIOBase):
    """A client that disconnects half-way through its upload."""

    def __init__(self) -> None:
        self.calls = 0

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls == 1:
            return PDF + b"\x00" * 100
        raise ConnectionResetError("client went away")


def test_a_broken_upload_leaves_no_temporary_file(
    session: Session, settings: Settings, world: World, tmp_path: Path
) -> None:
    app = new_application(session, world, world.applicant_a)
    own = settings.model_copy(update={"data_dir": tmp_path})
    with pytest.raises(ConnectionResetError):
        save_upload(
            session,
            actor=world.applicant_a.actor,
            settings=own,
            stream=_BreaksAfterOneChunk(),  # type: ignore[arg-type]
            original_name="a.pdf",
            indicator_code="e1_1",
            application_id=app.id,
        )
    assert list(tmp_path.iterdir()) == []
    assert app.files_bytes == 0


def test_an_oversized_stream_stops_at_the_first_chunk_over_the_limit(
    session: Session, settings: Settings, world: World, tmp_path: Path
) -> None:
    app = new_application(session, world, world.applicant_a)
    own = settings.model_copy(update={"data_dir": tmp_path, "max_file_bytes": 100_000})

    class Endless(io.RawIOBase):
        reads = 0

        def read(self, size: int = -1) -> bytes:
            Endless.reads += 1
            return (PDF if Endless.reads == 1 else b"") + b"\x00" * (
                size - (len(PDF) if Endless.reads == 1 else 0)
            )

    with pytest.raises(TooLarge):
        save_upload(
            session,
            actor=world.applicant_a.actor,
            settings=own,
            stream=Endless(),  # type: ignore[arg-type]
            original_name="a.pdf",
            indicator_code="e1_1",
            application_id=app.id,
        )
    assert Endless.reads == 2  # 64 KiB, then 128 KiB > 100 000: stop
    assert list(tmp_path.iterdir()) == []


def test_a_rolled_back_upload_removes_its_stored_file(
    connection: Connection, session: Session, settings: Settings, world: World, tmp_path: Path
) -> None:
    app = new_application(session, world, world.applicant_a)
    own = settings.model_copy(update={"data_dir": tmp_path})
    request_session = _session_on(connection)
    save_upload(
        request_session,
        actor=world.applicant_a.actor,
        settings=own,
        stream=io.BytesIO(PDF),
        original_name="a.pdf",
        indicator_code="e1_1",
        application_id=app.id,
    )
    assert len(list(tmp_path.iterdir())) == 1
    request_session.rollback()  # e.g. the commit failed
    request_session.close()
    assert list(tmp_path.iterdir()) == []


def test_a_committed_upload_keeps_its_file(
    connection: Connection, session: Session, settings: Settings, world: World, tmp_path: Path
) -> None:
    app = new_application(session, world, world.applicant_a)
    own = settings.model_copy(update={"data_dir": tmp_path})
    request_session = _session_on(connection)
    save_upload(
        request_session,
        actor=world.applicant_a.actor,
        settings=own,
        stream=io.BytesIO(PDF),
        original_name="a.pdf",
        indicator_code="e1_1",
        application_id=app.id,
    )
    request_session.commit()
    request_session.rollback()  # a later, unrelated rollback must not touch it
    request_session.close()
    assert len(list(tmp_path.iterdir())) == 1


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("证明.pdf", "证明.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\张三\\证明.pdf", "证明.pdf"),
        ("a\x00b\x1fc.pdf", "a_b_c.pdf"),
        ('bad:"name"?.png', "bad__name__.png"),
        ("", "file"),
        ("...", "file"),
        ("长" * 300 + ".pdf", "长" * 251 + ".pdf"),
    ],
)
def test_uploaded_names_are_made_safe(given: str, kept: str) -> None:
    assert clean_name(given) == kept


@pytest.mark.parametrize(
    ("head", "kind"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (b"GIF89a", None), (b"", None)],
)
def test_types_are_recognised_by_their_first_bytes(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind


def test_an_upload_closed_without_commit_removes_its_stored_file(
    connection: Connection, session: Session, settings: Settings, world: World, tmp_path: Path
) -> None:
    app = new_application(session, world, world.applicant_a)
    own = settings.model_copy(update={"data_dir": tmp_path})
    request_session = _session_on(connection)
    save_upload(
        request_session,
        actor=world.applicant_a.actor,
        settings=own,
        stream=io.BytesIO(PDF),
        original_name="a.pdf",
        indicator_code="e1_1",
        application_id=app.id,
    )
    request_session.close()
    assert list(tmp_path.iterdir()) == []


def test_a_rolled_back_deletion_keeps_the_file(
    connection: Connection, session: Session, settings: Settings, world: World, tmp_path: Path
) -> None:
    from scoring.services.management.files import delete_attachment

    app = new_application(session, world, world.applicant_a)
    own = settings.model_copy(update={"data_dir": tmp_path})
    att = save_upload(
        session,
        actor=world.applicant_a.actor,
        settings=own,
        stream=io.BytesIO(PDF),
        original_name="a.pdf",
        indicator_code="e1_1",
        application_id=app.id,
    )
    session.flush()
    request_session = _session_on(connection)
    delete_attachment(request_session, actor=world.applicant_a.actor, settings=own, attachment_id=att.id)
    request_session.rollback()
    request_session.close()
    assert [p.name for p in tmp_path.iterdir()] == [att.storage_name]
