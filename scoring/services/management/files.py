"""Uploaded files of applications and of bases' yearly figures: type sniffing, limits, storage, visibility.

It lives in the management phase because seeing a file needs both an application's and a base's visibility
(a later phase may import an earlier one, never the reverse).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, SessionTransaction

from scoring.core.actors import Actor
from scoring.core.errors import NotFound, TooLarge, UnsupportedMediaType, invalid
from scoring.core.i18n import msg
from scoring.core.permissions import can_see_base
from scoring.core.permissions.admin import can_read_evaluation_evidence, can_see_any_base_evidence
from scoring.services.admin.upload_names import clean_name, stored_name
from scoring.services.designation.applications import load_editable, load_visible
from scoring.services.designation.rounds import round_rubric
from scoring.services.management.bases import evidence_base, performance_rubric
from scoring.settings import Settings
from scoring.store import audit
from scoring.store.models import Application, Attachment, DesignatedBase, Evaluation, Expert

CHUNK = 64 * 1024
# Recognised by their first bytes, never by the name or the client's Content-Type.
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
_SNIFF_BYTES = max(len(magic) for magic, _, _ in _MAGIC)


def sniff(head: bytes) -> str | None:
    for magic, content_type, _ in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def _human(n: int) -> str:
    """A size as people read it; units are the same in both languages (20 MB, 300 KB, 512 B)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} B"


def _file_too_large(limit: int) -> TooLarge:
    return TooLarge(msg("The file is larger than the limit of %(limit)s.", limit=_human(limit)))


def _application_too_large(limit: int, used: int) -> TooLarge:
    return TooLarge(
        msg(
            "The files of one application may total at most %(limit)s; %(used)s are used already.",
            limit=_human(limit),
            used=_human(used),
        ),
        code="application_files_too_large",
    )


def _base_year_too_large(limit: int, used: int) -> TooLarge:
    return TooLarge(
        msg(
            "The evidence for one year's figures may total at most %(limit)s; %(used)s are used already.",
            limit=_human(limit),
            used=_human(used),
        ),
        code="base_files_too_large",
    )


def base_year_bytes(session: Session, base_id: int, year: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(Attachment.size_bytes), 0)).where(
                Attachment.base_id == base_id, Attachment.figures_year == year
            )
        )
        or 0
    )


def _stream_to_temp(
    stream: BinaryIO, directory: Path, *, file_limit: int, room: int | None, room_error: TooLarge | None
) -> tuple[Path, int, str, str]:
    """Copy the stream to a temp file in `directory`: (path, size, sha256, content type).

    Stops at the first chunk that breaks a limit or when the first bytes show a type we refuse;
    the temp file is removed on every failure, so a half-upload leaves nothing behind.
    """
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".upload-", dir=directory)
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    size = 0
    head = b""
    content_type: str | None = None
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > file_limit:
                    raise _file_too_large(file_limit)
                if room is not None and size > room:
                    assert room_error is not None
                    raise room_error
                if content_type is None:
                    head += chunk[: _SNIFF_BYTES - len(head)]
                    if len(head) >= _SNIFF_BYTES:
                        content_type = _require_type(head)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise invalid("file", msg("is empty"))
        if content_type is None:
            content_type = _require_type(head)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, size, digest.hexdigest(), content_type


def _require_type(head: bytes) -> str:
    content_type = sniff(head)
    if content_type is None:
        raise UnsupportedMediaType(msg("Only PDF, PNG and JPEG files are accepted."))
    return content_type


