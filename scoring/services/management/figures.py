"""A base's yearly figures: declaring them, the evidence files behind them, and the year-on-year view."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core.actors import Actor
from scoring.core.base_rules import change as figure_change
from scoring.core.base_rules import plain
from scoring.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed, invalid
from scoring.core.figures import contradictions, effective_figures
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import BaseStatus, EvaluationStatus
from scoring.core.permissions import management as can
from scoring.core.scores import InvalidValue, parse_figure
from scoring.services.management import common
from scoring.services.management.common import add_event, get_base, performance_rubric
from scoring.services.management.schemas import (
    BaseDetail,
    BaseForms,
    FigureCorrectionIn,
    FigureCorrectionOut,
    FigureField,
    FigurePoint,
    FiguresByYear,
    FiguresDeclared,
    FigureSeries,
    FiguresIn,
    Wording,
    wording,
)
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import (
    Application,
    BaseFigureCorrection,
    BaseYearFigures,
    DesignatedBase,
    Evaluation,
    Round,
)

REVOKED = msg("The title of this base has been revoked.")


def _declarable_base(session: Session, *, actor: Actor, base_id: int) -> DesignatedBase:
    base = get_base(session, actor=actor, base_id=base_id, for_update=True)
    if not can.can_declare_for_base(actor, organisation_id=base.organisation_id):
        raise NotFound()
    if base.status == BaseStatus.REVOKED:
        raise InvalidTransition(REVOKED)
    return base


def declare_figures(session: Session, *, actor: Actor, base_id: int, data: FiguresIn) -> FiguresDeclared:
    """The base (its applicant account) or staff declare a year's figures; a replay changes nothing."""
    base = _declarable_base(session, actor=actor, base_id=base_id)
    if data.year > common.today().year:
        raise invalid("year", msg("must not be in the future"))
    rubric = performance_rubric(session, base.kind)
    problems, parsed = _parse(rubric, data.figures)
    row = session.scalar(
        select(BaseYearFigures).where(BaseYearFigures.base_id == base.id, BaseYearFigures.year == data.year)
    )
    if not problems:  # the year's figures as they would be saved must not contradict each other
        merged = {**(row.figures if row else {}), **parsed}
        problems.update(contradictions(rubric, {code: Decimal(v) for code, v in merged.items()}))
    if problems:
        raise ValidationFailed(fields=problems)
    before = dict(row.figures) if row else None
    if row is not None and {**row.figures, **parsed} == row.figures:
        return FiguresDeclared(base_id=base.id, year=data.year, figures=row.figures, changed=False)
    if _evaluated(session, base.id, data.year):
        # Like its evidence: the figures a submitted evaluation read stay as they were read.
        raise Conflict(
            msg(
                "The figures of %(year)s are locked: an evaluation of them has been submitted, and the "
                "figures it read stay as they were.",
                year=data.year,
            ),
            fields={"year": msg("is locked by a submitted evaluation")},
            code="figures_locked",
        )
    if row is None:
        row = BaseYearFigures(base_id=base.id, year=data.year, figures=parsed)
        session.add(row)
    else:
        row.figures = {**row.figures, **parsed}
        row.declared_at = utcnow()
    session.flush()
    add_event(session, base, "figures_declared", actor, year=data.year)
    audit.record(
        session,
        actor=actor,
        action="base.figures",
        entity="base",
        entity_id=base.id,
        before={"year": data.year, "figures": before},
        after={"year": data.year, "figures": row.figures},
    )
    return FiguresDeclared(base_id=base.id, year=data.year, figures=row.figures, changed=True)


def _parse(rubric: Rubric, figures: dict[str, Any]) -> tuple[dict[str, Msg], dict[str, str]]:
    """Each declared figure as plain decimal text, and the problems by field path."""
    declared = {f.code: f for f in rubric.figures}
    problems: dict[str, Msg] = {}
    parsed: dict[str, str] = {}
    for code, raw in figures.items():
        figure = declared.get(code)
        if figure is None:
            problems[f"figures.{code}"] = msg("is not a figure of this kind of base")
            continue
        try:
            parsed[code] = plain(parse_figure(figure, raw))
        except InvalidValue as exc:
            problems[f"figures.{code}"] = exc.rule
    if not figures:
        problems["figures"] = msg("must declare at least one figure")
    return problems, parsed


