"""The home page of an install without an administrator says how to create the first one."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from scoring.store.models import User
from tests.conftest import Person


def test_home_page_tells_how_to_create_the_first_admin_until_one_exists(
    client: TestClient, session: Session, make_person: Callable[..., Person]
) -> None:
    session.execute(update(User).where(User.role == "admin").values(is_active=False))
    session.flush()
    page = client.get("/")
    assert 'id="first-run"' in page.text
    assert "<code>shuangchuang user create --role admin --username admin</code>" in page.text
    make_person("admin")
    assert 'id="first-run"' not in client.get("/").text
