"""Public pages, without login: the designation list, the revoked list, and the list under public
notice (公示) with its objection form. Printable; never scores, experts or evaluators."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi.responses import HTMLResponse, Response
from pydantic import Field
from sqlalchemy.orm import Session

from api.edge.deps import SessionDep
from api.edge.routing import lazy_router
from scoring.core.errors import DomainError
from scoring.core.lifecycle import BaseStatus
from scoring.core.schema import Schema
from scoring.core.vocabulary import BASE_KINDS
from scoring.services.admin import integrity
from scoring.services.review import publication
from scoring.services.review.documents import service as documents
from web.csrf import PRELOGIN_COOKIE, check, prelogin_token, set_prelogin_cookie
from web.deps import Page, PageDep
from web.forms import FormDep, attempt, field_errors, parse_input, redirect, render, text

router = lazy_router(include_in_schema=False)
KINDS: tuple[str, ...] = BASE_KINDS
PAGE_SIZE = 500


class _Keys(Schema):
    """The form's ids, bounded so an absurd number is a named input error, not a database failure."""

    round_id: Annotated[int, Field(ge=1, le=2_147_483_647)]
    application_id: Annotated[int, Field(ge=1, le=2_147_483_647)]


@router.get("/public/bases", response_class=HTMLResponse)
def bases(
    page: PageDep,
    session: SessionDep,
    status: str = BaseStatus.ACTIVE,
    kind: str | None = None,
    year: str | None = None,
) -> Response:
    status = status if status in (BaseStatus.ACTIVE, BaseStatus.REVOKED) else BaseStatus.ACTIVE
    kind = kind if kind in KINDS else None
    # ASCII digits only: str.isdigit() accepts "²", which int() refuses.
    four_digits = bool(year and re.fullmatch(r"[0-9]{4}", year))
    chosen_year = int(year) if year and four_digits and 2000 <= int(year) <= 2100 else None
    items, _ = publication.public_bases(session, status=status, kind=kind, year=chosen_year, limit=PAGE_SIZE)
    if status == BaseStatus.ACTIVE:
        # "Designated" means still holding the title: active and under rectification alike.
        more, _ = publication.public_bases(
            session, status=BaseStatus.RECTIFYING, kind=kind, year=chosen_year, limit=PAGE_SIZE
        )
        items = sorted(items + more, key=lambda item: (item.year, item.kind, item.id))
    years = sorted({item.year for item in items}, reverse=True)
    anchors = integrity.public_anchors(session)  # the chain head printed under the list
    return render(
        page,
        "public/bases.html",
        items=items,
        filter_status=status,
        kind=kind,
        year=chosen_year,
        years=years,
        anchors=anchors,
    )


def _notice_page(page: Page, session: Session, status: int = 200, **values: Any) -> Response:
    """Visitors are not logged in: their form carries a double-submit cookie token instead."""
    token = page.csrf_token or prelogin_token(page.request)
    context: dict[str, Any] = {"errors": {}, "values": {}} | values
    notices = publication.public_notice(session)
    response = render(
        page,
        "public/notice.html",
        status=status,
        notices=notices,
        print_headers=documents.print_headers(session, [n.round_id for n in notices]),
        csrf_token=token,
        **context,
    )
    if not page.csrf_token:
        set_prelogin_cookie(response, token)
    return response


def _check_csrf(page: Page, submitted: str) -> None:
    if page.actor is not None:
        page.require_csrf(submitted)
    else:
        check(page.request.cookies.get(PRELOGIN_COOKIE), submitted)


@router.get("/public/notice", response_class=HTMLResponse)
def notice(page: PageDep, session: SessionDep, done: str | None = None) -> Response:
    return _notice_page(page, session, done=done)


@router.post("/public/objections")
def objection(page: PageDep, session: SessionDep, form: FormDep) -> Response:
    _check_csrf(page, text(form, "csrf_token"))
    values: dict[str, Any] = {
        "round_id": text(form, "round_id") or None,
        "application_id": text(form, "application_id") or None,
        "name": text(form, "name"),
        "contact": text(form, "contact"),
        "text": text(form, "text"),
    }
    try:
        parse_input(_Keys, {k: values[k] for k in ("round_id", "application_id")})
        data = parse_input(publication.ObjectionIn, values)
        attempt(session, lambda: publication.file_objection(session, data=data))
    except DomainError as exc:
        return _notice_page(
            page,
            session,
            status=exc.status,
            errors=field_errors(exc, page.locale),
            message=exc.message.render(page.locale),
            values=values,
        )
    return redirect("/public/notice?done=objection")
