"""scoring.services.management."""
