"""Pages for the register of organisations (admin and staff): list, create, edit, deactivate (the
spreadsheet import is in admin_imports)."""

from __future__ import annotations

from typing import Any

from fastapi.responses import HTMLResponse, Response

from api.edge.deps import SessionDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.core.districts import DISTRICTS
from scoring.core.errors import DomainError
from scoring.services.admin import organisations
from scoring.services.admin.onboarding_schemas import OrganisationIn, OrganisationStatusIn
from web.deps import Page, StaffPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, redirect, render, text

router = lazy_router(include_in_schema=False)

FIELDS = (
    "name",
    "credit_code",
    "kind",
    "district",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def _form_page(
    page: Page,
    *,
    org: Any = None,
    values: dict[str, Any] | None = None,
    error: DomainError | None = None,
    done: str | None = None,
) -> Response:
    return render(
        page,
        "admin/organisation_form.html",
        status=error.status if error else 200,
        org=org,
        values=values if values is not None else (org.model_dump() if org else {}),
        kinds=organisations.KIND_NAMES_ZH,
        districts=DISTRICTS,
        errors=field_errors(error, page.locale) if error else {},
        message=error.message.render(page.locale) if error else None,
        done=done,
    )


@router.get("/admin/organisations", response_class=HTMLResponse)
def organisation_list(
    page: StaffPage, session: SessionDep, q: str = "", cursor: int = 0, done: str | None = None
) -> Response:
    result = organisations.list_organisations(
        session, actor=page.actor, query=q[:100], after_id=max(cursor, 0), limit=100
    )
    return render(
        page,
        "admin/organisations.html",
        organisations=result.items,
        next_cursor=result.next_cursor,
        q=q[:100],
        kinds=organisations.KIND_NAMES_ZH,
        done=done,
    )


@router.get("/admin/organisations/new", response_class=HTMLResponse)
def new_organisation(page: StaffPage) -> Response:
    return _form_page(page, values={})


@router.post("/admin/organisations/new")
def create_organisation(page: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {name: text(form, name) for name in FIELDS}
    try:
        data = parse_input(OrganisationIn, values)
        created = attempt(
            session, lambda: organisations.create_organisation(session, actor=page.actor, data=data)
        )
    except DomainError as exc:
        return _form_page(page, values=values, error=exc)
    return redirect(f"/admin/organisations/{created.id}?done=saved")


@router.get("/admin/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_page(
    page: StaffPage, session: SessionDep, organisation_id: DbId, done: str | None = None
) -> Response:
    org = organisations.get_organisation(session, actor=page.actor, organisation_id=organisation_id)
    return _form_page(page, org=org, done=done)


@router.post("/admin/organisations/{organisation_id}")
def update_organisation(
    page: StaffPage, session: SessionDep, organisation_id: DbId, form: CheckedForm
) -> Response:
    values = {name: text(form, name) for name in FIELDS}
    org = organisations.get_organisation(session, actor=page.actor, organisation_id=organisation_id)
    try:
        data = parse_input(OrganisationIn, values)
        attempt(
            session,
            lambda: organisations.update_organisation(
                session, actor=page.actor, organisation_id=organisation_id, data=data
            ),
        )
    except DomainError as exc:
        return _form_page(page, org=org, values=values, error=exc)
    return redirect(f"/admin/organisations/{organisation_id}?done=saved")


@router.post("/admin/organisations/{organisation_id}/status")
def organisation_status(
    page: StaffPage, session: SessionDep, organisation_id: DbId, form: CheckedForm
) -> Response:
    data = OrganisationStatusIn(active=text(form, "active") == "1", reason=text(form, "reason")[:500])
    organisations.set_organisation_status(
        session, actor=page.actor, organisation_id=organisation_id, data=data
    )
    return redirect(
        f"/admin/organisations/{organisation_id}?done={'activated' if data.active else 'deactivated'}"
    )
