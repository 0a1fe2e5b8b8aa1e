"""API routes: designated bases — detail and history, yearly figures, rectification, restoration,
four-eyes revocation, and the list of what is overdue."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile

from api.edge.deps import CurrentActor, SessionDep, SettingsDep
from api.edge.params import DbId
from scoring.services.admin import files
from scoring.services.management import bases, evaluations

router = APIRouter(tags=["bases"])

Status = Literal["active", "rectifying", "revoked"]
Kind = Literal["regional", "university", "enterprise"]


@router.get("/bases")
def list_bases(
    session: SessionDep, actor: CurrentActor, status: Status | None = None, kind: Kind | None = None
) -> dict[str, Any]:
    """Staff: every base; an applicant: its own organisation's bases."""
    return {"items": bases.bases_out(bases.list_bases(session, actor=actor, status=status, kind=kind))}


@router.get("/bases/due")
def due(session: SessionDep, actor: CurrentActor) -> dict[str, Any]:
    return bases.due(session, actor=actor)


@router.get("/bases/{base_id}")
def get_base(session: SessionDep, actor: CurrentActor, base_id: DbId) -> dict[str, Any]:
    return bases.base_detail(session, actor=actor, base_id=base_id)


@router.get("/bases/{base_id}/figures")
def figures(session: SessionDep, actor: CurrentActor, base_id: DbId) -> dict[str, Any]:
    base = bases.get_base(session, actor=actor, base_id=base_id)
    return bases.year_on_year(session, base)


@router.post("/bases/{base_id}/figures")
def declare_figures(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: bases.FiguresIn
) -> dict[str, Any]:
    return bases.declare_figures(session, actor=actor, base_id=base_id, data=body)


@router.post("/bases/{base_id}/evidence", status_code=201)
def upload_evidence(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    base_id: DbId,
    figures_year: Annotated[int, Form()],
    indicator_code: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    """An evidence file for one indicator of the base's figures of a year (download and delete
    through /attachments/{id}, like an application's)."""
    att = files.save_upload(
        session,
        actor=actor,
        settings=settings,
        stream=file.file,
        original_name=file.filename or "",
        indicator_code=indicator_code,
        base_id=base_id,
        figures_year=figures_year,
    )
    return bases.evidence_out(att)


@router.post("/bases/{base_id}/evaluations", status_code=201)
def assign(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: evaluations.AssignIn
) -> dict[str, Any]:
    created = evaluations.assign(session, actor=actor, base_id=base_id, data=body)
    return {"created": [e.id for e in created]}


@router.post("/bases/{base_id}/rectification")
def rectification(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: bases.RectificationIn
) -> dict[str, Any]:
    order = bases.order_rectification(session, actor=actor, base_id=base_id, data=body)
    return bases.rectification_out(order)


@router.post("/bases/{base_id}/restore")
def restore(session: SessionDep, actor: CurrentActor, base_id: DbId, body: bases.RestoreIn) -> dict[str, Any]:
    return bases.base_out(bases.restore(session, actor=actor, base_id=base_id, data=body))


@router.post("/bases/{base_id}/revocation")
def propose_revocation(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: bases.RevocationIn
) -> dict[str, Any]:
    return bases.revocation_out(
        bases.propose_revocation(session, actor=actor, base_id=base_id, data=body), actor
    )


@router.post("/bases/{base_id}/revocation/confirm")
def confirm_revocation(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: bases.RevocationConfirmIn
) -> dict[str, Any]:
    return bases.base_out(bases.confirm_revocation(session, actor=actor, base_id=base_id, data=body))
