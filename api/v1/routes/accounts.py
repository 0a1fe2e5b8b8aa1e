"""API routes: account administration (admins; 404 for others) and every user's own password change."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request, Response

from api.edge.deps import CurrentActor, SessionDep, require_roles
from api.edge.params import Cursor, DbId
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.core.actors import Actor, Role
from scoring.services.admin import account_admin
from scoring.services.admin.onboarding_schemas import (
    AccountCreated,
    AccountIn,
    AccountOut,
    AccountPage,
    AccountStatusIn,
    AccountUpdate,
    PasswordChangeIn,
    PasswordResetOut,
)

router = lazy_router(tags=["accounts"])

Admin = Annotated[Actor, Depends(require_roles(Role.ADMIN, hide=True))]


@router.get("/accounts", response_model=AccountPage, responses=errors(*AUTH, 404))
def list_accounts(
    session: SessionDep,
    actor: Admin,
    role: Annotated[str | None, Query(max_length=16)] = None,
    q: Annotated[str, Query(max_length=64)] = "",
    cursor: Cursor = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AccountPage:
    return account_admin.list_accounts(session, actor=actor, role=role, query=q, after_id=cursor, limit=limit)


@router.post("/accounts", status_code=201, response_model=AccountCreated, responses=errors(*AUTH, 404, 409))
def create_account(session: SessionDep, actor: Admin, body: AccountIn, response: Response) -> AccountCreated:
    """Without `password`, a one-time password is returned this once; it must be changed at first login."""
    response.headers["Cache-Control"] = "no-store"
    return account_admin.create_account(session, actor=actor, data=body)


@router.get("/accounts/{user_id}", response_model=AccountOut, responses=errors(*AUTH, 404))
def get_account(session: SessionDep, actor: Admin, user_id: DbId) -> AccountOut:
    return account_admin.get_account(session, actor=actor, user_id=user_id)


@router.put("/accounts/{user_id}", response_model=AccountOut, responses=errors(*AUTH, 404, 409))
def update_account(session: SessionDep, actor: Admin, user_id: DbId, body: AccountUpdate) -> AccountOut:
    return account_admin.update_account(session, actor=actor, user_id=user_id, data=body)


@router.post("/accounts/{user_id}/status", response_model=AccountOut, responses=errors(*AUTH, 404, 409))
def set_account_status(session: SessionDep, actor: Admin, user_id: DbId, body: AccountStatusIn) -> AccountOut:
    return account_admin.set_account_status(session, actor=actor, user_id=user_id, data=body)


@router.post(
    "/accounts/{user_id}/password-reset", response_model=PasswordResetOut, responses=errors(*AUTH, 404)
)
def reset_password(session: SessionDep, actor: Admin, user_id: DbId, response: Response) -> PasswordResetOut:
    response.headers["Cache-Control"] = "no-store"
    return account_admin.reset_password(session, actor=actor, user_id=user_id)


@router.post("/me/password", response_model=AccountOut, tags=["auth"], responses=errors(*AUTH, 404))
def change_own_password(
    request: Request, session: SessionDep, actor: CurrentActor, body: PasswordChangeIn
) -> AccountOut:
    """Current password required; every other session and token of the caller ends."""
    resolved = getattr(request.state, "resolved", None)
    return account_admin.change_own_password(
        session, actor=actor, data=body, current_session_id=resolved.session_id if resolved else None
    )
