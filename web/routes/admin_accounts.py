"""Account pages: the admin's list, create, edit, disable/enable and reset (one-time passwords shown
once), and every user's own password change."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.edge.deps import SESSION_COOKIE, SessionDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.core.actors import Role
from scoring.core.districts import DISTRICTS
from scoring.core.errors import DomainError
from scoring.services.admin import account_admin, organisations
from scoring.services.admin.onboarding_schemas import (
    AccountIn,
    AccountStatusIn,
    AccountUpdate,
    OrganisationOut,
    PasswordChangeIn,
)
from web.deps import LoggedInPage, Page, UserPage, roles
from web.forms import CheckedForm, attempt, field_errors, parse_input, redirect, render, text

router = lazy_router(include_in_schema=False)

AdminPage = Annotated[UserPage, Depends(roles(Role.ADMIN))]
ROLES = tuple(r.value for r in Role)


def _organisations(session: Session, page: Page) -> list[OrganisationOut]:
    assert page.actor is not None
    return organisations.list_organisations(session, actor=page.actor, active=True, limit=2000).items


def _values(form: Any) -> dict[str, Any]:
    return {
        "username": text(form, "username").strip(),
        "display_name": text(form, "display_name"),
        "role": text(form, "role"),
        "organisation_id": text(form, "organisation_id") or None,
        "district": text(form, "district") or None,
    }


def _form_page(
    page: Page,
    session: Session,
    *,
    account: Any = None,
    values: dict[str, Any] | None = None,
    error: DomainError | None = None,
    done: str | None = None,
    secret: str | None = None,
) -> Response:
    return render(
        page,
        "admin/account_form.html",
        status=error.status if error else 200,
        account=account,
        values=values if values is not None else (account.model_dump() if account else {}),
        roles=ROLES,
        districts=DISTRICTS,
        organisations=_organisations(session, page),
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        done=done,
        secret=secret,
    )


def _no_store(response: Response) -> Response:
    """A page showing a one-time password is never kept by a browser or proxy cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/accounts", response_class=HTMLResponse)
def account_list(
    page: AdminPage, session: SessionDep, role: str = "", q: str = "", cursor: int = 0
) -> Response:
    role = role if role in ROLES else ""
    result = account_admin.list_accounts(
        session, actor=page.actor, role=role or None, query=q[:64], after_id=max(cursor, 0), limit=100
    )
    return render(
        page,
        "admin/accounts.html",
        accounts=result.items,
        next_cursor=result.next_cursor,
        roles=ROLES,
        role=role,
        q=q[:64],
    )


@router.get("/admin/accounts/new", response_class=HTMLResponse)
def new_account(page: AdminPage, session: SessionDep) -> Response:
    return _form_page(page, session, values={})


@router.post("/admin/accounts/new", response_class=HTMLResponse)
def create_account(page: AdminPage, session: SessionDep, form: CheckedForm) -> Response:
    values = _values(form)
    try:
        data = parse_input(AccountIn, values)
        created = attempt(session, lambda: account_admin.create_account(session, actor=page.actor, data=data))
    except DomainError as exc:
        return _form_page(page, session, values=values, error=exc)
    # The one-time password is shown on this response only; it is never stored in clear.
    return _no_store(
        _form_page(page, session, account=created.account, done="created", secret=created.one_time_password)
    )


@router.get("/admin/accounts/{user_id}", response_class=HTMLResponse)
def account_page(page: AdminPage, session: SessionDep, user_id: DbId, done: str | None = None) -> Response:
    account = account_admin.get_account(session, actor=page.actor, user_id=user_id)
    return _form_page(page, session, account=account, done=done)


@router.post("/admin/accounts/{user_id}", response_class=HTMLResponse)
def update_account(page: AdminPage, session: SessionDep, user_id: DbId, form: CheckedForm) -> Response:
    account = account_admin.get_account(session, actor=page.actor, user_id=user_id)
    values = _values(form)
    values.pop("username")
    try:
        data = parse_input(AccountUpdate, values)
        attempt(
            session,
            lambda: account_admin.update_account(session, actor=page.actor, user_id=user_id, data=data),
        )
    except DomainError as exc:
        return _form_page(
            page, session, account=account, values={**account.model_dump(), **values}, error=exc
        )
    return redirect(f"/admin/accounts/{user_id}?done=saved")


@router.post("/admin/accounts/{user_id}/status", response_class=HTMLResponse)
def account_status(page: AdminPage, session: SessionDep, user_id: DbId, form: CheckedForm) -> Response:
    data = AccountStatusIn(active=text(form, "active") == "1")
    try:
        attempt(
            session,
            lambda: account_admin.set_account_status(session, actor=page.actor, user_id=user_id, data=data),
        )
    except DomainError as exc:
        account = account_admin.get_account(session, actor=page.actor, user_id=user_id)
        return _form_page(page, session, account=account, error=exc)
    return redirect(f"/admin/accounts/{user_id}?done={'enabled' if data.active else 'disabled'}")


@router.post("/admin/accounts/{user_id}/reset", response_class=HTMLResponse)
def account_reset(page: AdminPage, session: SessionDep, user_id: DbId, form: CheckedForm) -> Response:
    result = account_admin.reset_password(session, actor=page.actor, user_id=user_id)
    return _no_store(
        _form_page(page, session, account=result.account, done="reset", secret=result.one_time_password)
    )


@router.get("/account/password", response_class=HTMLResponse)
def password_form(page: LoggedInPage) -> Response:
    return render(page, "admin/password.html", errors={}, message=None, done=None)


@router.post("/account/password", response_class=HTMLResponse)
def change_password(request: Request, page: LoggedInPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {"current_password": text(form, "current_password"), "new_password": text(form, "new_password")}
    cookie = request.cookies.get(SESSION_COOKIE) or ""
    try:
        data = parse_input(PasswordChangeIn, values)
        current = account_admin.session_id_of(session, token=cookie)
        attempt(
            session,
            lambda: account_admin.change_own_password(
                session, actor=page.actor, data=data, current_session_id=current
            ),
        )
    except DomainError as exc:
        return render(
            page,
            "admin/password.html",
            status=exc.status,
            errors=field_errors(exc, page.locale),
            message=exc.message.render(page.locale),
            done=None,
        )
    return render(page, "admin/password.html", errors={}, message=None, done="changed")
