"""Demo stage: decisions (filled in as the feature lands)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scoring.demo.people import DemoPeople
from scoring.settings import Settings


def seed_decisions(session: Session, people: DemoPeople, settings: Settings) -> None:
    return None
