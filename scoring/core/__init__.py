"""scoring.core."""
