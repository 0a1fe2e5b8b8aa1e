"""The staff audit page names a verification problem in words (zh_CN), not by its code."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from scoring.services.admin.integrity import PROBLEM_TEXT
from tests.integrity import demo_copies
from tests.integrity.conftest import Install
from tests.integrity.tamper import edit_and_rechain
from tests.web.conftest import web_login


def test_a_rewritten_history_is_named_in_chinese_on_the_staff_audit_page(install: Install) -> None:
    from api.app import create_app

    with install.session() as s:
        edit_and_rechain(s, 10, {"tampered": True})
    app = create_app(demo_copies.settings_for(install.url, install.var))
    with TestClient(app) as client:
        web_login(client, "staff", install.template.passwords["staff"])
        page = client.get("/staff/audit", params={"verify": "true"}).text
    report = re.search(r'id="chain-report" data-problem="(\w+)">(.*?)</p>', page)
    assert report is not None
    assert report.group(1) == "rechained"
    words = "哈希链不再经过检查点所记载的事件：历史记录被改写并重新计算了哈希。"
    assert PROBLEM_TEXT["rechained"].render("zh_CN") == words
    assert report.group(2).endswith(words) and "rechained" not in report.group(2)
