"""API routes: designated bases — detail and history, yearly figures, rectification, restoration,
four-eyes revocation, and the list of what is overdue."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, UploadFile

from api.edge.deps import CurrentActor, SessionDep, SettingsDep
from api.edge.params import DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.lifecycle import BaseStatus
from scoring.core.vocabulary import BaseKind
from scoring.services.management import bases, evaluations, files
from scoring.services.management.schemas import (
    Assigned,
    AssignIn,
    BaseDetail,
    BaseList,
    BaseOut,
    Due,
    EvidenceOut,
    FigureCorrectionIn,
    FigureCorrectionOut,
    FiguresByYear,
    FiguresDeclared,
    FiguresIn,
    RectificationIn,
    RectificationOut,
    RestoreIn,
    RevocationConfirmIn,
    RevocationIn,
    StaffRevocationOut,
)

router = lazy_router(tags=["bases"])

READ = errors(*AUTH, 404)
ACT = errors(*AUTH, 404, 409)


@router.get("/bases", response_model=BaseList, responses=READ)
def list_bases(
    session: SessionDep, actor: CurrentActor, status: BaseStatus | None = None, kind: BaseKind | None = None
) -> BaseList:
    """Staff: every base; an applicant: its own organisation's bases."""
    return BaseList(items=bases.list_bases(session, actor=actor, status=status, kind=kind))


@router.get("/bases/due", response_model=Due, responses=errors(401, 404))
def due(session: SessionDep, actor: CurrentActor) -> Due:
    return bases.due(session, actor=actor)


@router.get("/bases/{base_id}", response_model=BaseDetail, responses=READ)
def get_base(session: SessionDep, actor: CurrentActor, base_id: DbId) -> BaseDetail:
    return bases.base_detail(session, actor=actor, base_id=base_id)


@router.get("/bases/{base_id}/figures", response_model=FiguresByYear, responses=READ)
def figures(session: SessionDep, actor: CurrentActor, base_id: DbId) -> FiguresByYear:
    base = bases.get_base(session, actor=actor, base_id=base_id)
    return bases.year_on_year(session, base)


@router.post("/bases/{base_id}/figures", response_model=FiguresDeclared, responses=ACT)
def declare_figures(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: FiguresIn
) -> FiguresDeclared:
    return bases.declare_figures(session, actor=actor, base_id=base_id, data=body)


@router.post(
    "/bases/{base_id}/figure-corrections", status_code=201, response_model=FigureCorrectionOut, responses=ACT
)
def correct_figures(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: FigureCorrectionIn
) -> FigureCorrectionOut:
    """A correction of a year's figures that a submitted evaluation has read: a new dated declaration
    beside them (the evaluation keeps the figures it read); a year not yet evaluated is 409."""
    return bases.correct_figures(session, actor=actor, base_id=base_id, data=body)


@router.post(
    "/bases/{base_id}/evidence",
    status_code=201,
    response_model=EvidenceOut,
    responses=errors(*AUTH, 404, 409, 413, 415),
)
def upload_evidence(
    session: SessionDep,
    settings: SettingsDep,
    actor: CurrentActor,
    base_id: DbId,
    figures_year: Annotated[int, Form()],
    indicator_code: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File()],
) -> EvidenceOut:
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


@router.post("/bases/{base_id}/evaluations", status_code=201, response_model=Assigned, responses=ACT)
def assign(session: SessionDep, actor: CurrentActor, base_id: DbId, body: AssignIn) -> Assigned:
    created = evaluations.assign(session, actor=actor, base_id=base_id, data=body)
    return Assigned(created=[e.id for e in created])


@router.post("/bases/{base_id}/rectification", response_model=RectificationOut, responses=ACT)
def rectification(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: RectificationIn
) -> RectificationOut:
    return bases.order_rectification(session, actor=actor, base_id=base_id, data=body)


@router.post("/bases/{base_id}/restore", response_model=BaseOut, responses=ACT)
def restore(session: SessionDep, actor: CurrentActor, base_id: DbId, body: RestoreIn) -> BaseOut:
    return bases.restore(session, actor=actor, base_id=base_id, data=body)


@router.post("/bases/{base_id}/revocation", response_model=StaffRevocationOut, responses=ACT)
def propose_revocation(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: RevocationIn
) -> StaffRevocationOut:
    return bases.propose_revocation(session, actor=actor, base_id=base_id, data=body)


@router.post("/bases/{base_id}/revocation/confirm", response_model=BaseOut, responses=ACT)
def confirm_revocation(
    session: SessionDep, actor: CurrentActor, base_id: DbId, body: RevocationConfirmIn
) -> BaseOut:
    """A second staff member confirms (409 `four_eyes` for the one who proposed)."""
    return bases.confirm_revocation(session, actor=actor, base_id=base_id, data=body)
