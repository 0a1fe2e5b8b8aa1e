"""Fixtures for the end of a round: the review scenario (a round in review, a drawn enterprise panel)."""

from tests.review.conftest import (  # noqa: F401  (fixtures, found by name)
    drawn,
    make_application,
    make_expert,
    make_round,
    rubric_versions,
    scenario,
)
from tests.web.conftest import browser, browser_page, live_server, page_as  # noqa: F401
