"""API routes: rubrics — the current (shipped) rubric of each kind as its canonical document."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from api.edge.deps import current_actor
from criteria.load import rubric_document, rubric_version, shipped_rubric
from criteria.schema import KINDS, PURPOSES
from scoring.core.errors import NotFound
from scoring.core.i18n import msg

# Any logged-in user may read the rubrics (API.md).
router = APIRouter(dependencies=[Depends(current_actor)])


@router.get("/rubrics", tags=["rubrics"])
def list_rubrics() -> list[dict[str, str]]:
    """The current designation rubric of each kind: `[{kind, purpose, version, title, title_en}]`."""
    out = []
    for kind in KINDS:
        rubric = shipped_rubric(kind)
        out.append(
            {
                "kind": rubric.kind,
                "purpose": rubric.purpose,
                "version": rubric_version(rubric),
                "title": rubric.title_zh,
                "title_en": rubric.title_en,
            }
        )
    return out


@router.get("/rubrics/{kind}", tags=["rubrics"])
def get_rubric(kind: str, purpose: str = "designation") -> dict[str, Any]:
    """The current rubric of a kind (`?purpose=performance` for the performance rubric)."""
    if kind not in KINDS or purpose not in PURPOSES:
        raise NotFound(msg("There is no rubric of kind %(kind)s.", kind=kind))
    return rubric_document(shipped_rubric(kind, purpose))
