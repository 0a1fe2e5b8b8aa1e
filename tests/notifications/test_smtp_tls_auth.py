"""SMTP with STARTTLS and a login, against a real aiosmtpd server that requires both: the certificate is
verified (trusted here through SSL_CERT_FILE, as an intranet CA would be), a wrong password keeps the
message queued with the server's answer."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from scoring.services.admin.notifications import NoticeKind, Recipient, notify
from scoring.services.admin.notifications.sender import deliver_due
from scoring.settings import Settings
from scoring.store.db import unit_of_work
from tests.notifications.conftest import Committed, Mailbox, _free_port, mail_settings


def _certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mailer", b"s3cret")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Mailbox, int]]:
    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts this server, as it would a DRC CA
    box, port = Mailbox(), _free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        auth_required=True, authenticator=_authenticator,
    )  # fmt: skip
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


def _queue(c: Committed, address: str) -> None:
    uid = c.user("evaluator", email=address)
    with unit_of_work(c.factory) as s:
        notify(
            s, kind=NoticeKind.EVALUATION_ASSIGNED, key=f"tls:{address}",
            recipients=[Recipient(uid, "evaluator")],
            params={"base_name": "测试基地", "year": 2030, "deadline": None},
        )  # fmt: skip


def test_starttls_and_login_deliver_the_message(
    committed: Committed, tls_smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = tls_smtp
    _queue(committed, "eval@example.cn")
    cfg = mail_settings(settings, port, smtp_security="starttls", smtp_user="mailer", smtp_password="s3cret")
    assert deliver_due(committed.factory, settings=cfg).as_dict() == {
        "sent": 1,
        "logged": 0,
        "retrying": 0,
        "failed": 0,
    }
    [mail] = box.messages
    assert mail["Subject"] == "【双创基地】绩效评估任务：测试基地（2030年度）"


def test_a_wrong_password_keeps_the_message_queued_with_the_servers_answer(
    committed: Committed, tls_smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = tls_smtp
    _queue(committed, "eval2@example.cn")
    cfg = mail_settings(settings, port, smtp_security="starttls", smtp_user="mailer", smtp_password="wrong")
    report = deliver_due(committed.factory, settings=cfg)
    assert (report.retrying, report.sent) == (1, 0)
    assert report.errors[0].startswith("SMTPAuthenticationError: (535")
    assert box.messages == []


def test_a_server_that_offers_no_tls_is_refused_when_starttls_is_required(
    committed: Committed, smtp: tuple[Mailbox, int], settings: Settings
) -> None:
    box, port = smtp
    _queue(committed, "eval3@example.cn")
    report = deliver_due(committed.factory, settings=mail_settings(settings, port, smtp_security="starttls"))
    assert report.retrying == 1
    assert report.errors[0] == "SMTPNotSupportedError: STARTTLS extension not supported by server."
    assert box.messages == []
