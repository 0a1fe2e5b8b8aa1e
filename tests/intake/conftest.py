"""Fixtures for intake: the page-test plumbing of tests/web (a logged-in client per person, an open round)."""

from tests.web.conftest import open_round, page_as, staff_person  # noqa: F401  (fixtures, found by name)
