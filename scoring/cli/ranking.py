"""`shuangchuang ranking repair`: recompute every stored panel aggregate from the sheets."""

from __future__ import annotations

import typer

from scoring.cli.audit import _configured
from scoring.core.actors import SYSTEM
from scoring.core.i18n import current_locale
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work

ranking_app = typer.Typer(help="The ranking's stored panel aggregates.", no_args_is_help=True)


@ranking_app.callback()
def _group() -> None:
    """The ranking's stored panel aggregates."""


@ranking_app.command("repair")
def ranking_repair() -> None:
    """Recompute every application's panel aggregate from its sheets and rewrite any that differ.

    Prints the counts. Exit status 0 when every stored aggregate already matched the sheets, 1 when
    some differed (they are fixed and the run is audited either way): a difference means something
    wrote sheets around the service layer (a bulk import, a manual SQL change) and deserves a look.
    """
    from scoring.services.review.ranking_repair import repair

    current_locale.set("en")
    engine = make_engine(_configured())
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            report = repair(session, actor=SYSTEM)
    finally:
        engine.dispose()
    typer.echo(
        f"checked {report.checked} application(s) with sheets: {len(report.missing)} missing, "
        f"{len(report.different)} different, {len(report.extra)} without sheets; fixed {report.fixed}"
    )
    if report.fixed:
        shown = ", ".join(str(i) for i in (*report.missing, *report.different, *report.extra)[:20])
        typer.secho(
            f"fixed application ids: {shown}{' …' if report.fixed > 20 else ''}", err=True, fg="yellow"
        )
        raise typer.Exit(1)
