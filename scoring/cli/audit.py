"""`shuangchuang audit …`: verify the trail (checkpoints, an anchor, the live state), checkpoints, anchors."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from scoring.core.actors import SYSTEM, Actor, Role
from scoring.core.errors import DomainError
from scoring.core.i18n import current_locale
from scoring.settings import get_settings
from scoring.store import checkpoints
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work

audit_app = typer.Typer(
    help="The audit trail: verification, checkpoints, public anchors.", no_args_is_help=True
)

# The command line reads as an auditor: it can verify, never change (checkpoint is the one write).
CLI_AUDITOR = Actor(user_id=None, username="cli", role=Role.AUDITOR, display_name="command line")


def _configured() -> str:
    settings = get_settings()
    checkpoints.configure(key=settings.audit_key, interval=settings.audit_checkpoint_interval)
    return settings.database_url


def _fail(exc: DomainError) -> None:
    typer.secho(
        f"错误 / error: {exc.message.render('zh_CN')} ({exc.message.render('en')})", err=True, fg="red"
    )
    for path, rule in exc.fields.items():
        typer.secho(f"  {path}: {rule.render('zh_CN')} ({rule.render('en')})", err=True, fg="red")
    raise typer.Exit(2)


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        str | None, typer.Option(help="SEQ:HASH saved from a published list: prove the chain extends it")
    ] = None,
    state: Annotated[
        bool, typer.Option("--state", help="also replay the trail and compare it with the live tables")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the full report as JSON")] = False,
) -> None:
    """Verify the hash chain against every keyed checkpoint; exit status 1 if anything does not hold."""
    from scoring.services.admin import integrity

    current_locale.set("en")
    engine = make_engine(_configured())
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            report = integrity.verify(session, actor=CLI_AUDITOR, anchor=anchor)
            recon = integrity.reconcile_state(session, actor=CLI_AUDITOR) if state else None
    except DomainError as exc:
        _fail(exc)
        return
    finally:
        engine.dispose()
    ok = report.ok and (recon is None or recon.ok)
    if as_json:
        out = {"ok": ok, "verification": report.model_dump(mode="json")}
        if recon is not None:
            out["reconciliation"] = recon.model_dump(mode="json")
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        _print(report, recon)
    if not ok:
        raise typer.Exit(1)


def _print(report: object, recon: object) -> None:
    from scoring.services.admin.integrity import ReconciliationOut, VerificationOut

    assert isinstance(report, VerificationOut)
    chain = report.chain
    if chain.ok:
        typer.echo(f"audit trail intact: {chain.events} events, {chain.checkpoints} keyed checkpoints")
        typer.echo(f"head: {chain.head_seq}:{chain.head_hash}")
    else:
        typer.secho(f"audit trail BROKEN: {chain.problem} — {chain.message}", err=True, fg="red")
        if chain.first_bad_id is not None:
            typer.secho(f"  at event {chain.first_bad_id}", err=True, fg="red")
        if chain.detail:
            typer.secho(f"  {chain.detail}", err=True, fg="red")
    if report.anchor is not None:
        a = report.anchor
        if a.ok:
            typer.echo(f"anchor {a.seq}:{a.hash[:16]}… holds: {a.message}")
        else:
            typer.secho(
                f"anchor {a.seq}:{a.hash[:16]}… does NOT hold: {a.problem} — {a.message}", err=True, fg="red"
            )
    if isinstance(recon, ReconciliationOut):
        if recon.ok:
            typer.echo(
                f"live state agrees with the trail ({recon.events} events replayed; checked {recon.checked})"
            )
        else:
            typer.secho(
                f"live state DIFFERS from the trail: {len(recon.differences)} difference(s)",
                err=True,
                fg="red",
            )
            for d in recon.differences:
                typer.secho(
                    f"  {d.entity} {d.entity_id} {d.field}: trail {json.dumps(d.trail, ensure_ascii=False)}"
                    f" / table {json.dumps(d.table, ensure_ascii=False)}",
                    err=True,
                    fg="red",
                )


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Write a keyed checkpoint of the head now (e.g. before handing the trail to an auditor)."""
    from scoring.services.admin import integrity

    engine = make_engine(_configured())
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            row = integrity.write_checkpoint(session, actor=SYSTEM)
    finally:
        engine.dispose()
    typer.echo(f"checkpoint {row.anchor}" if row else "the trail is empty: nothing to checkpoint")


@audit_app.command("anchors")
def audit_anchors() -> None:
    """The public anchors: the chain head at every publication (date, round, SEQ:HASH)."""
    from scoring.services.admin import integrity

    engine = make_engine(_configured())
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            rows = integrity.public_anchors(session)
    finally:
        engine.dispose()
    for row in rows:
        typer.echo(f"{row.at.date().isoformat()}\tround {row.round_id}\t{row.anchor}")
