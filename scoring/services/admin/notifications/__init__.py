"""Notifications and reminders: the outbox, its channels and sender, message templates, the inbox."""

from scoring.services.admin.notifications import events as events
from scoring.services.admin.notifications.kinds import NoticeKind as NoticeKind
from scoring.services.admin.notifications.outbox import Recipient as Recipient
from scoring.services.admin.notifications.outbox import notify as notify
