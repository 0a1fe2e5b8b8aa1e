"""The console on an empty install: first admin, organisations, their import, account commands."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from scoring.cli.main import app
from scoring.settings import get_settings
from scoring.store.db import make_engine, make_sessionmaker, unit_of_work
from scoring.store.models import Organisation, User
from tests.onboarding.sheets import credit, org_row, xlsx

runner = CliRunner()


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{(tmp_path / 'empty.sqlite3').as_posix()}"
    monkeypatch.setenv("SHUANGCHUANG_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_an_empty_install_is_set_up_from_the_console(
    empty_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scoring.cli.server_process import print_first_run as _print_first_run

    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    settings = get_settings()
    _print_first_run(settings, "127.0.0.1", 8000)
    assert "shuangchuang user create --role admin --username admin" in capsys.readouterr().out

    created = runner.invoke(
        app, ["user", "create", "--role", "admin", "--username", "admin"], input="Adm1n-Passw0rd!\n"
    )
    assert created.exit_code == 0, created.output
    _print_first_run(settings, "127.0.0.1", 8000)
    assert capsys.readouterr().out == ""

    org = runner.invoke(
        app,
        [
            "org",
            "create",
            "--name",
            "石家庄命令行测试有限公司",
            "--credit-code",
            credit(74001),
            "--kind",
            "enterprise",
            "--district",
            "赵县",
        ],
    )
    assert org.exit_code == 0, org.output
    bad = runner.invoke(
        app, ["org", "create", "--name", "另一家", "--credit-code", credit(74001), "--kind", "enterprise"]
    )
    assert bad.exit_code == 1
    assert "该统一社会信用代码的单位已存在" in bad.output

    sheet = tmp_path / "orgs.xlsx"
    sheet.write_bytes(xlsx([org_row(74002), org_row(74003)]))
    preview = runner.invoke(app, ["org", "import", str(sheet)])
    assert preview.output.strip().endswith("preview: 2 new, 0 updated, 0 unchanged, 0 errors")
    saved = runner.invoke(app, ["org", "import", str(sheet), "--commit"])
    assert saved.output.strip().endswith("saved: 2 new, 0 updated, 0 unchanged, 0 errors")

    reset = runner.invoke(app, ["user", "reset-password", "admin"])
    assert reset.exit_code == 0
    assert "one-time password for admin (shown once): " in reset.output
    last = runner.invoke(app, ["user", "disable", "admin"])
    assert last.exit_code == 1
    assert "最后一个启用的系统管理员" in last.output

    engine = make_engine(empty_db)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            codes = set(session.scalars(select(Organisation.credit_code)))
            admin = session.scalar(select(User).where(User.username == "admin"))
            assert codes == {credit(74001), credit(74002), credit(74003)}
            assert admin is not None and admin.must_change_password is True
    finally:
        engine.dispose()
