"""`shuangchuang bases due`: overdue rectification orders and evaluations, for the staff's weekly check.

It only lists: nothing happens to a base without a staff decision.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.services.management import bases
from scoring.settings import get_settings
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work

bases_app = typer.Typer(help="Designated bases: dynamic management.", no_args_is_help=True)


def due_lines(session: Session, today: date | None = None) -> list[str]:
    """One line per overdue item, oldest deadline first; an empty list when nothing is overdue."""
    found = bases.due(session, actor=SYSTEM, today=today)
    lines = [
        f"rectification  base {r.base_id:>5}  {r.base}  deadline {r.deadline}  "
        f"{r.days_overdue} day(s) overdue"
        for r in found.rectifications
    ]
    lines += [
        f"evaluation     base {e.base_id:>5}  {e.base}  "
        f"{e.purpose} #{e.evaluation_id} ({e.status})  "
        f"deadline {e.deadline}  {e.days_overdue} day(s) overdue"
        for e in found.evaluations
    ]
    return lines


@bases_app.command("due")
def due(
    today: Annotated[str | None, typer.Option(help="count as of this date (YYYY-MM-DD)")] = None,
) -> None:
    """List overdue rectifications and evaluations; exit status 0 either way."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            lines = due_lines(session, date.fromisoformat(today) if today else None)
    finally:
        engine.dispose()
    if not lines:
        typer.echo("nothing overdue")
    for line in lines:
        typer.echo(line)
