"""Email settings: off in development and tests unless turned on, on in production, and an SMTP setting
that cannot work is refused at start, naming the setting."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from scoring.settings import Settings

KEY = "k" * 40
AUDIT = "u" * 40  # production also needs the audit key (issue 19)
GOOD: dict[str, Any] = {"smtp_host": "smtp.example.cn", "smtp_from": "noreply@example.cn"}


def test_email_is_off_in_development_and_on_in_production() -> None:
    assert Settings(environment="development", secret_key=KEY).email_enabled is False
    assert Settings(environment="test", secret_key=KEY).email_enabled is False
    assert Settings(environment="production", secret_key=KEY, audit_key=AUDIT, **GOOD).email_enabled is True
    off = Settings(environment="production", secret_key=KEY, audit_key=AUDIT, email_enabled=False)
    assert off.email_enabled is False


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"smtp_host": ""}, "SHUANGCHUANG_SMTP_HOST must be set when email is enabled"),
        ({"smtp_from": "noreply"}, "SHUANGCHUANG_SMTP_FROM must be an email address when email is enabled"),
        (
            {"smtp_user": "mailer"},
            "SHUANGCHUANG_SMTP_USER and SHUANGCHUANG_SMTP_PASSWORD must be set together",
        ),
        ({"public_url": "sc.example.cn"}, "SHUANGCHUANG_PUBLIC_URL must start with http:// or https://"),
        ({"smtp_port": 70000}, "smtp_port"),
        ({"smtp_security": "tls"}, "smtp_security"),
    ],
)
def test_an_unusable_smtp_setting_is_refused_at_start_naming_it(values: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(environment="test", secret_key=KEY, email_enabled=True, **{**GOOD, **values})
    assert named in str(caught.value)


def test_the_environment_names_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHUANGCHUANG_EMAIL_ENABLED", "true")
    monkeypatch.setenv("SHUANGCHUANG_SMTP_HOST", "smtp.example.cn")
    monkeypatch.setenv("SHUANGCHUANG_SMTP_SECURITY", "ssl")
    monkeypatch.setenv("SHUANGCHUANG_SMTP_FROM", "drc@example.cn")
    s = Settings(environment="test", secret_key=KEY)
    assert (s.email_enabled, s.smtp_host, s.smtp_security, s.smtp_from) == (
        True,
        "smtp.example.cn",
        "ssl",
        "drc@example.cn",
    )
