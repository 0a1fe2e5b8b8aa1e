"""AUDIT_KEY: refused when missing or weak in production; generated once under var/ in development."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from scoring.settings import Settings

STRONG = "k" * 40


@pytest.mark.parametrize("key", ["", "changeme", "short-key"])
def test_production_refuses_a_missing_or_weak_audit_key(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValidationError, match="SHUANGCHUANG_AUDIT_KEY must be set to at least 32"):
        Settings(environment="production", var_dir=tmp_path, secret_key=STRONG, audit_key=key)
    assert not (tmp_path / "audit_key").exists()


def test_production_refuses_the_secret_key_as_audit_key(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="must differ from SHUANGCHUANG_SECRET_KEY"):
        Settings(environment="production", var_dir=tmp_path, secret_key=STRONG, audit_key=STRONG)


def test_production_accepts_a_strong_audit_key(tmp_path: Path) -> None:
    s = Settings(
        environment="production", var_dir=tmp_path, secret_key=STRONG, audit_key="a" * 32, email_enabled=False
    )
    assert s.audit_key == "a" * 32


def test_development_generates_the_audit_key_once(tmp_path: Path) -> None:
    first = Settings(environment="development", var_dir=tmp_path)
    second = Settings(environment="development", var_dir=tmp_path)
    assert first.audit_key == second.audit_key == (tmp_path / "audit_key").read_text()
    assert len(first.audit_key) >= 32 and first.audit_key != first.secret_key
    assert (tmp_path / "audit_key").stat().st_mode & 0o777 == 0o600
