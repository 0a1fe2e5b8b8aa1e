"""One notifier run (reminders, then sending), and an optional in-process loop for one-process installs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from scoring.services.admin.notifications.channels import Channel
from scoring.services.admin.notifications.reminders import compute_reminders
from scoring.services.admin.notifications.sender import SendReport, deliver_due
from scoring.settings import Settings
from scoring.store.db import unit_of_work, utcnow

log = logging.getLogger("shuangchuang.notify")


def run_once(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    channel: Channel | None = None,
    now: Callable[[], datetime] = utcnow,
) -> tuple[int, SendReport]:
    """Queue the reminders due now, then send what is due. Idempotent; safe to run concurrently."""
    with unit_of_work(factory) as session:
        reminders = compute_reminders(session, now=now())
    report = deliver_due(factory, settings=settings, channel=channel, now=now)
    return reminders, report


class Scheduler:
    """Runs `run_once` every `interval` seconds in a daemon thread until stopped."""

    def __init__(self, factory: sessionmaker[Session], *, settings: Settings, interval: float) -> None:
        self.factory, self.settings, self.interval = factory, settings, interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_once(self.factory, settings=self.settings)
            except Exception:  # a bad run must not end the loop; the next one retries
                log.exception("notification run failed")
            self._stop.wait(self.interval)

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._loop, name="shuangchuang-notify", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


class _Off:
    def stop(self) -> None:
        return None


def start_in_process(factory: sessionmaker[Session], settings: Settings) -> Scheduler | _Off:
    """The web process's own notifier, when SHUANGCHUANG_NOTIFY_SCHEDULER_SECONDS > 0 (single-process
    installs; with several workers run `shuangchuang notify run` from cron or a timer instead)."""
    if settings.notify_scheduler_seconds <= 0:
        return _Off()
    return Scheduler(factory, settings=settings, interval=settings.notify_scheduler_seconds).start()
