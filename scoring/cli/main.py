"""The `shuangchuang` command: serve, demo, db, user, audit, rubric, bases, draw, ranking."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from scoring.cli.audit import audit_app
from scoring.cli.bases import bases_app
from scoring.cli.draw import draw_app
from scoring.cli.notify import notify_app
from scoring.cli.onboarding import org_app, register_user_commands
from scoring.cli.ranking import ranking_app
from scoring.cli.rubric import rubric_app
from scoring.cli.serve import serve
from scoring.core.actors import SYSTEM
from scoring.core.errors import DomainError
from scoring.settings import get_settings
from scoring.store import migrate
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work

app = typer.Typer(
    help="石家庄市“双创”示范基地评审与管理 — designation, scoring and management service.",
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(rubric_app, name="rubric")
app.add_typer(bases_app, name="bases")
app.add_typer(notify_app, name="notify")
app.add_typer(org_app, name="org")
register_user_commands(user_app)
app.add_typer(draw_app, name="draw")
app.add_typer(ranking_app, name="ranking")
app.command("serve")(serve)  # `shuangchuang serve` itself runs scoring.cli.serve alone


def _fail(exc: DomainError) -> None:
    typer.secho(
        f"错误 / error: {exc.message.render('zh_CN')} ({exc.message.render('en')})", err=True, fg="red"
    )
    for path, rule in exc.fields.items():
        typer.secho(f"  {path}: {rule.render('zh_CN')} ({rule.render('en')})", err=True, fg="red")
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: head)."""
    settings = get_settings()
    migrate.upgrade(settings.database_url, revision)
    typer.echo(f"database at {revision}: {settings.database_url}")


@db_app.command("grant-service")
def db_grant_service(role: Annotated[str, typer.Argument(help="the service's PostgreSQL role")]) -> None:
    """As the schema owner, after every upgrade: give ROLE its rights (append-only on the audit tables)."""
    from scoring.store.roles import grant_service

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with engine.begin() as conn:
            grant_service(conn, role)
    finally:
        engine.dispose()
    typer.echo(f"granted the service rights to {role}")


@user_app.command("create")
def user_create(
    role: Annotated[str, typer.Option(help="applicant | county | expert | evaluator | staff | admin")],
    username: Annotated[str, typer.Option()],
    org: Annotated[int | None, typer.Option(help="organisation id (applicants)")] = None,
    district: Annotated[str | None, typer.Option(help="district (county recommenders)")] = None,
    display_name: Annotated[str, typer.Option()] = "",
) -> None:
    """Create an account. The password is read from a prompt, or from stdin when piped; never argv."""
    from scoring.services.admin.accounts import UserIn, create_user

    if sys.stdin.isatty():
        password = typer.prompt("Password / 密码", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    settings = get_settings()
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            data = UserIn(
                username=username,
                display_name=display_name,
                password=password,
                role=role,
                organisation_id=org,
                district=district,
            )
            user = create_user(session, actor=SYSTEM, data=data)
            typer.echo(f"created user {user.username} (id {user.id}, role {user.role})")
    except DomainError as exc:
        _fail(exc)
    finally:
        engine.dispose()


@rubric_app.command("import")
def rubric_import(path: Annotated[Path, typer.Argument(help="a rubric TOML file")]) -> None:
    """Validate a rubric file and store it as a new version (rounds created later can use it)."""
    from criteria.load import RubricInvalid
    from scoring.services.admin.rubrics import import_file

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            row = import_file(session, actor=SYSTEM, path=path)
            typer.echo(f"imported {row.purpose} rubric {row.kind} version {row.version} from {path.name}")
    except RubricInvalid as exc:
        for issue in exc.issues:
            typer.secho(str(issue), err=True, fg="red")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
