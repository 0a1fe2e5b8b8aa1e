"""`shuangchuang draw replay ROUND`: recompute every committed panel draw of a round from its record."""

from __future__ import annotations

from typing import Annotated

import typer

from scoring.cli.audit import CLI_AUDITOR, _configured
from scoring.core.i18n import current_locale
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work

draw_app = typer.Typer(help="Panel draws: replay them from their records.", no_args_is_help=True)


@draw_app.callback()
def _group() -> None:
    """Panel draws: replay them from their records."""


@draw_app.command("replay")
def draw_replay(round_id: Annotated[int, typer.Argument(help="the round's id")]) -> None:
    """Recompute every committed draw of ROUND; exit status 1 if any does not match its record."""
    from scoring.core.errors import NotFound
    from scoring.services.review import draw_record

    current_locale.set("en")
    engine = make_engine(_configured())
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            results = draw_record.replay(session, actor=CLI_AUDITOR, round_id=round_id)
    except NotFound:
        typer.secho(f"no round {round_id}", err=True, fg="red")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    if not results:
        typer.echo(f"round {round_id} has no committed draw")
    for r in results:
        source = (
            f"commitment {r.commitment_id}" if r.commitment_id else "typed seed: not proof against steering"
        )
        if r.matches:
            typer.echo(f"{r.kind}: panel {r.panel_id} MATCHES its record ({source})")
        else:
            typer.secho(
                f"{r.kind}: panel {r.panel_id} does NOT match ({source}): "
                f"{', '.join(r.problems)} — {r.message}",
                err=True,
                fg="red",
            )
    if any(not r.matches for r in results):
        raise typer.Exit(1)