def correct_figures(
    session: Session, *, actor: Actor, base_id: int, data: FigureCorrectionIn
) -> FigureCorrectionOut:
    """A correction of figures an evaluation has read: a new dated declaration beside them, marked as
    made after that evaluation; the submitted evaluation keeps the figures it read."""
    base = _declarable_base(session, actor=actor, base_id=base_id)
    rubric = performance_rubric(session, base.kind)
    problems, parsed = _parse(rubric, data.figures)
    if not data.reason:
        problems["reason"] = msg("is required: say what is corrected and why")
    if not problems:
        merged = {**figures_as_corrected(session, base.id, data.year), **parsed}
        problems.update(contradictions(rubric, {code: Decimal(v) for code, v in merged.items()}))
    if problems:
        raise ValidationFailed(fields=problems)
    evaluated_at = _evaluated_at(session, base.id, data.year)
    if evaluated_at is None:
        raise Conflict(
            msg(
                "The figures of %(year)s have not been read by a submitted evaluation: change them with "
                "the ordinary declaration of the year's figures instead.",
                year=data.year,
            ),
            fields={"year": msg("is not locked by a submitted evaluation")},
            code="figures_not_locked",
        )
    last = session.scalar(
        select(BaseFigureCorrection)
        .where(BaseFigureCorrection.base_id == base.id, BaseFigureCorrection.year == data.year)
        .order_by(BaseFigureCorrection.id.desc())
        .limit(1)
    )
    if last is not None and last.figures == parsed and last.reason == data.reason:
        return correction_out(last, evaluated_at)  # replay
    row = BaseFigureCorrection(
        base_id=base.id, year=data.year, figures=parsed, reason=data.reason, declared_by_id=actor.user_id
    )
    session.add(row)
    session.flush()
    add_event(session, base, "figures_corrected", actor, year=data.year)
    audit.record(
        session,
        actor=actor,
        action="base.figures_correction",
        entity="base",
        entity_id=base.id,
        after={"correction_id": row.id, "year": data.year, "figures": parsed},
        reason=data.reason,
    )
    return correction_out(row, evaluated_at)


def figures_as_corrected(session: Session, base_id: int, year: int) -> dict[str, str]:
    """The year's declared figures with every later correction laid over them, oldest first."""
    row = session.scalar(
        select(BaseYearFigures).where(BaseYearFigures.base_id == base_id, BaseYearFigures.year == year)
    )
    out = dict(row.figures) if row else {}
    for c in session.scalars(
        select(BaseFigureCorrection)
        .where(BaseFigureCorrection.base_id == base_id, BaseFigureCorrection.year == year)
        .order_by(BaseFigureCorrection.id)
    ):
        out.update(c.figures)
    return out


def _evaluated_at(
    session: Session, base_id: int, year: int, before: datetime | None = None
) -> datetime | None:
    """When the latest evaluation of the base's figures of `year` (before `before`) was submitted."""
    # Compared in Python: SQLite stores these naive, so a bound aware value does not compare in SQL.
    times = session.scalars(
        select(Evaluation.submitted_at).where(
            Evaluation.base_id == base_id,
            Evaluation.year == year,
            Evaluation.status == EvaluationStatus.SUBMITTED,
        )
    )
    return max((t for t in times if t is not None and (before is None or t <= before)), default=None)


def correction_out(row: BaseFigureCorrection, evaluated_at: datetime | None) -> FigureCorrectionOut:
    return FigureCorrectionOut(
        id=row.id,
        year=row.year,
        figures=dict(row.figures),
        reason=row.reason,
        declared_at=row.declared_at,
        evaluated_at=evaluated_at,
    )


