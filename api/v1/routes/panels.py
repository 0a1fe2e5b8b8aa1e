"""API routes: a round's panels and strata setting, and extending a panel (draws: see integrity.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.edge.deps import SessionDep, require_roles
from api.edge.params import DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.actors import Actor, Role
from scoring.services.designation import rounds
from scoring.services.review import draw_record, panels
from scoring.services.review.schemas import ExtendedPanelOut, NewSheet, PanelOut

router = lazy_router(tags=["panels"])

# Only staff know panels exist; everyone else gets 404.
HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]


# Panels are drawn only through the committed flow (/rounds/{id}/draw-commitments, contribution,
# reveal): no edge takes a seed, so no one can choose it.


@router.get("/rounds/{round_id}/strata", response_model=draw_record.StrataOut, responses=errors(*AUTH, 404))
def get_strata(session: SessionDep, actor: HiddenStaff, round_id: DbId) -> draw_record.StrataOut:
    """Per kind, how many experts of which fields a panel needs (used by the committed draw)."""
    return draw_record.strata_out(rounds.get_round(session, actor=actor, round_id=round_id))


@router.put(
    "/rounds/{round_id}/strata/{kind}",
    response_model=draw_record.StrataOut,
    responses=errors(*AUTH, 404, 409),
)
def set_strata(
    session: SessionDep, actor: HiddenStaff, round_id: DbId, kind: str, body: draw_record.StrataIn
) -> draw_record.StrataOut:
    rnd = draw_record.set_strata(session, actor=actor, round_id=round_id, kind=kind, data=body)
    return draw_record.strata_out(rnd)


@router.get("/rounds/{round_id}/panels", response_model=list[PanelOut], responses=errors(*AUTH, 404))
def list_panels(session: SessionDep, actor: HiddenStaff, round_id: DbId) -> list[PanelOut]:
    return [panels.panel_out(v) for v in panels.list_panels(session, actor=actor, round_id=round_id)]


@router.get("/panels/{panel_id}", response_model=PanelOut, responses=errors(*AUTH, 404))
def get_panel(session: SessionDep, actor: HiddenStaff, panel_id: DbId) -> PanelOut:
    return panels.panel_out(panels.get_panel(session, actor=actor, panel_id=panel_id))


@router.post(
    "/panels/{panel_id}/reserves", response_model=ExtendedPanelOut, responses=errors(*AUTH, 404, 409, 413)
)
def extend_panel(
    session: SessionDep, actor: HiddenStaff, panel_id: DbId, body: panels.ExtendIn
) -> ExtendedPanelOut:
    added = panels.extend_panel(session, actor=actor, panel_id=panel_id, data=body)
    out = panels.panel_out(panels.get_panel(session, actor=actor, panel_id=panel_id))
    new = [NewSheet(id=s.id, application_id=s.application_id, expert_id=s.expert_id) for s in added]
    return ExtendedPanelOut(**dict(out), new_sheets=new)
