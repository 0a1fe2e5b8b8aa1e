"""Evaluation criteria of the three kinds of 双创 base as validated, versioned data (a leaf package)."""
