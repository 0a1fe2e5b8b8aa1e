"""`shuangchuang notify`: queue the reminders due and send the outbox (cron or a systemd timer), or loop."""

from __future__ import annotations

import json
import logging
import time
from typing import Annotated

import typer

from scoring.services.admin.notifications.render import RenderError, all_templates, render
from scoring.services.admin.notifications.scheduler import run_once
from scoring.settings import get_settings
from scoring.store import migrate
from scoring.store.db import make_engine, make_sessionmaker

notify_app = typer.Typer(help="Notifications: reminders and the outbox.", no_args_is_help=True)


@notify_app.command("run")
def run(
    loop: Annotated[int, typer.Option(help="repeat every N seconds (0: run once and exit)")] = 0,
) -> None:
    """Queue the reminders due now and send every due message. Idempotent: run it as often as you like."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = get_settings()
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    try:
        while True:
            reminders, report = run_once(factory, settings=settings)
            typer.echo(json.dumps({"reminders_queued": reminders, **report.as_dict()}))
            if loop <= 0:
                break
            time.sleep(loop)
    finally:
        engine.dispose()


@notify_app.command("check-templates")
def check_templates() -> None:
    """Render every message template in every language with sample values; exit 1 if one fails."""
    from scoring.services.admin.notifications.inbox import SAMPLE_PARAMS
    from scoring.services.admin.notifications.kinds import SPECS

    failed = 0
    for kind, locale in all_templates():
        try:
            render(kind, {p: SAMPLE_PARAMS[p] for p in SPECS[kind].params}, locale=locale, link="/inbox")
            typer.echo(f"ok      {kind.value} ({locale})")
        except RenderError as exc:
            failed += 1
            typer.secho(f"broken  {exc}", err=True, fg="red")
    raise typer.Exit(1 if failed else 0)
