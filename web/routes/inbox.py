"""Pages: every user's inbox and notification preferences; the staff outbox and message templates."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.responses import HTMLResponse, Response

from api.edge.deps import SessionDep
from api.edge.params import DbId
from api.edge.routing import lazy_router
from scoring.core.errors import DomainError
from scoring.services.admin.notifications import inbox as service
from web.deps import LoggedInPage, StaffPage
from web.forms import CheckedForm, attempt, field_errors, parse_input, redirect, render, text

router = lazy_router(include_in_schema=False)


def _local(link: str) -> str:
    """Only a path on this site is followed after marking a message read (no open redirect)."""
    parts = urlsplit(link)
    ok = link.startswith("/") and not link.startswith("//") and not parts.netloc and not parts.scheme
    return link if ok else "/inbox"


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(page: LoggedInPage, session: SessionDep, unread: str | None = None) -> Response:
    box = service.inbox(session, actor=page.actor, unread_only=unread == "1")
    return render(page, "inbox/list.html", box=box, unread_only=unread == "1")


@router.post("/inbox/{notification_id}/read")
def read_one(page: LoggedInPage, session: SessionDep, form: CheckedForm, notification_id: DbId) -> Response:
    service.mark_read(session, actor=page.actor, notification_id=notification_id)
    return redirect(_local(text(form, "next", "/inbox")))


@router.post("/inbox/read")
def read_all(page: LoggedInPage, session: SessionDep, form: CheckedForm) -> Response:
    service.mark_read(session, actor=page.actor)
    return redirect("/inbox")


@router.get("/inbox/preferences", response_class=HTMLResponse)
def preferences_page(page: LoggedInPage, session: SessionDep, saved: str | None = None) -> Response:
    prefs = service.get_preferences(session, actor=page.actor)
    return render(page, "inbox/preferences.html", prefs=prefs, errors={}, saved=saved == "1")


@router.post("/inbox/preferences", response_class=HTMLResponse)
def preferences_save(page: LoggedInPage, session: SessionDep, form: CheckedForm) -> Response:
    values = {
        "email": text(form, "email").strip() or None,
        "locale": text(form, "locale", "zh_CN"),
        "reminder_emails": text(form, "reminder_emails") == "on",
    }
    try:
        data = parse_input(service.PreferencesIn, values)
        attempt(session, lambda: service.set_preferences(session, actor=page.actor, data=data))
    except DomainError as exc:
        prefs = service.PreferencesOut(
            email=values["email"],
            locale=str(values["locale"]),
            reminder_emails=bool(values["reminder_emails"]),
            note=service.get_preferences(session, actor=page.actor).note,
        )
        errors = field_errors(exc, page.locale)
        return render(
            page, "inbox/preferences.html", status=exc.status, prefs=prefs, errors=errors, saved=False
        )
    return redirect("/inbox/preferences?saved=1")


@router.get("/staff/notifications", response_class=HTMLResponse)
def staff_outbox(page: StaffPage, session: SessionDep) -> Response:
    return render(
        page,
        "inbox/staff.html",
        outbox=service.outbox(session, actor=page.actor),
        templates=service.list_templates(actor=page.actor),
    )


@router.post("/staff/notifications/deliveries/{delivery_id}/retry")
def staff_retry(page: StaffPage, session: SessionDep, form: CheckedForm, delivery_id: DbId) -> Response:
    service.retry_failed(session, actor=page.actor, delivery_id=delivery_id)
    return redirect("/staff/notifications")


@router.get("/staff/notifications/templates/{kind}", response_class=HTMLResponse)
def staff_preview(page: StaffPage, kind: str, locale: str = "zh_CN") -> Response:
    shown = service.preview(actor=page.actor, kind=kind, locale=locale)
    return render(page, "inbox/preview.html", preview=shown)
