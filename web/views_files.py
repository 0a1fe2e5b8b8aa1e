"""Evidence upload and removal from the plain (no-script) forms of the applicant's pages."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from scoring.core.errors import invalid
from scoring.core.i18n import msg
from scoring.services.management import files
from scoring.settings import Settings
from web.deps import UserPage
from web.forms import attempt


def store_evidence(
    session: Session, page: UserPage, settings: Settings, form: FormData, *, indicator_code: str, **owner: Any
) -> None:
    """Save the form's file for `owner` (application_id, or base_id with figures_year) in a
    savepoint; a refusal (no file, wrong type, too large) leaves nothing behind."""
    actor = page.actor
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise invalid("file", msg("choose a file to upload"))
    attempt(
        session,
        lambda: files.save_upload(
            session,
            actor=actor,
            settings=settings,
            stream=upload.file,
            original_name=upload.filename or "file",
            indicator_code=indicator_code,
            **owner,
        ),
    )


def remove_evidence(session: Session, page: UserPage, settings: Settings, attachment_id: int) -> None:
    actor = page.actor
    attempt(
        session,
        lambda: files.delete_attachment(session, actor=actor, settings=settings, attachment_id=attachment_id),
    )
