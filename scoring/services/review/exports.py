"""Staff exports of a round: the ranking, the gates and every score sheet, as XLSX (one worksheet per
kind, via openpyxl) and CSV (one kind). Text cells that a spreadsheet would read as a formula are
escaped with a leading apostrophe (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.aggregate import round2
from scoring.core.errors import NotFound
from scoring.core.i18n import msg
from scoring.core.scores import expert_indicator_codes
from scoring.core.timefmt import export_datetime
from scoring.services.review import ranking as ranking_service
from scoring.store.models import Expert, Panel, Sheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_H = {
    "rank": msg("Rank"),
    "application_id": msg("Application ID"),
    "applicant": msg("Applicant"),
    "district": msg("District"),
    "status": msg("Status"),
    "panel_score": msg("Panel score"),
    "data_points": msg("Data points"),
    "final_score": msg("Final score"),
    "sheets_submitted": msg("Sheets submitted"),
    "sheets_expected": msg("Sheets expected"),
    "eligible": msg("Eligible"),
    "proposed": msg("Proposed"),
    "decision": msg("Decision"),
    "flags": msg("Flags"),
    "dropped": msg("Sheets dropped by the trim"),
    "outliers": msg("Outlier sheets"),
    "spread": msg("Spread"),
    "reasons": msg("Reasons"),
    "gate": msg("Gate"),
    "result": msg("Result"),
    "detail": msg("Detail"),
    "sheet_id": msg("Sheet ID"),
    "expert": msg("Expert"),
    "total": msg("Total"),
    "submitted_at": msg("Submitted at"),
}
_BLOCKS = {
    "ranking": msg("Ranking"),
    "gates": msg("Gates"),
    "sheets": msg("Score sheets"),
}


def escape_cell(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell: text starting with = + - @ tab or CR gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _num(value: Decimal | None) -> Decimal | None:
    return None if value is None else round2(value)


def _yes(value: bool) -> str:
    return "Y" if value else "N"


def _rows_of_kind(session: Session, ranking: ranking_service.KindRanking, locale: str) -> Iterator[list[Any]]:
    """The three blocks of one kind, as rows of plain values (Decimal, int, str, None)."""
    h = {k: m.render(locale) for k, m in _H.items()}
    gate_codes = [g.code for g in ranking.rubric.gates]
    yield [_BLOCKS["ranking"].render(locale)]
    yield [
        h["rank"], h["application_id"], h["applicant"], h["district"], h["status"], h["panel_score"],
        h["data_points"], h["final_score"], h["sheets_submitted"], h["sheets_expected"], h["eligible"],
        h["proposed"], h["decision"], h["flags"], h["dropped"], h["outliers"], h["spread"],
        *(f"{h['gate']}:{code}" for code in gate_codes), h["reasons"],
    ]  # fmt: skip
    for row in ranking.rows:
        by_code = {g.code: g.result for g in row.gates}
        reasons = " ".join(text.render(locale) for _, text in ranking_service.reasons_of(row, ranking))
        yield [
            row.rank, row.application_id, row.applicant, row.district, row.status, _num(row.panel.value),
            _num(row.data_points), _num(row.final), row.sheets_submitted, row.sheets_expected,
            _yes(row.eligible), _yes(row.proposed), row.decision, " ".join(row.flags),
            " ".join(map(str, row.panel.dropped)), " ".join(map(str, row.outliers)), _num(row.spread),
            *(by_code.get(code) for code in gate_codes), reasons,
        ]  # fmt: skip
    yield []
    yield [_BLOCKS["gates"].render(locale)]
    yield [h["application_id"], h["applicant"], h["gate"], h["result"], h["detail"], h["reasons"]]
    for row in ranking.rows:
        for g in row.gates:
            reason = g.reason.render(locale) if g.reason is not None else None
            yield [row.application_id, row.applicant, g.code, g.result, g.detail, reason]
    yield []
    yield [_BLOCKS["sheets"].render(locale)]
    codes = expert_indicator_codes(ranking.rubric)
    yield [
        h["sheet_id"], h["application_id"], h["applicant"], h["expert"], h["status"], *codes, h["total"],
        h["submitted_at"],
    ]  # fmt: skip
    names = {r.application_id: r.applicant for r in ranking.rows}
    sheets = session.execute(
        select(Sheet.id, Sheet.application_id, Expert.name, Sheet.status, Sheet.scores, Sheet.total,
               Sheet.submitted_at)
        .join(Panel, Panel.id == Sheet.panel_id)
        .join(Expert, Expert.id == Sheet.expert_id)
        .where(Panel.round_id == ranking.round_id, Panel.kind == ranking.kind)
        .order_by(Sheet.application_id, Sheet.id)
    )  # fmt: skip
    for sheet_id, app_id, expert, status, scores, total, submitted_at in sheets:
        if app_id not in names:
            continue
        yield [
            sheet_id, app_id, names[app_id], expert, status,
            *(_score(scores, code) for code in codes), _num(total),
            _when(submitted_at),
        ]  # fmt: skip


def _score(scores: dict[str, Any] | None, code: str) -> Decimal | None:
    raw = (scores or {}).get(code)
    return None if raw is None else Decimal(str(raw))


def _when(value: datetime | None) -> str | None:
    return export_datetime(value) if value is not None else None  # Beijing time, to the second


def _rankings(session: Session, actor: Actor, round_id: int, kinds: list[str] | None) -> list[Any]:
    if not actor.is_staff:
        raise NotFound()
    rnd = ranking_service.load_round(session, round_id)
    chosen = kinds if kinds is not None else list(rnd.kinds)
    for kind in chosen:
        ranking_service.require_kind(rnd, kind)
    return [ranking_service.compute_ranking(session, rnd, kind) for kind in chosen]


def export_xlsx(session: Session, *, actor: Actor, round_id: int, locale: str = "zh_CN") -> bytes:
    """One worksheet per kind of the round, named by the kind's code."""
    book = Workbook(write_only=True)
    for ranking in _rankings(session, actor, round_id, None):
        ws = book.create_sheet(title=ranking.kind)
        for values in _rows_of_kind(session, ranking, locale):
            ws.append([escape_cell(v) for v in values])
    if not book.worksheets:
        book.create_sheet(title="empty")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def export_csv(
    session: Session, *, actor: Actor, round_id: int, kind: str | None, locale: str = "zh_CN"
) -> str:
    """One kind as CSV (UTF-8 with a byte-order mark so spreadsheet programs read the Chinese)."""
    rankings = _rankings(session, actor, round_id, [kind] if kind is not None else [""])
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    for values in _rows_of_kind(session, rankings[0], locale):
        writer.writerow([escape_cell(_text(v)) for v in values])
    return buf.getvalue()


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    return "" if value is None else value
