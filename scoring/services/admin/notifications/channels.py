"""Delivery channels: email over SMTP, the log (email turned off), and the SMS interface (no provider)."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid
from typing import Protocol

from scoring.services.admin.notifications.render import Rendered
from scoring.settings import Settings
from scoring.store.db import utcnow

log = logging.getLogger("shuangchuang.notify")
SENDER_NAME = "石家庄市发改委双创平台"


class ChannelError(Exception):
    """A delivery that failed; the message stays queued and is retried until its attempts run out."""


@dataclass(frozen=True)
class Outgoing:
    key: str  # the notification's unique key: the Message-ID, so a receiver can drop a repeat
    address: str
    message: Rendered


class Channel(Protocol):
    name: str

    def send(self, out: Outgoing) -> None: ...


class SmsProvider(Protocol):
    """What an SMS gateway must offer; none ships (the DRC's contract picks one)."""

    def send_text(self, phone: str, text: str) -> None: ...


def build_email(settings: Settings, out: Outgoing) -> Message:
    """A UTF-8 text/plain message. A non-ASCII subject is written entirely as RFC 2047 encoded words
    (each at most 75 characters): the modern policy's folder would mix plain and encoded words and
    double the space where they meet."""
    mail = MIMEText(out.message.body + "\n", "plain", "utf-8")
    mail["From"] = formataddr((str(Header(SENDER_NAME, "utf-8")), settings.smtp_from))
    mail["To"] = out.address
    mail["Subject"] = str(_header(out.message.subject))
    mail["Date"] = format_datetime(utcnow())
    domain = settings.smtp_from.rpartition("@")[2] or "localhost"
    mail["Message-ID"] = make_msgid(idstring=_safe_id(out.key), domain=domain)
    mail["X-Shuangchuang-Key"] = out.key
    return mail


def _header(value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8")


def _safe_id(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "." for c in key)[:120]


class SmtpChannel:
    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _port(self) -> int:
        s = self.settings
        if s.smtp_port:
            return s.smtp_port
        return {"ssl": 465, "starttls": 587}.get(s.smtp_security, 25)

    def send(self, out: Outgoing) -> None:
        s = self.settings
        mail = build_email(s, out)
        try:
            if s.smtp_security == "ssl":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.smtp_host, self._port(), timeout=s.smtp_timeout_seconds,
                    context=ssl.create_default_context(),
                )  # fmt: skip
            else:
                conn = smtplib.SMTP(s.smtp_host, self._port(), timeout=s.smtp_timeout_seconds)
            with conn:
                if s.smtp_security == "starttls":
                    conn.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    conn.login(s.smtp_user, s.smtp_password)
                conn.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise ChannelError(f"{type(exc).__name__}: {exc}"[:500]) from exc


class LogChannel:
    """Email turned off (development): the message is written to the log instead, and to the inbox."""

    name = "log"

    def send(self, out: Outgoing) -> None:
        log.info("email (off) to %s: %s\n%s", out.address, out.message.subject, out.message.body)


def email_channel(settings: Settings) -> Channel:
    return SmtpChannel(settings) if settings.email_enabled else LogChannel()
