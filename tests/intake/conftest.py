"""Fixtures for intake: the page-test plumbing of tests/web (a logged-in client per person, an open round)."""

from tests.bases.conftest import bw  # noqa: F401
from tests.ranking.conftest import clock, make_world, small_rubric_version  # noqa: F401
from tests.web.conftest import open_round, page_as, staff_person  # noqa: F401  (fixtures, found by name)
