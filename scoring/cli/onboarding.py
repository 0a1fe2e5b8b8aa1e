"""`shuangchuang org …` and the account commands `user disable|enable|reset-password`: the register
and the accounts from the console, through the same services as the pages (as the system actor)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.core.errors import DomainError
from scoring.settings import get_settings
from scoring.store import migrate
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work
from scoring.store.models import User

org_app = typer.Typer(help="The register of organisations.", no_args_is_help=True)
T = TypeVar("T")


def _fail(exc: DomainError) -> None:
    typer.secho(
        f"错误 / error: {exc.message.render('zh_CN')} ({exc.message.render('en')})", err=True, fg="red"
    )
    for path, rule in exc.fields.items():
        typer.secho(f"  {path}: {rule.render('zh_CN')} ({rule.render('en')})", err=True, fg="red")
    raise typer.Exit(1)


@contextmanager
def _unit() -> Iterator[Session]:
    settings = get_settings()
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()


def _run(work: Callable[[Session], T]) -> T:
    try:
        with _unit() as session:
            return work(session)
    except DomainError as exc:
        _fail(exc)
        raise  # unreachable: _fail exits


@org_app.command("create")
def org_create(
    name: Annotated[str, typer.Option()],
    credit_code: Annotated[str, typer.Option(help="统一社会信用代码 (18 characters)")],
    kind: Annotated[str, typer.Option(help="government | university | enterprise | evaluator | other")],
    district: Annotated[
        str | None, typer.Option(help="e.g. 正定县; omit for a city-level organisation")
    ] = None,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    address: str = "",
) -> None:
    """Register one organisation."""
    from scoring.services.admin.onboarding_schemas import OrganisationIn
    from scoring.services.admin.organisations import create_organisation

    data = OrganisationIn(
        name=name,
        credit_code=credit_code,
        kind=kind,
        district=district,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
    )
    org = _run(lambda s: create_organisation(s, actor=SYSTEM, data=data))
    typer.echo(f"created organisation {org.name} (id {org.id}, {org.credit_code})")


@org_app.command("import")
def org_import(
    path: Annotated[Path, typer.Argument(help="an .xlsx or .csv file in the template's columns")],
    commit: Annotated[bool, typer.Option("--commit", help="save; without it only the preview")] = False,
) -> None:
    """Check (and with --commit save) a spreadsheet of organisations: all rows or none."""
    from scoring.services.admin.imports import import_organisations

    content = path.read_bytes()
    preview = _run(
        lambda s: import_organisations(s, actor=SYSTEM, content=content, filename=path.name, commit=commit)
    )
    for p in preview.problems:
        text = p.message.render("zh_CN") if hasattr(p.message, "render") else str(p.message)
        typer.secho(f"  第 {p.row} 行 · {p.column}: {text}", err=True, fg="red")
    typer.echo(
        f"{'saved' if preview.committed else 'preview'}: {preview.created} new, {preview.updated} updated, "
        f"{preview.unchanged} unchanged, {len(preview.problems)} errors"
    )
    if preview.problems:
        raise typer.Exit(1)


@org_app.command("template")
def org_template(path: Annotated[Path, typer.Argument(help="where to write it (.xlsx or .csv)")]) -> None:
    """Write the empty import template."""
    from scoring.services.admin.imports import ORGANISATION_COLUMNS, template

    path.write_bytes(template(ORGANISATION_COLUMNS, "csv" if path.suffix.lower() == ".csv" else "xlsx"))
    typer.echo(f"wrote {path}")


def _user_id(session: Session, username: str) -> int:
    from scoring.core.errors import NotFound

    found = session.scalar(select(User.id).where(User.username == username))
    if found is None:
        raise NotFound()
    return found


def register_user_commands(user_app: typer.Typer) -> None:
    """Add disable, enable and reset-password to the `user` command group."""

    @user_app.command("disable")
    def user_disable(username: Annotated[str, typer.Argument()]) -> None:
        """Disable an account and end its sessions and tokens at once."""
        from scoring.services.admin.account_admin import set_account_status
        from scoring.services.admin.onboarding_schemas import AccountStatusIn

        _run(
            lambda s: set_account_status(
                s, actor=SYSTEM, user_id=_user_id(s, username), data=AccountStatusIn(active=False)
            )
        )
        typer.echo(f"disabled {username}")

    @user_app.command("enable")
    def user_enable(username: Annotated[str, typer.Argument()]) -> None:
        """Enable a disabled account."""
        from scoring.services.admin.account_admin import set_account_status
        from scoring.services.admin.onboarding_schemas import AccountStatusIn

        _run(
            lambda s: set_account_status(
                s, actor=SYSTEM, user_id=_user_id(s, username), data=AccountStatusIn(active=True)
            )
        )
        typer.echo(f"enabled {username}")

    @user_app.command("reset-password")
    def user_reset(username: Annotated[str, typer.Argument()]) -> None:
        """Set a one-time password (printed once) that must be changed at the next login."""
        from scoring.services.admin.account_admin import reset_password

        result = _run(lambda s: reset_password(s, actor=SYSTEM, user_id=_user_id(s, username)))
        typer.echo(f"one-time password for {username} (shown once): {result.one_time_password}")
