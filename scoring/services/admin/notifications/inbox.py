"""The in-app inbox (every role), a user's preferences, and the staff view of the outbox and templates."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import ConfigDict, Field, StrictBool
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import NotFound, invalid
from scoring.core.i18n import LOCALES, Text, current_locale, msg
from scoring.core.schema import Schema
from scoring.services.admin.notifications.kinds import SPECS, NoticeKind
from scoring.services.admin.notifications.render import RenderError, render, template_source
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models.notifications import Delivery, Notification, NotificationPreference

INBOX_PAGE = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InboxItem(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: datetime
    read: bool
    broken: bool = False  # its template failed to render (staff see why in the outbox)


class Inbox(Schema):
    unread: int
    items: list[InboxItem]


def _item(note: Notification, locale: str) -> InboxItem:
    try:
        rendered = render(note.kind, note.params, locale=locale)  # the page links it; no URL in the text
        subject, body, broken = rendered.subject, rendered.body, False
    except RenderError:
        subject = msg("This message could not be displayed; the city DRC has been told.").render(locale)
        body, broken = "", True
    return InboxItem(
        id=note.id,
        kind=note.kind,
        subject=subject,
        body=body,
        link=note.link,
        created_at=note.created_at,
        read=note.read_at is not None,
        broken=broken,
    )


def unread_count(session: Session, *, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return int(
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.recipient_id == actor.user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def inbox(session: Session, *, actor: Actor, unread_only: bool = False, limit: int = INBOX_PAGE) -> Inbox:
    """The actor's own messages, newest first, rendered in the caller's language."""
    stmt = select(Notification).where(Notification.recipient_id == actor.user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    notes = session.scalars(stmt.order_by(Notification.id.desc()).limit(limit))
    locale = current_locale.get()
    return Inbox(unread=unread_count(session, actor=actor), items=[_item(n, locale) for n in notes])


def mark_read(session: Session, *, actor: Actor, notification_id: int | None = None) -> int:
    """Mark one of the actor's messages (or all of them) read; another user's message is 404."""
    stmt = update(Notification).where(
        Notification.recipient_id == actor.user_id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        owner = session.scalar(select(Notification.recipient_id).where(Notification.id == notification_id))
        if owner is None or owner != actor.user_id:
            raise NotFound()
        stmt = stmt.where(Notification.id == notification_id)
    result = session.execute(stmt.values(read_at=utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)  # an UPDATE's CursorResult


# ---- preferences -------------------------------------------------------------------------------


class PreferencesIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str | None = Field(default=None, max_length=200)
    locale: Literal["zh_CN", "en"] = "zh_CN"
    reminder_emails: StrictBool = True  # API.md: true or false, never 0/1 or "yes"


class PreferencesOut(Schema):
    email: str | None
    locale: str
    reminder_emails: bool
    note: Text


_NOTE = msg("Decisions addressed to you are always sent; only reminder emails can be turned off.")


def get_preferences(session: Session, *, actor: Actor) -> PreferencesOut:
    pref = session.get(NotificationPreference, actor.user_id) if actor.user_id is not None else None
    if pref is None:
        return PreferencesOut(email=None, locale="zh_CN", reminder_emails=True, note=_NOTE)
    return PreferencesOut(
        email=pref.email, locale=pref.locale, reminder_emails=pref.reminder_emails, note=_NOTE
    )


def set_preferences(session: Session, *, actor: Actor, data: PreferencesIn) -> PreferencesOut:
    if actor.user_id is None:
        raise NotFound()
    email = data.email or None
    if email is not None and not _EMAIL.match(email):
        raise invalid("email", msg("must be an email address"))
    pref = session.get(NotificationPreference, actor.user_id, with_for_update=True)
    before = get_preferences(session, actor=actor).model_dump(exclude={"note"})
    if pref is None:
        pref = NotificationPreference(user_id=actor.user_id)
        session.add(pref)
    pref.email, pref.locale, pref.reminder_emails = email, data.locale, data.reminder_emails
    pref.updated_at = utcnow()
    session.flush()
    after = {"email": email, "locale": data.locale, "reminder_emails": data.reminder_emails}
    audit.record(
        session,
        actor=actor,
        action="notifications.preferences",
        entity="user",
        entity_id=actor.user_id,
        before=before,
        after=after,
    )
    return get_preferences(session, actor=actor)


# ---- staff: the outbox and the templates --------------------------------------------------------


def kind_title(kind: str) -> Text:
    """A notification kind in words; a kind no longer known keeps its code (findable)."""
    try:
        return SPECS[NoticeKind(kind)].title
    except ValueError:
        return kind


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise NotFound()


class DeliveryRow(Schema):
    id: int
    notification_id: int
    kind: str
    title: Text  # the kind in words
    channel: str
    address: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    sent_at: datetime | None


class BrokenMessage(Schema):
    id: int
    kind: str
    title: Text
    recipient_id: int | None
    created_at: datetime
    render_error: str


class Outbox(Schema):
    counts: dict[str, int]
    problems: list[DeliveryRow]  # failed, or waiting for a retry after an error
    broken: list[BrokenMessage]  # messages whose template failed to render when they were queued


def outbox(session: Session, *, actor: Actor, limit: int = 100) -> Outbox:
    _require_staff(actor)
    counts = {
        status: int(n)
        for status, n in session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status).order_by(Delivery.status)
        )
    }
    rows = session.execute(
        select(Delivery, Notification.kind)
        .join(Notification, Notification.id == Delivery.notification_id)
        .where((Delivery.status == "failed") | Delivery.last_error.is_not(None))
        .order_by(Delivery.id.desc())
        .limit(limit)
    ).all()
    broken = [
        BrokenMessage(
            id=n.id, kind=n.kind, title=kind_title(n.kind), recipient_id=n.recipient_id,
            created_at=n.created_at, render_error=n.render_error or "",
        )
        for n in session.scalars(
            select(Notification).where(Notification.render_error.is_not(None)).order_by(Notification.id.desc()).limit(limit)
        )
    ]  # fmt: skip
    return Outbox(
        counts=counts,
        broken=broken,
        problems=[
            DeliveryRow(
                id=d.id, notification_id=d.notification_id, kind=kind, title=kind_title(kind),
                channel=d.channel, address=d.address, status=d.status, attempts=d.attempts,
                next_attempt_at=d.next_attempt_at, last_error=d.last_error, sent_at=d.sent_at,
            )
            for d, kind in rows
        ],
    )  # fmt: skip


def retry_failed(session: Session, *, actor: Actor, delivery_id: int) -> None:
    """Staff put a failed delivery back in the queue (after fixing the address or the template)."""
    _require_staff(actor)
    row = session.get(Delivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFound()
    if row.status != "failed":
        raise invalid("delivery", msg("only a failed delivery can be retried"))
    row.status, row.attempts, row.next_attempt_at = "queued", 0, utcnow()
    session.flush()
    audit.record(
        session, actor=actor, action="notifications.retry", entity="delivery", entity_id=row.id,
        before={"status": "failed", "last_error": row.last_error}, after={"status": "queued"},
    )  # fmt: skip


class TemplateInfo(Schema):
    kind: str
    title: Text
    roles: list[str]
    params: list[str]
    reminder: bool


class TemplatePreview(Schema):
    kind: str
    title: Text
    locale: str
    subject: str
    body: str
    source: str
    error: str | None = None


def list_templates(*, actor: Actor) -> list[TemplateInfo]:
    _require_staff(actor)
    return [
        TemplateInfo(
            kind=s.kind.value,
            title=s.title,
            roles=sorted(str(r) for r in s.roles),
            params=list(s.params),
            reminder=s.reminder,
        )
        for s in SPECS.values()
    ]


SAMPLE_PARAMS: dict[str, str | int] = {
    "round_title": "2026年度石家庄市“双创”示范基地评选",
    "base_kind": "enterprise",
    "sheets": 3,
    "open_sheets": 2,
    "deadline": "2026-12-20T18:00:00+08:00",
    "reason": "补充佐证材料后重新评分",
    "application_title": "某某科技有限公司企业“双创”示范基地",
    "organisation_name": "某某科技有限公司",
    "returned_by": "county",
    "outcome": "accepted",
    "notice_ends": "2026-12-28",
    "objection_id": 7,
    "base_name": "某某科技有限公司",
    "reasons": "孵化服务台账不完整",
    "year": 2026,
    "document_no": "石政函〔2026〕12号",
    "registrant": "某某科技有限公司",
    "decision": "approved",
}


def preview(*, actor: Actor, kind: str, locale: str) -> TemplatePreview:
    """A template rendered with sample values, or the reason it cannot be."""
    _require_staff(actor)
    try:
        spec = SPECS[NoticeKind(kind)]
    except ValueError:
        raise NotFound() from None
    if locale not in LOCALES:
        raise invalid("locale", msg("must be one of: %(expected)s", expected=", ".join(LOCALES)))
    params = {p: SAMPLE_PARAMS[p] for p in spec.params}
    source = template_source(spec.kind, locale)
    try:
        out = render(spec.kind, params, locale=locale, link="/inbox")
    except RenderError as exc:
        return TemplatePreview(
            kind=kind, title=spec.title, locale=locale, subject="", body="", source=source, error=str(exc)
        )
    return TemplatePreview(
        kind=kind, title=spec.title, locale=locale, subject=out.subject, body=out.body, source=source
    )
