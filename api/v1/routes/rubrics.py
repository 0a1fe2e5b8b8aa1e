"""API routes: rubrics — the current (shipped) rubric of each kind as its canonical document."""

from __future__ import annotations

from fastapi import Depends

from api.edge.deps import current_actor
from api.edge.responses import AUTH, errors
from api.edge.routing import lazy_router
from scoring.services.admin import rubrics
from scoring.services.admin.schemas import RubricDocument, RubricSummary

# Any logged-in user may read the rubrics (API.md).
router = lazy_router(dependencies=[Depends(current_actor)])


@router.get("/rubrics", tags=["rubrics"], response_model=list[RubricSummary], responses=errors(401))
def list_rubrics() -> list[RubricSummary]:
    """The current designation rubric of each kind: `[{kind, purpose, version, title, title_en}]`."""
    return rubrics.current_rubrics()


@router.get(
    "/rubrics/{kind}",
    tags=["rubrics"],
    response_model=RubricDocument,
    response_model_exclude_unset=True,
    responses=errors(*AUTH, 404),
)
def get_rubric(kind: str, purpose: str = "designation") -> RubricDocument:
    """The current rubric of a kind (`?purpose=performance` for the performance rubric)."""
    return rubrics.current_document(kind, purpose)
