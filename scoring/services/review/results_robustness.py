"""The robustness of a kind's proposed list, from its ranking: the pure core fed with the panel's sheets."""

from __future__ import annotations

from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core import robustness as core
from scoring.core.actors import Actor
from scoring.core.aggregate import Method, fmt2
from scoring.core.i18n import Msg, current_locale, msg
from scoring.services.review import ranking as ranking_service
from scoring.services.review.results_schemas import FlipOut, RobustnessOut
from scoring.store.models import Expert, Panel, Sheet

SCENARIO_METHODS: dict[str, Msg] = {
    "mean": msg("the mean of all sheets"),
    "median": msg("the median sheet"),
    "trimmed_mean": msg("the trimmed mean"),
}
PLACES: dict[str, Msg] = {
    core.ON: msg("on the list"),
    core.TIE: msg("tied at the quota line"),
    core.OFF: msg("off the list"),
}


def assess_ranking(session: Session, ranking: ranking_service.KindRanking) -> dict[int, core.Verdict]:
    """Verdicts for the applications near a line (one select for the expert of each sheet)."""
    sheet_ids = [sid for row in ranking.rows for sid, _ in row.totals]
    experts: dict[int, int] = {}
    if sheet_ids:
        experts = dict(
            session.execute(
                select(Sheet.id, Sheet.expert_id)
                .join(Panel, Panel.id == Sheet.panel_id)
                .where(Panel.round_id == ranking.round_id, Panel.kind == ranking.kind)
            ).all()
        )
    entries = [
        core.Entry(
            application_id=row.application_id,
            sheets=tuple((sid, experts[sid], total) for sid, total in row.totals),
            data_points=row.data_points,
            formal_check_passed=row.status in ranking_service.FORMAL_CHECK_PASSED,
            gates_passed=None
            if any(g.result == "missing" for g in row.gates)
            else all(g.result == "pass" for g in row.gates),
        )
        for row in ranking.rows
    ]
    return core.assess(
        entries, method=cast(Method, ranking.method), pass_line=ranking.pass_line, quota=ranking.quota
    )


def expert_names(session: Session, verdicts: dict[int, core.Verdict]) -> dict[int, str]:
    ids = {
        f.scenario.subject for v in verdicts.values() for f in v.flips if f.scenario.kind == core.LEAVE_OUT
    }
    if not ids:
        return {}
    return dict(session.execute(select(Expert.id, Expert.name).where(Expert.id.in_(ids))).all())


def scenario_text(scenario: core.Scenario, names: dict[int, str]) -> Msg:
    if scenario.kind == core.METHOD:
        return msg("scored by %(method)s", method=SCENARIO_METHODS[str(scenario.subject)])
    if scenario.kind == core.LEAVE_OUT:
        subject = cast(int, scenario.subject)
        return msg("without the sheets of expert %(expert)s", expert=names.get(subject, f"#{subject}"))
    return msg("with calibration-corrected sheet totals")


def verdict_texts(verdict: core.Verdict, names: dict[int, str]) -> list[Msg]:
    """稳健 in one sentence, or 敏感 followed by every scenario that moves the place (in words)."""
    if verdict.robust:
        return [
            msg(
                "Robust: the place holds under the other methods, any single expert left out and calibration."
            )
        ]
    return [
        msg("Sensitive:"),
        *(
            msg(
                "%(scenario)s: %(place)s (%(score)s)",
                scenario=scenario_text(f.scenario, names),
                place=PLACES[f.place],
                score=fmt2(f.final_score) or "—",
            )
            for f in verdict.flips
        ),
    ]


def render_verdict(verdict: core.Verdict, names: dict[int, str], locale: str) -> str:
    head, *rest = (m.render(locale) for m in verdict_texts(verdict, names))
    sep = "; " if locale == "en" else "；"
    return head if not rest else f"{head} {sep.join(rest)}"


def robustness_out(session: Session, *, actor: Actor, round_id: int, kind: str | None) -> list[RobustnessOut]:
    """Staff: the verdict of every application near a line of one kind, in rank order."""
    ranking = ranking_service.get_ranking(session, actor=actor, round_id=round_id, kind=kind)
    verdicts = assess_ranking(session, ranking)
    names = expert_names(session, verdicts)
    locale = current_locale.get()
    out: list[RobustnessOut] = []
    for row in ranking.rows:
        v = verdicts.get(row.application_id)
        if v is None:
            continue
        out.append(
            RobustnessOut(
                application_id=row.application_id,
                applicant=row.applicant,
                final_score=fmt2(v.final_score) or "",
                place=v.place,
                robust=v.robust,
                verdict=render_verdict(v, names, locale),
                flips=[
                    FlipOut(
                        scenario=f.scenario.kind,
                        subject=None
                        if f.scenario.subject is None
                        else names.get(f.scenario.subject, str(f.scenario.subject))
                        if isinstance(f.scenario.subject, int)
                        else str(f.scenario.subject),
                        place=f.place,
                        final_score=fmt2(f.final_score),
                    )
                    for f in v.flips
                ],
            )
        )
    return out
