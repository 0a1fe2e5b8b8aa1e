"""scoring.store."""
