"""Permission predicates of the admin phase: pure functions of an actor and plain attributes."""

from __future__ import annotations
