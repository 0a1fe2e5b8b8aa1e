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
from scoring.core.actors import SYSTEM
from scoring.core.errors import DomainError
from scoring.settings import Settings, get_settings
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


def _demo_settings(settings: Settings) -> Settings:
    """--demo uses its own SQLite file, rebuilt at every start, unless a database URL is configured."""
    import os

    if os.environ.get("SHUANGCHUANG_DATABASE_URL"):
        return settings
    demo_db = settings.var_dir / "demo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{demo_db}{suffix}").unlink(missing_ok=True)
    return settings.model_copy(update={"database_url": f"sqlite:///{demo_db.as_posix()}"})


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="load a complete demo round first")] = False,
    workers: int = 1,
) -> None:
    """Upgrade the database, optionally load the demo round, and serve the API and pages."""
    import gc
    import os

    import uvicorn

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    if demo:
        settings = _demo_settings(settings)
    migrate.upgrade(settings.database_url)
    if demo:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from scoring.demo import seed_demo

        engine = make_engine(settings.database_url)
        columns = (
            TextColumn("正在生成演示数据 / building the demo"),
            BarColumn(),
            TextColumn("{task.description}"),
        )
        try:
            with Progress(*columns, TimeElapsedColumn(), transient=False) as bar:
                task = bar.add_task("", total=None)

                def _step(done: int, total: int, name: str) -> None:
                    bar.update(task, completed=done, total=total, description=name)

                credentials = seed_demo(make_sessionmaker(engine), settings=settings, progress=_step)
        finally:
            engine.dispose()
        _print_credentials(credentials, host, port)
    else:
        _print_first_run(settings, host, port)
    # The app is built by import string so this domain package never imports the web edge.
    os.environ["SHUANGCHUANG_DATABASE_URL"] = settings.database_url
    get_settings.cache_clear()
    # Importing and building the application leaves no garbage worth a collection (scoring.cli's main):
    # the collector is off until create_served_app has set what it built aside. With several
    # workers, each builds its own in a fresh process and this one only supervises.
    if workers == 1:
        gc.disable()
    uvicorn.run(
        "api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
        # Header timeout and per-address connection cap (api.edge.connections), by import string.
        http="api.edge.connections:GuardedHttpToolsProtocol",
        timeout_keep_alive=5,
    )


def _print_credentials(credentials: list[tuple[str, str, str]], host: str, port: int) -> None:
    typer.secho("\n演示账号 / demo accounts (passwords shown once):", bold=True)
    for role, username, password in credentials:
        typer.echo(f"  {role:<10} {username:<22} {password}")
    typer.secho(f"\n打开 / open http://{host}:{port}/\n", bold=True)


def _print_first_run(settings: Settings, host: str, port: int) -> None:
    """On an empty install, say how to create the first administrator (the pages cannot)."""
    from scoring.services.admin.account_admin import FIRST_ADMIN_COMMAND, needs_first_admin

    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            empty = needs_first_admin(session)
    finally:
        engine.dispose()
    if empty:
        typer.secho("\n尚无系统管理员账号 / no administrator account yet. Create the first one:", bold=True)
        typer.echo(f"  {FIRST_ADMIN_COMMAND}")
        typer.echo(f"then log in at http://{host}:{port}/login\n")
