"""API routes: an organisation registers itself (public, rate-limited); its reviewer decides."""

from __future__ import annotations

from fastapi import Request

from api.edge.deps import CurrentActor, SessionDep
from api.edge.params import DbId
from api.edge.rate_limit import registration_limiter
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.services.admin import registration

router = lazy_router(tags=["registration"])


@router.post(
    "/registrations",
    status_code=202,
    response_model=registration.RegistrationReceived,
    responses=errors(422, 429),
)
def register(
    request: Request, session: SessionDep, body: registration.RegistrationIn
) -> registration.RegistrationReceived:
    """The same 202 whether the credit code is new or registered already (nothing to enumerate)."""
    registration_limiter(request).check(request)
    return registration.register(session, data=body)


@router.get("/registrations", response_model=list[registration.RegistrationOut], responses=errors(*AUTH, 404))
def list_registrations(
    session: SessionDep, actor: CurrentActor, status: str | None = "pending"
) -> list[registration.RegistrationOut]:
    return registration.list_registrations(session, actor=actor, status=status or None)


@router.post(
    "/registrations/{registration_id}/decision",
    response_model=registration.RegistrationOut,
    responses=errors(*AUTH, 404, 409),
)
def decide(
    session: SessionDep, actor: CurrentActor, registration_id: DbId, body: registration.DecisionIn
) -> registration.RegistrationOut:
    return registration.decide_registration(session, actor=actor, registration_id=registration_id, data=body)
