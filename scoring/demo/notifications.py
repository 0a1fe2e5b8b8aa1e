"""The demo's notifications: addresses and preferences, the reminders due now, and inboxes with a history.

The messages themselves were queued by the services as the demo ran the rounds; this stage gives
every account an email address (email is off in development: mail goes to the log), lets one expert
turn reminder emails off, queues the reminders due, and marks all but each user's latest two messages
as read, so every role's inbox looks lived in.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scoring.demo.people import DemoPeople
from scoring.services.admin.notifications.reminders import compute_reminders
from scoring.settings import Settings
from scoring.store.db import utcnow
from scoring.store.models.notifications import Notification, NotificationPreference

KEEP_UNREAD = 2


def seed_notifications(session: Session, people: DemoPeople, settings: Settings) -> None:
    quiet_expert = next((u for u, user in people.users.items() if user.role == "expert"), None)
    for username, user in sorted(people.users.items()):
        if session.get(NotificationPreference, user.id) is not None:
            continue
        session.add(
            NotificationPreference(
                user_id=user.id,
                email=f"{username}@demo.sjzdrc.example.cn",
                locale="zh_CN",
                reminder_emails=username != quiet_expert,
            )
        )
    session.flush()
    compute_reminders(session, now=utcnow())
    seen: dict[int | None, int] = defaultdict(int)
    older: list[int] = []
    rows = session.execute(
        select(Notification.id, Notification.recipient_id)
        .where(Notification.recipient_id.is_not(None))
        .order_by(Notification.id.desc())
    )
    for nid, uid in rows:
        seen[uid] += 1
        if seen[uid] > KEEP_UNREAD:
            older.append(nid)
    if older:
        session.execute(update(Notification).where(Notification.id.in_(older)).values(read_at=utcnow()))
