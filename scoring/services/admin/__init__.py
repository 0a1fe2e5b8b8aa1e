"""scoring.services.admin."""
