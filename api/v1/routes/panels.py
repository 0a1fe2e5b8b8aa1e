"""API routes: random panel draws per round and kind, their replay check, and extending a panel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api.edge.deps import LocaleDep, SessionDep, require_roles
from api.edge.params import DbId
from scoring.core.actors import Actor, Role
from scoring.services.review import panels

router = APIRouter(tags=["panels"])

# Only staff know panels exist; everyone else gets 404.
HiddenStaff = Annotated[Actor, Depends(require_roles(Role.STAFF, hide=True))]


@router.post("/rounds/{round_id}/panels", status_code=201)
def draw_panel(
    session: SessionDep, actor: HiddenStaff, locale: LocaleDep, round_id: DbId, body: panels.DrawIn
) -> dict[str, Any]:
    panel = panels.draw(session, actor=actor, round_id=round_id, data=body)
    return panels.panel_out(panels.get_panel(session, actor=actor, panel_id=panel.id), locale)


@router.get("/rounds/{round_id}/panels")
def list_panels(
    session: SessionDep, actor: HiddenStaff, locale: LocaleDep, round_id: DbId
) -> list[dict[str, Any]]:
    return [panels.panel_out(v, locale) for v in panels.list_panels(session, actor=actor, round_id=round_id)]


@router.get("/panels/{panel_id}")
def get_panel(session: SessionDep, actor: HiddenStaff, locale: LocaleDep, panel_id: DbId) -> dict[str, Any]:
    return panels.panel_out(panels.get_panel(session, actor=actor, panel_id=panel_id), locale)


@router.post("/panels/{panel_id}/reserves")
def extend_panel(
    session: SessionDep, actor: HiddenStaff, locale: LocaleDep, panel_id: DbId, body: panels.ExtendIn
) -> dict[str, Any]:
    added = panels.extend_panel(session, actor=actor, panel_id=panel_id, data=body)
    out = panels.panel_out(panels.get_panel(session, actor=actor, panel_id=panel_id), locale)
    out["new_sheets"] = [
        {"id": s.id, "application_id": s.application_id, "expert_id": s.expert_id} for s in added
    ]
    return out
