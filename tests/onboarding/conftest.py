"""The page-test fixtures of tests/web, shared with the onboarding tests (the browser tests live in
tests/web, where the one Playwright session of the run is)."""

from tests.web.conftest import page_as  # noqa: F401
