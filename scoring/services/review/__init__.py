"""scoring.services.review."""
