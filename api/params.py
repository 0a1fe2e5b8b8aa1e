"""Path parameter types shared by the API and the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

# A database key: a positive 32-bit integer (PostgreSQL's INTEGER). Anything larger cannot name a
# row, and bound as a parameter it would be a database error; refused here as a 422 naming the field.
DbId = Annotated[int, Path(ge=1, le=2_147_483_647)]
