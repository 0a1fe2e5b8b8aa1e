"""Writing messages: one notification per recipient in the caller's transaction, unique by key."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from scoring.core.actors import Role
from scoring.core.i18n import LOCALES
from scoring.services.admin.notifications.kinds import FORBIDDEN_PARAMS, SPECS, NoticeKind
from scoring.services.admin.notifications.render import RenderError, render
from scoring.store.db import upsert_insert, utcnow
from scoring.store.models import User
from scoring.store.models.notifications import Delivery, Notification, NotificationPreference

log = logging.getLogger("shuangchuang.notify")


@dataclass(frozen=True)
class Recipient:
    """A user (inbox, and email if they gave an address) or, for the public, only an address."""

    user_id: int | None
    role: str
    address: str | None = None


def users(session: Session, *conditions: Any) -> list[Recipient]:
    """Active users matching the conditions, as recipients."""
    rows = session.execute(
        select(User.id, User.role).where(User.is_active.is_(True), *conditions).order_by(User.id)
    )
    return [Recipient(user_id=uid, role=role) for uid, role in rows]


def staff(session: Session) -> list[Recipient]:
    return users(session, User.role == Role.STAFF)


def _insert_ignoring_duplicates(session: Session, values: dict[str, Any]) -> int | None:
    """INSERT … ON CONFLICT (key) DO NOTHING: the id if written now, None if the key was already there."""
    table = cast(Table, Notification.__table__)
    stmt: Any = upsert_insert(session)(table).values(**values).on_conflict_do_nothing(index_elements=["key"])
    return session.execute(stmt.returning(table.c.id)).scalar_one_or_none()


def check_params(kind: NoticeKind, role: str, params: Mapping[str, Any]) -> None:
    """A message carries exactly its kind's parameters, and only to a role that may receive it."""
    spec = SPECS[kind]
    if role not in spec.roles:
        raise ValueError(f"{kind} is not sent to {role}")
    if set(params) != set(spec.params):
        raise ValueError(f"{kind} carries {sorted(spec.params)}, got {sorted(params)}")
    leaked = set(params) & FORBIDDEN_PARAMS.get(role, frozenset())
    if leaked:  # pragma: no cover - the kinds table is checked by a test
        raise ValueError(f"{kind} would tell {role} {sorted(leaked)}")


def _trial_render(kind: NoticeKind, params: Mapping[str, Any]) -> str | None:
    """Render once in each language now, so a broken template is reported to staff at once; the
    message is queued all the same and the change it belongs to goes ahead."""
    for locale in LOCALES:
        try:
            render(kind, params, locale=locale)
        except RenderError as exc:
            log.error("message template fails: %s", exc)
            return str(exc)[:2000]
    return None


def notify(
    session: Session,
    *,
    kind: NoticeKind,
    key: str,
    recipients: Iterable[Recipient],
    params: Mapping[str, Any],
    link: str = "",
) -> list[int]:
    """Queue one message per recipient; `key` names the event, the recipient is appended to it.

    Returns the ids of the notifications written now (none for a key already queued). Nothing is
    rendered here, so a template that cannot render never costs the change it belongs to.
    """
    spec = SPECS[kind]
    targets = list(recipients)
    plain = {k: (v if isinstance(v, int | str) or v is None else str(v)) for k, v in params.items()}
    user_ids = [r.user_id for r in targets if r.user_id is not None]
    prefs = {
        p.user_id: p
        for p in session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids))
        )
    } if user_ids else {}  # fmt: skip
    written: list[int] = []
    now = utcnow()
    broken = _trial_render(kind, params)
    for r in targets:
        check_params(kind, r.role, plain)
        who = f"u{r.user_id}" if r.user_id is not None else f"a:{r.address}"
        nid = _insert_ignoring_duplicates(
            session,
            {
                "key": f"{key}:{who}"[:200],
                "kind": kind.value,
                "recipient_id": r.user_id,
                "recipient_role": str(r.role),
                "params": plain,
                "link": link,
                "created_at": now,
                "render_error": broken,
            },
        )
        if nid is None:
            continue
        written.append(nid)
        pref = prefs.get(r.user_id) if r.user_id is not None else None
        address = r.address if r.user_id is None else (pref.email if pref else None)
        wants_email = pref is None or not spec.reminder or pref.reminder_emails
        if address and wants_email:
            session.execute(
                insert(cast(Table, Delivery.__table__)).values(
                    notification_id=nid,
                    channel="email",
                    address=address,
                    locale=pref.locale if pref else "zh_CN",
                    status="queued",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    if written:
        log.info("queued %s × %d (%s)", kind.value, len(written), key)
    return written
