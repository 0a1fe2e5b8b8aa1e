"""Pages: an organisation's self-registration (public) and the review queue of counties and city staff."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from api.edge.deps import SessionDep
from api.edge.params import DbId
from api.edge.rate_limit import registration_limiter
from api.edge.routing import lazy_router
from scoring.core.actors import Role
from scoring.core.districts import DISTRICTS
from scoring.core.errors import DomainError
from scoring.core.i18n import Msg
from scoring.services.admin import registration
from web.csrf import PRELOGIN_COOKIE, check, prelogin_token, set_prelogin_cookie
from web.deps import Page, PageDep, UserPage, roles
from web.forms import CheckedForm, FormDep, attempt, field_errors, parse_input, redirect, render, text

router = lazy_router(include_in_schema=False)

ReviewerPage = Annotated[UserPage, Depends(roles(Role.COUNTY, Role.STAFF))]
FIELDS = (
    "credit_code",
    "name",
    "kind",
    "district",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "password",
)


def _register_page(
    page: Page, *, values: dict[str, Any], error: DomainError | None = None, received: str | None = None
) -> Response:
    token = prelogin_token(page.request)
    response = render(
        page,
        "admin/register.html",
        status=error.status if error else 200,
        values={k: v for k, v in values.items() if k != "password"},
        districts=DISTRICTS,
        prelogin_csrf=token,
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        received=received,
    )
    set_prelogin_cookie(response, token)
    return response


@router.get("/register", response_class=HTMLResponse)
def register_form(page: PageDep) -> Response:
    return _register_page(page, values={})


@router.post("/register", response_class=HTMLResponse)
def register_submit(request: Request, page: PageDep, session: SessionDep, form: FormDep) -> Response:
    check(request.cookies.get(PRELOGIN_COOKIE), text(form, "csrf_token"))  # before login: the cookie's token
    values: dict[str, Any] = {name: text(form, name) for name in FIELDS}
    values["district"] = values["district"] or None
    try:
        registration_limiter(request).check(request)
        data = parse_input(registration.RegistrationIn, values)
        received = attempt(session, lambda: registration.register(session, data=data))
    except DomainError as exc:
        return _register_page(page, values=values, error=exc)
    return _register_page(page, values={}, received=_text(received.message, page.locale))


@router.get("/registrations", response_class=HTMLResponse)
def review_queue(page: ReviewerPage, session: SessionDep, done: str | None = None) -> Response:
    pending = registration.list_registrations(session, actor=page.actor, status="pending")
    return render(page, "admin/registrations.html", registrations=pending, done=done, errors={}, message=None)


@router.post("/registrations/{registration_id}", response_class=HTMLResponse)
def review_decide(
    page: ReviewerPage, session: SessionDep, registration_id: DbId, form: CheckedForm
) -> Response:
    values = {"decision": text(form, "decision"), "reason": text(form, "reason")}
    try:
        data = parse_input(registration.DecisionIn, values)
        attempt(
            session,
            lambda: registration.decide_registration(
                session, actor=page.actor, registration_id=registration_id, data=data
            ),
        )
    except DomainError as exc:
        pending = registration.list_registrations(session, actor=page.actor, status="pending")
        return render(
            page,
            "admin/registrations.html",
            status=exc.status,
            registrations=pending,
            done=None,
            errors=field_errors(exc, page.locale),
            message=exc.message.render(page.locale),
        )
    return redirect(f"/registrations?done={values['decision']}")


def _text(value: Msg | str, locale: str) -> str:
    return value.render(locale) if isinstance(value, Msg) else value
