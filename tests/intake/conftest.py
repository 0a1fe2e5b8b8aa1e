"""Fixtures for intake, found by name: the page and browser plumbing of tests/web, the small-rubric
worlds of tests/ranking and the designated base of tests/bases."""

from tests.bases.conftest import bw  # noqa: F401
from tests.ranking.conftest import clock, make_world, small_rubric_version  # noqa: F401
from tests.web.conftest import (  # noqa: F401
    browser,
    browser_page,
    live_server,
    open_round,
    page_as,
    staff_person,
)
