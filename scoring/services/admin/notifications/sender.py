"""The sender: claims due deliveries, sends each once, marks it sent, retried later, or failed with why.

A delivery is claimed in a short transaction of its own (status `sending`, a lease, one more attempt;
rows another sender holds are skipped on PostgreSQL), sent outside any transaction, then marked. Two
senders at once never claim the same row; a sender that dies mid-send leaves a lease that expires,
and the row is retried (its Message-ID stays the same, so a mail system can drop the repeat).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from scoring.services.admin.notifications.channels import Channel, ChannelError, Outgoing, email_channel
from scoring.services.admin.notifications.render import RenderError, render
from scoring.settings import Settings
from scoring.store.db import unit_of_work, utcnow
from scoring.store.models.notifications import Delivery, Notification

log = logging.getLogger("shuangchuang.notify")
LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=2)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the n-th failed attempt, at most two hours."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


@dataclass
class SendReport:
    sent: int = 0
    logged: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "logged": self.logged, "retrying": self.retrying, "failed": self.failed}


def claim(session: Session, *, now: datetime, limit: int) -> list[tuple[int, int]]:
    """Take up to `limit` due deliveries: (id, attempt number). The caller commits at once."""
    due = or_(
        (Delivery.status == "queued") & (Delivery.next_attempt_at <= now),
        (Delivery.status == "sending") & (Delivery.locked_until < now),  # a dead sender's lease
    )
    stmt = select(Delivery.id, Delivery.attempts).where(due).order_by(Delivery.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    claimed: list[tuple[int, int]] = []
    for did, attempts in session.execute(stmt).all():
        # Conditional on the row still being as read: on SQLite the write lock already serialises.
        done = session.execute(
            update(Delivery)
            .where(Delivery.id == did, Delivery.attempts == attempts)
            .values(status="sending", attempts=attempts + 1, locked_until=now + LEASE)
        )
        if getattr(done, "rowcount", 0) == 1:  # an UPDATE's CursorResult
            claimed.append((did, attempts + 1))
    return claimed


def _mark(session: Session, did: int, attempt: int, **values: object) -> None:
    # Only the holder of this attempt may mark it (a lease taken over by another sender wins).
    session.execute(
        update(Delivery)
        .where(Delivery.id == did, Delivery.attempts == attempt, Delivery.status == "sending")
        .values(**values)
    )


def deliver_due(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    channel: Channel | None = None,
    now: Callable[[], datetime] = utcnow,
    limit: int = 200,
) -> SendReport:
    """One pass over the due deliveries. Safe to run from several processes at once."""
    report = SendReport()
    chan = channel or email_channel(settings)
    with unit_of_work(factory) as session:
        claimed = claim(session, now=now(), limit=limit)
    for did, attempt in claimed:
        with unit_of_work(factory) as session:
            row = session.execute(
                select(Delivery, Notification)
                .join(Notification, Notification.id == Delivery.notification_id)
                .where(Delivery.id == did)
            ).one()
            delivery, note = row
            out_key, address, locale = note.key, delivery.address, delivery.locale
            kind, params, link = note.kind, dict(note.params), note.link
        try:
            rendered = render(kind, params, locale=locale, link=link, base_url=settings.public_url)
        except RenderError as exc:
            log.error("notification %s cannot be rendered: %s", out_key, exc)
            with unit_of_work(factory) as session:
                _mark(session, did, attempt, status="failed", last_error=f"template: {exc}"[:2000])
            report.failed += 1
            report.errors.append(str(exc))
            continue
        try:
            chan.send(Outgoing(key=out_key, address=address, message=rendered))
        except ChannelError as exc:
            final = attempt >= settings.notify_max_attempts
            with unit_of_work(factory) as session:
                _mark(
                    session, did, attempt,
                    status="failed" if final else "queued",
                    locked_until=None,
                    next_attempt_at=now() + backoff(attempt),
                    last_error=str(exc)[:2000],
                )  # fmt: skip
            if final:
                report.failed += 1
            else:
                report.retrying += 1
            report.errors.append(str(exc))
            log.warning("delivery %s attempt %s failed: %s", did, attempt, exc)
            continue
        status = "sent" if chan.name == "email" else "logged"
        with unit_of_work(factory) as session:
            _mark(session, did, attempt, status=status, sent_at=now(), locked_until=None, last_error=None)
        if status == "sent":
            report.sent += 1
        else:
            report.logged += 1
    return report
