"""An applicant's own result from the opening of the notice period: final score, section breakdown, gates
with their arithmetic, rank within the kind, on the list or not and why, how to object; never sheet data,
another applicant's details or who scored what.

Section breakdown, by definition: for each section of the rubric, the mean over the sheets the panel
score was computed from of that sheet's points in the section, plus the section's data-indicator points.
"The sheets the panel score was computed from" are, for the trimmed mean, the sheets left after the
trim; for the mean, all submitted sheets; for the median, the middle sheet (odd count) or the two middle
sheets (even count), ordered by total and then sheet id. So the sections always add up to the final score.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core.actors import Actor
from scoring.core.aggregate import fmt2
from scoring.core.errors import NotFound
from scoring.core.i18n import msg
from scoring.core.lifecycle import ApplicationStatus
from scoring.core.permissions.review import can_see_result
from scoring.core.sections import section_points, sheets_behind
from scoring.services.review import ranking as ranking_service
from scoring.services.review.results_own import own_result
from scoring.services.review.results_schemas import OwnResultOut
from scoring.services.review.schemas import ResultOut, SectionPoints
from scoring.store.models import Application, Round, Sheet


def sheets_behind_panel_score(row: ranking_service.Row) -> tuple[int, ...]:
    """The sheet ids whose points make the panel score (see the module docstring)."""
    return sheets_behind(row.panel, row.totals)


def breakdown(
    rubric: Rubric,
    sheet_scores: Sequence[Mapping[str, Decimal]],
    data: Mapping[str, Decimal],
) -> list[tuple[str, str, str, Decimal | None, Decimal]]:
    """(section code, title zh, title en, points, max) per section; points None when not scoreable."""
    points = section_points(rubric, sheet_scores, data)
    return [
        (section.code, section.title_zh, section.title_en, points[section.code], section.weight)
        for section in rubric.sections
    ]


def application_result(
    session: Session, *, actor: Actor, application_id: int, today: date | None = None
) -> OwnResultOut:
    """An application's result: staff always, its applicant from the opening of the notice period."""
    found = session.execute(
        select(Application, Round)
        .join(Round, Round.id == Application.round_id)
        .where(Application.id == application_id)
    ).first()
    if found is None:
        raise NotFound()
    app, rnd = found
    if not can_see_result(actor, organisation_id=app.organisation_id, round_status=rnd.status):
        raise NotFound(msg("The result is shown here from the opening of the public notice period."))
    ranking = ranking_service.compute_ranking(session, rnd, app.kind)
    row = ranking.row(app.id)
    if row is None:
        raise NotFound(msg("This application has no score."))
    used = sheets_behind_panel_score(row)
    scores: list[dict[str, Decimal]] = []
    if used:
        for raw in session.scalars(select(Sheet.scores).where(Sheet.id.in_(used)).order_by(Sheet.id)):
            scores.append({code: Decimal(str(v)) for code, v in (raw or {}).items()})
    data = {d.code: d.points for d in row.data_indicators}
    base = ResultOut(
        application_id=app.id,
        round_id=rnd.id,
        kind=app.kind,
        status=app.status,
        final_score=fmt2(row.final),
        panel_score=fmt2(row.panel.value),
        data_points=fmt2(row.data_points),
        rank=row.rank,
        designated=app.status == ApplicationStatus.DESIGNATED,
        section_breakdown=[
            SectionPoints(code=code, title=title_zh, title_en=title_en, points=fmt2(points), max=fmt2(weight))
            for code, title_zh, title_en, points, weight in breakdown(ranking.rubric, scores, data)
        ],
    )
    return own_result(
        session, actor=actor, base=base, app=app, rnd=rnd, ranking=ranking, row=row, today=today
    )


def get_result(session: Session, *, actor: Actor, application_id: int) -> dict[str, Any]:
    """The result as a plain dict, for the applicant page until it renders `ResultOut` itself."""
    return application_result(session, actor=actor, application_id=application_id).model_dump(mode="json")


def section_medians(session: Session, ranking: ranking_service.KindRanking) -> tuple[int, dict[str, Decimal]]:
    """Each section's median points over the kind's applications with a panel score (the profile
    chart's comparison), and how many applications that is. `ranking` was read with the caller's
    permission (ranking.get_ranking)."""
    used = {row.application_id: sheets_behind_panel_score(row) for row in ranking.rows}
    wanted = [sheet_id for ids in used.values() for sheet_id in ids]
    rows = session.execute(select(Sheet.id, Sheet.scores).where(Sheet.id.in_(wanted)))
    raw: dict[int, Any] = {sheet_id: scores for sheet_id, scores in rows}
    per_section: dict[str, list[Decimal]] = {section.code: [] for section in ranking.rubric.sections}
    counted = 0
    for row in ranking.rows:
        if not used[row.application_id]:
            continue
        counted += 1
        scores = [
            {code: Decimal(str(v)) for code, v in (raw.get(sheet_id) or {}).items()}
            for sheet_id in sorted(used[row.application_id])
        ]
        data = {d.code: d.points for d in row.data_indicators}
        for code, _zh, _en, points, _weight in breakdown(ranking.rubric, scores, data):
            if points is not None:
                per_section[code].append(points)
    return counted, {code: statistics.median(values) for code, values in per_section.items() if values}
