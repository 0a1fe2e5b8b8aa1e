"""Use cases: fn(session, *, actor, ...). Check first, write last, audit every change, flush only."""
