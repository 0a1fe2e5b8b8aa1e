"""The page and browser fixtures of tests/web, shared with the interface tests."""

from tests.web.conftest import (  # noqa: F401  (fixtures)
    browser,
    browser_page,
    clock,
    live_server,
    make_world,
    new_browser_page,
    page_as,
    small_rubric_version,
)
