"""Fixtures for notifications: a real SMTP server (aiosmtpd) per test, and committed data for the sender.

The sender commits in transactions of its own, so its tests write real rows (users made straight
through the ORM, no audit events) and delete them afterwards.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from itertools import count
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from scoring.settings import Settings
from scoring.store.db import make_sessionmaker
from scoring.store.models import User
from scoring.store.models.notifications import Delivery, Notification, NotificationPreference


@dataclass
class Mailbox:
    """What the SMTP server received; `fail` makes it refuse every message with a temporary error."""

    messages: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    fail: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.fail:
            return "451 4.3.0 mailbox temporarily unavailable"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.raw.append(envelope.original_content or envelope.content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def mail_settings(settings: Settings, port: int, **extra: Any) -> Settings:
    return settings.model_copy(
        update={
            "email_enabled": True,
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_security": "none",
            "smtp_from": "noreply@sjzdrc.example.cn",
            "smtp_timeout_seconds": 5,
            "public_url": "https://sc.example.cn",
            **extra,
        }
    )


_seq = count(1)


@dataclass
class Committed:
    """A sessionmaker whose transactions commit; every user made through it is removed at the end."""

    factory: sessionmaker[Session]
    user_ids: list[int] = field(default_factory=list)
    extra_keys: list[str] = field(default_factory=list)  # key prefixes of messages without a user
    rows: list[Any] = field(default_factory=list)  # other rows made for the test, deleted last-made first

    def user(
        self, role: str, *, email: str | None = None, reminders: bool = True, locale: str = "zh_CN"
    ) -> int:
        n = next(_seq)
        with self.factory() as s, s.begin():
            user = User(username=f"ntf{n}_{role}", display_name=f"收件人{n}", password_hash="x", role=role)
            s.add(user)
            s.flush()
            if email is not None:
                s.add(
                    NotificationPreference(
                        user_id=user.id, email=email, locale=locale, reminder_emails=reminders
                    )
                )
            self.user_ids.append(user.id)
            return user.id

    def cleanup(self) -> None:
        with self.factory() as s, s.begin():
            ids = list(self.user_ids)
            notes = select(Notification.id).where(Notification.recipient_id.in_(ids))
            for prefix in self.extra_keys:
                notes = notes.union(select(Notification.id).where(Notification.key.startswith(prefix)))
            note_ids = list(s.scalars(notes))
            s.execute(delete(Delivery).where(Delivery.notification_id.in_(note_ids)))
            s.execute(delete(Notification).where(Notification.id.in_(note_ids)))
            for row in reversed(self.rows):
                s.execute(delete(type(row)).where(type(row).id == row.id))
            s.execute(delete(NotificationPreference).where(NotificationPreference.user_id.in_(ids)))
            s.execute(delete(User).where(User.id.in_(ids)))


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    c = Committed(factory=make_sessionmaker(engine))
    try:
        yield c
    finally:
        c.cleanup()
