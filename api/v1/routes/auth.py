"""Tokens, the caller's identity, and health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Request
from pydantic import ConfigDict, Field
from sqlalchemy import text

from api.edge.deps import CurrentActor, SessionDep, SettingsDep, bearer_token
from api.edge.errors import validation_failed_from
from api.edge.responses import errors
from api.edge.routing import lazy_router
from scoring.core.actors import ROLE_NAMES_ZH
from scoring.core.errors import NotAuthenticated
from scoring.core.schema import Schema
from scoring.services.admin.accounts import close_session, open_session
from scoring.services.admin.login_throttle import throttled_login
from scoring.services.admin.schemas import MeOut, ScopeOut

router = lazy_router()


class TokenRequest(Schema):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=64)]
    password: Annotated[str, Field(min_length=1, max_length=256)]


class HealthOut(Schema):
    status: str = Field(description="`ok`, or `degraded` when the database does not answer.")
    database: str = Field(description="`ok` or `unreachable`.")


class TokenResponse(Schema):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


async def _token_request(request: Request) -> TokenRequest:
    """Accept JSON or an OAuth2-style form, as API.md promises."""
    ctype = request.headers.get("content-type", "")
    raw: Any
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        raw = {k: v for k, v in form.items() if k in ("username", "password")}
    else:
        try:
            raw = await request.json()
        except ValueError:
            raise validation_failed_from([{"type": "json_invalid", "loc": ("body",)}]) from None
    try:
        return TokenRequest.model_validate(raw)
    except Exception as exc:  # pydantic.ValidationError
        raise validation_failed_from(exc.errors() if hasattr(exc, "errors") else []) from None


@router.post("/auth/token", response_model=TokenResponse, tags=["auth"], responses=errors(401, 413, 422, 429))
async def issue_token(request: Request, session: SessionDep, settings: SettingsDep) -> TokenResponse:
    body = await _token_request(request)
    try:
        user = throttled_login(
            session,
            settings=settings,
            address=request.client.host if request.client else "unknown",
            username=body.username,
            password=body.password,
        )
    except NotAuthenticated:
        session.commit()  # keep the failure counts even though the request fails
        raise
    issued = open_session(session, settings=settings, user=user, kind="api")
    return TokenResponse(access_token=issued.token, expires_in=settings.token_ttl_minutes * 60)


@router.post("/auth/logout", tags=["auth"], status_code=204, responses=errors(401))
def logout(request: Request, session: SessionDep, actor: CurrentActor) -> None:
    token = bearer_token(request)
    if token:
        close_session(session, token=token)


@router.get("/me", tags=["auth"], response_model=MeOut, responses=errors(401))
def me(actor: CurrentActor) -> MeOut:
    return MeOut(
        id=actor.user_id,
        username=actor.username,
        display_name=actor.display_name,
        roles=[actor.role.value],
        role_name=ROLE_NAMES_ZH[actor.role],
        scope=ScopeOut(organisation_id=actor.organisation_id, district=actor.district),
    )


health_router = lazy_router()


@health_router.get("/healthz", tags=["health"], response_model=HealthOut)
def healthz(session: SessionDep) -> HealthOut:
    try:
        session.execute(text("SELECT 1"))
        return HealthOut(status="ok", database="ok")
    except Exception:  # the probe must answer, not crash
        return HealthOut(status="degraded", database="unreachable")
