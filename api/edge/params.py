"""Path parameter types shared by the API and the pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from scoring.core.ids import MAX_ROW_ID

# A database key: a positive 32-bit integer (PostgreSQL's INTEGER). Anything larger cannot name a
# row, and bound as a parameter it would be a database error; refused here as a 422 naming the field.
DbId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]

# The same bound for ids given as query filters, and for keyset cursors (the last id seen).
QueryId = Annotated[int, Query(ge=1, le=MAX_ROW_ID)]
Cursor = Annotated[int, Query(ge=0, le=MAX_ROW_ID)]


def parse_id(text: str | None) -> int | None:
    """A row id (or keyset cursor) given as text: ASCII digits within the key range, else None.

    Not str.isdigit(): it accepts "²" and "١٢", which int() refuses or reads as another number."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None
