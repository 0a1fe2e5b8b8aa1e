"""The ranking as its typed read model: rows with everything that explains their place.

Built for up to 20,000 rows: models are made without validation (the values are already what the
fields say), and gate and data-indicator results, shared by every application with the same
figures (see ranking._Judge), are built once per distinct result.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, overload

from scoring.core.aggregate import fmt2
from scoring.core.consistency import KENDALL_METHODS, KENDALL_REASONS
from scoring.core.gates import GateResult
from scoring.core.i18n import Msg, current_locale, translate
from scoring.services.review.ranking import DataIndicator, KindRanking, Row, bulk, reasons_of
from scoring.services.review.schemas import (
    CalibrationOut,
    ConsistentRankingOut,
    DataIndicatorHead,
    Explanation,
    GateHead,
    KendallOut,
    RankingDataIndicator,
    RankingGate,
    RankingOut,
    RankingRow,
    Reason,
)


class _Builder:
    """Texts are rendered here, in the request's locale, with each msgid looked up once per ranking."""

    def __init__(self, ranking: KindRanking) -> None:
        self.ranking = ranking
        self.locale = current_locale.get()
        self.en = self.locale == "en"
        self._templates: dict[str, str] = {}
        self._gates: dict[int, list[RankingGate]] = {}
        self._data: dict[int, list[RankingDataIndicator]] = {}
        self._points: dict[Decimal, str | None] = {}

    def text(self, message: Msg) -> str:
        template = self._templates.get(message.msgid)
        if template is None:
            template = self._templates[message.msgid] = translate(message.msgid, self.locale)
        params = message.params
        if not params or any(isinstance(v, Msg) for v in params.values()):
            return message.render(self.locale)
        try:
            return template % params
        except (KeyError, ValueError, TypeError):
            return message.render(self.locale)  # translate() falls back to the msgid itself

    def points(self, value: Decimal) -> str | None:
        text = self._points.get(value)
        if text is None:
            text = self._points[value] = fmt2(value)
        return text

    def gates(self, gates: tuple[GateResult, ...]) -> list[RankingGate]:
        out = self._gates.get(id(gates))
        if out is None:
            out = self._gates[id(gates)] = [
                RankingGate(
                    code=g.code,
                    text=g.text_en if self.en else g.text_zh,
                    result=g.result,
                    detail=g.detail,
                    reason=None if g.reason is None else g.reason.render(self.locale),
                )
                for g in gates
            ]
        return out

    def data(self, indicators: tuple[DataIndicator, ...]) -> list[RankingDataIndicator]:
        out = self._data.get(id(indicators))
        if out is None:
            out = self._data[id(indicators)] = [
                RankingDataIndicator(
                    code=d.code,
                    points=fmt2(d.points),
                    max_points=fmt2(d.max_points),
                    result=d.result,
                    detail=d.detail,
                )
                for d in indicators
            ]
        return out

    def row(self, row: Row) -> RankingRow:
        panel = row.panel
        return RankingRow(
            application_id=row.application_id,
            applicant=row.applicant,
            organisation_id=row.organisation_id,
            district=row.district,
            kind=row.kind,
            status=row.status,
            panel_score=fmt2(panel.value),
            data_points=self.points(row.data_points),
            final_score=fmt2(row.final),
            sheets_submitted=row.sheets_submitted,
            sheets_expected=row.sheets_expected,
            gates=self.gates(row.gates),
            eligible=row.eligible,
            rank=row.rank,
            proposed=row.proposed,
            decision=row.decision,
            flags=list(row.flags),
            explanation=Explanation(
                method=panel.method,
                used_sheet_ids=list(panel.used),
                dropped_sheet_ids=list(panel.dropped),
                reasons=[Reason(code=c, text=self.text(t)) for c, t in reasons_of(row, self.ranking)],
                data_indicators=self.data(row.data_indicators),
                outliers=list(row.outliers),
                spread=None if row.spread is None else self.points(row.spread),
            ),
        )


def _fmt4(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.0001')):f}"


@overload
def ranking_out(
    ranking: KindRanking, *, offset: int = 0, limit: int | None = None, consistency: Literal[False] = False
) -> RankingOut: ...


@overload
def ranking_out(
    ranking: KindRanking, *, offset: int = 0, limit: int | None = None, consistency: Literal[True]
) -> ConsistentRankingOut: ...


@overload
def ranking_out(
    ranking: KindRanking, *, offset: int = 0, limit: int | None = None, consistency: bool
) -> RankingOut: ...


def ranking_out(
    ranking: KindRanking, *, offset: int = 0, limit: int | None = None, consistency: bool = False
) -> RankingOut:
    """A summary of the kind and its rows in rank order (optionally one page of them); with
    consistency, Kendall's W and each expert's calibration (left unset otherwise)."""
    with bulk():
        return _ranking_out(ranking, offset=offset, limit=limit, consistency=consistency)


def _ranking_out(ranking: KindRanking, *, offset: int, limit: int | None, consistency: bool) -> RankingOut:
    rows = ranking.rows[offset : None if limit is None else offset + limit]
    nxt = offset + len(rows) if limit is not None and offset + len(rows) < len(ranking.rows) else None
    builder = _Builder(ranking)
    fields: dict[str, Any] = {
        "round_id": ranking.round_id,
        "kind": ranking.kind,
        "method": ranking.method,
        "quota": ranking.quota,
        "pass_line": fmt2(ranking.pass_line),
        "outlier_threshold": fmt2(ranking.outlier_threshold),
        "seats_left_for_tie": ranking.seats_left_for_tie,
        "tie_rank": ranking.tie_rank,
        "proposed": list(ranking.proposed_ids),
        "count": len(ranking.rows),
        "gates": [
            GateHead(code=g.code, text=g.text_en if builder.en else g.text_zh) for g in ranking.rubric.gates
        ],
        "data_indicators": [
            DataIndicatorHead(
                code=ind.code,
                max_points=fmt2(ind.max_points),
                text=ind.text_en if builder.en else ind.text_zh,
            )
            for ind in ranking.rubric.indicators()
            if ind.kind == "data"
        ],
        "rows": [builder.row(r) for r in rows],
        "next_cursor": None if nxt is None else str(nxt),
    }
    if consistency:
        k = ranking.kendall
        # Information for staff only: never changes a score.
        calibration = {
            str(expert_id): CalibrationOut(
                applications=c.n_applications,
                mean=fmt2(c.mean),
                sd=fmt2(c.sd),
                panel_mean=fmt2(c.panel_mean),
                difference=fmt2(c.difference),
                mean_z=fmt2(c.mean_z),
            )
            for expert_id, c in ranking.calibration.items()
        }
        kendall = KendallOut(
            w=_fmt4(k.w),
            experts=k.m,
            applications=k.n,
            method=k.method,
            method_text=KENDALL_METHODS[k.method].render(current_locale.get()),
            reason=k.reason,
            reason_text=None if k.reason is None else KENDALL_REASONS[k.reason].render(current_locale.get()),
        )
        return ConsistentRankingOut(**fields, kendalls_w=kendall, calibration=calibration)
    return RankingOut(**fields)
