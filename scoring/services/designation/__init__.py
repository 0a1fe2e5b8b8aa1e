"""scoring.services.designation."""
