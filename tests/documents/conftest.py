"""Fixtures for reasons, results, exports and documents: the ranking tests' small world, reused."""

from __future__ import annotations

from tests.ranking.conftest import audit_count, clock, make_world, small_rubric_version

__all__ = ["audit_count", "clock", "make_world", "small_rubric_version"]
from tests.web.conftest import page_as  # noqa: F401  (the set-up page test)
