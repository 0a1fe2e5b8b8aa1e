"""Runtime configuration from the environment (prefix SHUANGCHUANG_), read once per process."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_WEAK_SECRETS = {"", "changeme", "secret", "change-me", "dev", "development"}


def normalise_database_url(url: str) -> str:
    """Route plain PostgreSQL URLs through psycopg 3 (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHUANGCHUANG_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    var_dir: Path = Path("var")
    database_url: str = ""
    data_dir: Path | None = None
    secret_key: str = ""
    # Keys the audit checkpoints (HMAC-SHA256); kept outside the database, by someone other than the DBA.
    audit_key: str = ""
    audit_checkpoint_interval: int = Field(default=100, ge=1)

    token_ttl_minutes: int = Field(default=60 * 8, ge=1)
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    login_max_failures: int = Field(default=5, ge=1)
    login_lock_minutes: int = Field(default=15, ge=1)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_file_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    max_application_bytes: int = Field(default=300 * 1024 * 1024, ge=1)
    cookie_secure: bool = False
    # Hostile traffic (api.edge.connections, api.edge.backpressure, services.admin.login_throttle).
    header_timeout_seconds: float = Field(default=10, gt=0)
    body_idle_timeout_seconds: float = Field(default=15, gt=0)
    body_min_bytes_per_second: int = Field(default=8 * 1024, ge=1)
    send_timeout_seconds: float = Field(default=60, gt=0)
    # A read waits at most this long for the writes in flight to finish (api.edge.backpressure); 0: never.
    read_yield_ms: int = Field(default=50, ge=0, le=1000)
    max_connections_per_address: int = Field(default=32, ge=0)
    login_free_attempts: int = Field(default=3, ge=1)

    # Notifications (scoring.services.admin.notifications): email is off in development and tests
    # unless turned on, where messages go to the inbox and the log; on in production.
    public_url: str = "http://localhost:8000"
    email_enabled: bool | None = None
    smtp_host: str = ""
    smtp_port: int = Field(default=0, ge=0, le=65535)  # 0: 465 with ssl, 587 with starttls, else 25
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_timeout_seconds: int = Field(default=20, ge=1)
    notify_max_attempts: int = Field(default=6, ge=1)
    notify_scheduler_seconds: int = Field(default=0, ge=0)  # >0: the web process also sends (one process)

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.var_dir / 'shuangchuang.sqlite3').as_posix()}"
        self.database_url = normalise_database_url(self.database_url)
        if self.data_dir is None:
            self.data_dir = self.var_dir / "files"
        if self.environment == "production":
            if self.secret_key.strip().lower() in _WEAK_SECRETS or len(self.secret_key) < 32:
                raise ValueError(
                    "SHUANGCHUANG_SECRET_KEY must be set to at least 32 random characters in production"
                )
            if self.audit_key.strip().lower() in _WEAK_SECRETS or len(self.audit_key) < 32:
                raise ValueError(
                    "SHUANGCHUANG_AUDIT_KEY must be set to at least 32 random characters in production "
                    "(it keys the audit checkpoints; keep it outside the database)"
                )
            if self.audit_key == self.secret_key:
                raise ValueError("SHUANGCHUANG_AUDIT_KEY must differ from SHUANGCHUANG_SECRET_KEY")
        else:
            if not self.secret_key:
                self.secret_key = _development_secret(self.var_dir)
            if not self.audit_key:
                self.audit_key = _development_secret(self.var_dir, "audit_key")
        if self.email_enabled is None:
            self.email_enabled = self.environment == "production"
        _check_email(self)
        return self

    @property
    def files_dir(self) -> Path:
        assert self.data_dir is not None
        return self.data_dir

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _check_email(s: Settings) -> None:
    """Refuse to start with email on and an SMTP setting that cannot work, naming the setting."""
    if not s.email_enabled:
        return
    if not s.smtp_host.strip():
        raise ValueError("SHUANGCHUANG_SMTP_HOST must be set when email is enabled")
    if "@" not in s.smtp_from or any(c in s.smtp_from for c in "\r\n"):
        raise ValueError("SHUANGCHUANG_SMTP_FROM must be an email address when email is enabled")
    if bool(s.smtp_user) != bool(s.smtp_password):
        raise ValueError("SHUANGCHUANG_SMTP_USER and SHUANGCHUANG_SMTP_PASSWORD must be set together")
    if not s.public_url.startswith(("http://", "https://")):
        raise ValueError("SHUANGCHUANG_PUBLIC_URL must start with http:// or https://")


def _development_secret(var_dir: Path, name: str = "secret_key") -> str:
    """Generate once and keep under var/ so sessions (and checkpoints) survive a restart in development."""
    path = var_dir / name
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()
