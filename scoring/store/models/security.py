"""Login throttling counters: failures per (address, username) pair, per address and per username."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from scoring.store.db import Base


class LoginThrottle(Base):
    """One counter. `key` is the submitted username (lower-cased), never a user id, so unknown and
    existing names are throttled alike and nothing can be learnt from the throttle."""

    __tablename__ = "login_throttles"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # pair | address | account
    key: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(index=True)
    blocked_until: Mapped[datetime | None]
