"""scoring.cli."""
