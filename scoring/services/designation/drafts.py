"""The applicant deletes its own draft made by mistake: audited, and never once it has been submitted."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import Conflict, InvalidTransition
from scoring.core.i18n import msg
from scoring.core.lifecycle import ApplicationStatus
from scoring.services.designation.access import load_editable
from scoring.store import audit
from scoring.store.models import Attachment


def delete_draft(session: Session, *, actor: Actor, application_id: int) -> None:
    """Delete a draft of the caller's organisation (a returned application was submitted: it stays)."""
    app, _org, _rnd = load_editable(session, actor=actor, application_id=application_id, action=msg("delete"))
    if app.status != ApplicationStatus.DRAFT:
        raise InvalidTransition(
            msg("Only a draft can be deleted: this application has been submitted, its record stays."),
            code="not_a_draft",
        )
    files = session.scalar(
        select(func.count()).select_from(Attachment).where(Attachment.application_id == app.id)
    )
    if files:
        raise Conflict(
            msg("Remove the %(count)s evidence file(s) of this draft first, then delete it.", count=files),
            code="draft_has_files",
        )
    snapshot = {"round_id": app.round_id, "kind": app.kind, "organisation_id": app.organisation_id,
                "title": app.title, "status": app.status, "figures": app.figures}  # fmt: skip
    session.delete(app)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="application.delete",
        entity="application",
        entity_id=application_id,
        before=snapshot,
    )
