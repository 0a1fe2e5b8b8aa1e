"""Database keys and row versions as input types.

A key is a positive PostgreSQL INTEGER: a larger number names no row, and bound as a query parameter
it would be a database error (a 500) instead of an answer. Inputs refuse it up front, naming the field.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ROW_ID = 2_147_483_647

RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]
Version = Annotated[int, Field(ge=0, le=MAX_ROW_ID)]
