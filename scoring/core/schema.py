"""The base of the service's pydantic models: validators and serializers built on first use.

Building a model's validator when its class is made costs about 2 ms a model; ~280 of them made every
process's start-up about half a second slower, though a worker uses only the models of the requests
it serves (and a CLI command only its own). `defer_build` builds each model's validator when the model
first validates or serializes, or when a route or TypeAdapter first needs its schema; nothing else
about validation changes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Schema(BaseModel):
    """A pydantic model whose validator is built on first use (the config merges into subclasses')."""

    model_config = ConfigDict(defer_build=True)