def figure_corrections(session: Session, base_id: int) -> list[FigureCorrectionOut]:
    """The base's corrections, each with the date of the evaluation it was made after."""
    rows = session.scalars(
        select(BaseFigureCorrection)
        .where(BaseFigureCorrection.base_id == base_id)
        .order_by(BaseFigureCorrection.year, BaseFigureCorrection.id)
    )
    return [correction_out(r, _evaluated_at(session, base_id, r.year, r.declared_at)) for r in rows]


def evidence_base(
    session: Session, *, actor: Actor, base_id: int, year: int, deleting: bool = False
) -> DesignatedBase:
    """The base whose evidence for `year` the caller may add to (or remove from), row locked.

    The base itself and staff may, unless the title is revoked; removing a file is refused once an
    evaluation of that year has been submitted, since its evaluators read that file."""
    base = _declarable_base(session, actor=actor, base_id=base_id)
    if not 2000 <= year <= common.today().year:
        raise invalid("figures_year", msg("must be a year from 2000 to this year"))
    if deleting and _evaluated(session, base.id, year):
        raise InvalidTransition(
            msg("An evaluation of this year's figures has been submitted; the evidence it read is kept.")
        )
    return base


def _evaluated(session: Session, base_id: int, year: int) -> bool:
    """Whether an evaluation of the base's figures of `year` has been submitted."""
    found = session.scalar(
        select(Evaluation.id)
        .where(
            Evaluation.base_id == base_id,
            Evaluation.year == year,
            Evaluation.status == EvaluationStatus.SUBMITTED,
        )
        .limit(1)
    )
    return found is not None


def indicator_names(rubric: Rubric) -> dict[str, Wording]:
    """Code → wording of each performance indicator, for choosing and labelling evidence."""
    return {i.code: wording(i.text_zh, i.text_en) for i in rubric.indicators()}


def default_evidence_year(figures: FiguresByYear) -> int:
    """The year evidence is most likely for: the latest declared, else last year."""
    return max([common.today().year - 1, *figures.years])


def base_forms(session: Session, *, actor: Actor, base: BaseDetail) -> BaseForms:
    """What the forms of a base's page (one the actor has read) offer to choose from."""
    if not can.can_see_base(actor, organisation_id=base.organisation_id):
        raise NotFound()
    rubric = performance_rubric(session, base.kind)
    return BaseForms(
        indicator_names=dict(indicator_names(rubric)),
        figures=[
            FigureField(code=f.code, name=wording(f.name_zh, f.name_en), unit=f.unit, declared=f.declared)
            for f in rubric.figures
        ],
        default_year=default_evidence_year(base.figures_by_year),
    )


def year_on_year(session: Session, base: DesignatedBase) -> FiguresByYear:
    """Each figure by year, with its change from the year before: for percentages in points
    ("+1.2"), for counts and amounts in units. The designation application's figures are the
    first year (the round's data year)."""
    years: dict[int, dict[str, str]] = {}
    app = session.get(Application, base.application_id)
    rnd = session.get(Round, base.round_id)
    if app is not None and rnd is not None:
        data_year = int(rnd.references.get("data_year", rnd.year - 1))
        figures = effective_figures(app.figures or {}, app.verified_figures or {})
        years[data_year] = {k: plain(v) for k, v in figures.items() if v is not None}
    for row in session.scalars(
        select(BaseYearFigures).where(BaseYearFigures.base_id == base.id).order_by(BaseYearFigures.year)
    ):
        years[row.year] = dict(row.figures)
    rubric = performance_rubric(session, base.kind)
    ordered = sorted(years)
    series = []
    for figure in rubric.figures:
        points = []
        previous: Decimal | None = None
        for year in ordered:
            raw = years[year].get(figure.code)
            value = Decimal(raw) if raw is not None else None
            change = None
            if value is not None and previous is not None:
                change = figure_change(value, previous)
            points.append(FigurePoint(year=year, value=raw, change=change))
            if value is not None:
                previous = value
        if any(p.value is not None for p in points):
            series.append(
                FigureSeries(
                    code=figure.code,
                    name_zh=figure.name_zh,
                    name_en=figure.name_en,
                    type=figure.type,
                    unit=figure.unit,
                    points=points,
                )
            )
    return FiguresByYear(years=ordered, series=series)