def save_upload(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    stream: BinaryIO,
    original_name: str,
    indicator_code: str,
    application_id: int | None = None,
    base_id: int | None = None,
    figures_year: int | None = None,
) -> Attachment:
    """Store one evidence file for an indicator of an application (its applicant, while editable) or
    of a designated base's figures for a year (the base or staff, unless the title is revoked)."""
    if (application_id is None) == (base_id is None) or (base_id is None) != (figures_year is None):
        raise ValueError("either application_id, or base_id with figures_year")
    app: Application | None = None
    if application_id is not None:
        app, _org, rnd = load_editable(
            session, actor=actor, application_id=application_id, action=msg("upload evidence")
        )
        rubric = round_rubric(session, rnd, app.kind)
        used, limit = app.files_bytes, settings.max_application_bytes
        room_error = _application_too_large(limit, used)
    else:
        assert base_id is not None and figures_year is not None
        base = evidence_base(session, actor=actor, base_id=base_id, year=figures_year)
        rubric = performance_rubric(session, base.kind)
        used, limit = base_year_bytes(session, base_id, figures_year), settings.max_application_bytes
        room_error = _base_year_too_large(limit, used)
    if indicator_code not in {ind.code for ind in rubric.indicators()}:
        raise invalid("indicator_code", msg("is not an indicator of this rubric"))
    room = limit - used
    name = clean_name(original_name)
    directory = settings.files_dir
    tmp, size, sha256, content_type = _stream_to_temp(
        stream, directory, file_limit=settings.max_file_bytes, room=room, room_error=room_error
    )
    name = stored_name(name, content_type)
    storage_name = uuid.uuid4().hex
    final = directory / storage_name
    try:
        # The application's or the base's row is locked, so this total cannot race a parallel upload.
        if used + size > limit:
            raise room_error
        if app is not None:
            app.files_bytes += size
        os.replace(tmp, final)
        att = Attachment(
            application_id=application_id,
            base_id=base_id,
            figures_year=figures_year,
            indicator_code=indicator_code,
            original_name=name,
            content_type=content_type,
            size_bytes=size,
            sha256=sha256,
            storage_name=storage_name,
            uploaded_by_id=actor.user_id,
        )
        session.add(att)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="attachment.upload",
            entity="attachment",
            entity_id=att.id,
            after={
                "application_id": application_id,
                "base_id": base_id,
                "figures_year": figures_year,
                "indicator_code": indicator_code,
                "name": name,
                "content_type": content_type,
                "size": size,
                "sha256": sha256,
            },
        )
    except BaseException:
        tmp.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise
    session.info.setdefault(_WRITTEN, []).append(final)
    return att


# Files follow the transaction: a stored file is removed if the request rolls back after all, and a
# deleted attachment's file only goes once the deletion is committed.
_WRITTEN = "files.written"
_DELETED = "files.deleted"


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_DELETED, ()):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # Runs after after_commit; anything still listed here was rolled back or closed uncommitted.
    if transaction.parent is not None:
        return
    session.info.pop(_DELETED, None)
    for path in session.info.pop(_WRITTEN, ()):
        path.unlink(missing_ok=True)


def _visible_attachment(session: Session, actor: Actor, att: Attachment) -> bool:
    if att.application_id is not None:
        try:
            load_visible(session, actor=actor, application_id=att.application_id)
        except NotFound:
            return False
        return True
    if can_see_any_base_evidence(actor):
        return True
    base = session.get(DesignatedBase, att.base_id)
    if base is None:
        return False
    if can_see_base(actor, organisation_id=base.organisation_id):
        return True
    declared = session.scalars(
        select(Expert.user_id)
        .join(Evaluation, Expert.id == Evaluation.evaluator_id)
        .where(
            Evaluation.base_id == base.id,
            Evaluation.year == att.figures_year,
            Evaluation.declared_at.is_not(None),
            Expert.user_id == actor.user_id,
        )
        .limit(1)
    )
    return can_read_evaluation_evidence(
        actor, declared_evaluator_user_ids=frozenset(uid for uid in declared if uid is not None)
    )


def open_attachment(
    session: Session, *, actor: Actor, attachment_id: int, settings: Settings | None = None
) -> tuple[Attachment, Path]:
    """The attachment and the path of its stored file, for whoever may see its application."""
    att = session.get(Attachment, attachment_id)
    if att is None or not _visible_attachment(session, actor, att):
        raise NotFound()
    directory = (settings or _default_settings()).files_dir
    path = directory / att.storage_name
    if not path.is_file():
        raise NotFound(msg("The stored file is missing. Ask the city DRC to check the file store."))
    return att, path


def _default_settings() -> Settings:
    from scoring.settings import get_settings

    return get_settings()


def delete_attachment(session: Session, *, actor: Actor, settings: Settings, attachment_id: int) -> None:
    """The applicant removes an evidence file of its own application while it is still editable; a
    base (or staff) one of its figures' evidence until an evaluation of that year has read it."""
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound()
    app: Application | None = None
    if att.application_id is not None:
        app, _org, _rnd = load_editable(
            session, actor=actor, application_id=att.application_id, action=msg("delete evidence")
        )
    else:
        assert att.base_id is not None and att.figures_year is not None
        evidence_base(session, actor=actor, base_id=att.base_id, year=att.figures_year, deleting=True)
    snapshot = {
        "application_id": att.application_id,
        "base_id": att.base_id,
        "figures_year": att.figures_year,
        "indicator_code": att.indicator_code,
        "name": att.original_name,
        "size": att.size_bytes,
        "sha256": att.sha256,
    }
    if app is not None:
        app.files_bytes -= att.size_bytes
    session.delete(att)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="attachment.delete",
        entity="attachment",
        entity_id=attachment_id,
        before=snapshot,
    )
    session.info.setdefault(_DELETED, []).append(settings.files_dir / att.storage_name)
