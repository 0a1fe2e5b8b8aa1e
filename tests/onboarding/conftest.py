"""The page-test fixtures of tests/web, shared with the onboarding tests."""

from tests.web.conftest import browser, browser_page, live_server, new_browser_page, page_as  # noqa: F401
