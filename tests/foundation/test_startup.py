"""Start-up stays light: serving loads no library that only an export, a document or the calendar needs,
and the served process keeps what it built at start out of the cyclic collector's way.

openpyxl (with numpy), python-docx, the holidays library and Alembic cost about a second of start-up
and tens of MiB of every server process between them; they are imported where they are used.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOADED_ON_USE = ("openpyxl", "numpy", "docx", "holidays", "alembic", "mako", "pygments")


def test_building_the_served_app_loads_none_of_the_libraries_used_on_demand(tmp_path: Path) -> None:
    # What the server process `serve` becomes loads before its first request: itself, then the app.
    probe = (
        "import gc, json, sys; import scoring.cli.server_process, api.app; gc.disable(); "
        "api.app.create_served_app(); "
        f"print(json.dumps([sorted({{m.split('.')[0] for m in sys.modules}} & set({list(LOADED_ON_USE)!r})),"
        " gc.get_freeze_count(), gc.isenabled(), 'sqlalchemy.dialects.postgresql' in sys.modules,"
        " sorted(m for m in sys.modules if m == 'typer' or m.startswith('scoring.cli.'))]))"
    )
    env = os.environ | {
        "SHUANGCHUANG_VAR_DIR": str(tmp_path),
        "SHUANGCHUANG_DATABASE_URL": f"sqlite:///{(tmp_path / 'probe.sqlite3').as_posix()}",
        "SHUANGCHUANG_ENVIRONMENT": "development",
    }
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded, frozen, collecting, postgresql_dialect, cli = json.loads(done.stdout)
    assert loaded == []
    # The server carries no command-line framework and none of the other commands (scoring.cli.serve).
    assert cli == ["scoring.cli.server_process"]
    # On SQLite, PostgreSQL's dialect (about 3 MiB) stays unloaded (scoring.store.db.upsert_insert).
    assert postgresql_dialect is False
    # The served process sets what building it left aside from the cyclic collector (create_served_app):
    # a full collection no longer walks the routes and validators, which would pause every request.
    assert frozen > 50_000
    # `serve` turns the collector off while the app is built; building it turns it on again.
    assert collecting is True


def test_a_document_still_renders_with_python_docx_loaded_on_use() -> None:
    from scoring.services.review.documents.layout import OfficialDocument

    doc = OfficialDocument()
    doc.title("关于认定石家庄市“双创”示范基地的通知")
    doc.signature("石家庄市发展和改革委员会", date(2023, 10, 3))
    body = doc.to_bytes()
    assert body[:2] == b"PK"  # a DOCX is a zip archive
    assert "2023年10月3日".encode() in zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml")
