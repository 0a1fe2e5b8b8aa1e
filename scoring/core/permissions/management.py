"""Permission predicates of the management phase: pure functions of an actor and plain attributes."""

from __future__ import annotations
