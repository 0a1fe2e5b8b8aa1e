"""API routes: the caller's inbox and notification preferences; for staff, the outbox and templates."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from api.edge.deps import CurrentActor, SessionDep, StaffActor
from api.edge.params import DbId
from api.edge.responses import errors
from api.edge.routing import lazy_router
from scoring.core.schema import Schema
from scoring.services.admin.notifications import inbox as service

router = lazy_router(tags=["notifications"])


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


@router.get("/inbox", response_model=service.Inbox, responses=errors(401, 422))
def get_inbox(
    session: SessionDep,
    actor: CurrentActor,
    unread: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = service.INBOX_PAGE,
) -> service.Inbox:
    return service.inbox(session, actor=actor, unread_only=unread, limit=limit)


@router.get("/inbox/unread", response_model=UnreadOut, responses=errors(401))
def unread(session: SessionDep, actor: CurrentActor) -> UnreadOut:
    return UnreadOut(unread=service.unread_count(session, actor=actor))


@router.post("/inbox/{notification_id}/read", response_model=MarkedOut, responses=errors(401, 404, 422))
def mark_read(session: SessionDep, actor: CurrentActor, notification_id: DbId) -> MarkedOut:
    return MarkedOut(marked=service.mark_read(session, actor=actor, notification_id=notification_id))


@router.post("/inbox/read", response_model=MarkedOut, responses=errors(401))
def mark_all_read(session: SessionDep, actor: CurrentActor) -> MarkedOut:
    return MarkedOut(marked=service.mark_read(session, actor=actor))


@router.get("/inbox/preferences", response_model=service.PreferencesOut, responses=errors(401))
def get_preferences(session: SessionDep, actor: CurrentActor) -> service.PreferencesOut:
    return service.get_preferences(session, actor=actor)


@router.put("/inbox/preferences", response_model=service.PreferencesOut, responses=errors(401, 422))
def put_preferences(
    session: SessionDep, actor: CurrentActor, data: service.PreferencesIn
) -> service.PreferencesOut:
    return service.set_preferences(session, actor=actor, data=data)


@router.get("/notifications/outbox", response_model=service.Outbox, responses=errors(401, 403, 404))
def outbox(session: SessionDep, actor: StaffActor) -> service.Outbox:
    return service.outbox(session, actor=actor)


@router.post(
    "/notifications/deliveries/{delivery_id}/retry", status_code=204, responses=errors(401, 403, 404, 422)
)
def retry(session: SessionDep, actor: StaffActor, delivery_id: DbId) -> None:
    service.retry_failed(session, actor=actor, delivery_id=delivery_id)


@router.get(
    "/notifications/templates", response_model=list[service.TemplateInfo], responses=errors(401, 403, 404)
)
def templates(actor: StaffActor) -> list[service.TemplateInfo]:
    return service.list_templates(actor=actor)


@router.get(
    "/notifications/templates/{kind}",
    response_model=service.TemplatePreview,
    responses=errors(401, 403, 404, 422),
)
def preview(actor: StaffActor, kind: str, locale: str = "zh_CN") -> service.TemplatePreview:
    return service.preview(actor=actor, kind=kind, locale=locale)
