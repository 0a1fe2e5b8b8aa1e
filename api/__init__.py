"""The JSON API and the composition root of the service."""
