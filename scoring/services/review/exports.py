"""Staff exports of a round. XLSX: one table per worksheet (per kind: ranking, gates, score sheets; then
every decision with its reason), named in the reader's language, each with a title row (issuer, round,
date), a bold frozen header, column widths, 0.00 number formats, codes in words and Beijing times.
CSV: one table of one kind, its header on the first line. Text cells that a spreadsheet would read as a
formula are escaped with a leading apostrophe (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core import ranking as core
from scoring.core.actors import Actor
from scoring.core.aggregate import round2
from scoring.core.errors import NotFound, invalid
from scoring.core.i18n import Msg, current_locale, msg
from scoring.core.permissions.review import can_manage_review
from scoring.services.review import publication
from scoring.services.review import ranking as ranking_service
from scoring.services.review.documents import ISSUER
from scoring.services.review.results_discussions import discussions_of
from scoring.services.review.results_own import why as explain
from scoring.services.review.results_reasons import beijing, decision_records
from scoring.services.review.results_robustness import assess_ranking, expert_names, render_verdict
from scoring.store.models import Application, Expert, Panel, Round, Sheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TABLES = ("ranking", "gates", "sheets")

KIND_NAMES: dict[str, Msg] = {
    "regional": msg("Regional"),
    "university": msg("University"),
    "enterprise": msg("Enterprise"),
}
TABLE_NAMES: dict[str, Msg] = {
    "ranking": msg("%(kind)s ranking"),
    "gates": msg("%(kind)s gates"),
    "sheets": msg("%(kind)s score sheets"),
}
DECISIONS_SHEET = msg("Decisions and reasons")
DECISION_WORDS: dict[str, Msg] = {
    core.WITHIN_QUOTA: msg("within the quota"),
    core.TIE_AT_QUOTA_LINE: msg("tied at the quota line"),
    core.BEYOND_QUOTA: msg("beyond the quota"),
    core.NOT_ELIGIBLE: msg("not eligible"),
}
FLAG_WORDS: dict[str, Msg] = {
    core.TIE_AT_QUOTA_LINE: msg("tied at the quota line"),
    core.ROUNDED_TIE: msg("equal after rounding, ranked apart"),
    core.ROUNDS_TO_PASS_LINE: msg("rounds to the pass line but is below it"),
    ranking_service.OUTLIER_SHEETS: msg("outlier sheet"),
    ranking_service.NOT_SCOREABLE: msg("not scoreable"),
    ranking_service.GATE_FAILED: msg("gate failed"),
    ranking_service.GATE_MISSING: msg("gate not evaluable"),
    ranking_service.SHEETS_MISSING: msg("sheets missing"),
    ranking_service.SECTION_BELOW_MINIMUM: msg("section below its minimum"),
}
GATE_WORDS: dict[str, Msg] = {"pass": msg("met"), "fail": msg("not met"), "missing": msg("cannot be checked")}
YES, NO = msg("yes"), msg("no")
H: dict[str, Msg] = {
    "rank": msg("Rank"),
    "application_id": msg("Application ID"),
    "applicant": msg("Applicant"),
    "district": msg("District"),
    "status": msg("Status"),
    "panel_score": msg("Panel score"),
    "data_points": msg("Data points"),
    "final_score": msg("Final score"),
    "sheets": msg("Sheets submitted / expected"),
    "eligible": msg("Eligible"),
    "proposed": msg("Proposed"),
    "decision": msg("Place against the quota"),
    "flags": msg("Flags"),
    "dropped": msg("Sheets dropped by the trim"),
    "outliers": msg("Outlier sheets"),
    "spread": msg("Spread"),
    "why": msg("Explanation"),
    "robustness": msg("Robustness"),
    "discussion": msg("Panel discussion"),
    "decision_reason": msg("Recorded reason"),
    "decided_by": msg("Decided by"),
    "decided_at": msg("Decided at (Beijing time)"),
    "gate": msg("Gate"),
    "result": msg("Result"),
    "detail": msg("Arithmetic"),
    "note": msg("Note"),
    "sheet_id": msg("Sheet ID"),
    "expert": msg("Expert"),
    "total": msg("Total"),
    "submitted_at": msg("Submitted at (Beijing time)"),
    "kind": msg("Kind"),
    "subject": msg("Decision"),
    "outcome": msg("Outcome"),
    "reason": msg("Reason"),
    "by": msg("By"),
    "at": msg("When (Beijing time)"),
}
TITLE = msg("%(issuer)s · %(round)s · %(table)s · exported on %(date)s")
WIDE = {
    "applicant",
    "why",
    "robustness",
    "discussion",
    "decision_reason",
    "reason",
    "gate",
    "note",
    "subject",
}


@dataclass
class Table:
    """One table: a name, header keys (for widths and formats), header texts and rows of plain values."""

    name: str
    keys: list[str]
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    decimals: set[int] = field(default_factory=set)  # 0-based columns shown with 0.00


def escape_cell(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell: text starting with = + - @ tab or CR gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _num(value: Decimal | None) -> Decimal | None:
    return None if value is None else round2(value)


def _status(status: str | None, locale: str) -> str | None:
    return None if status is None else Msg(status.replace("_", " ")).render(locale)


class _Export:
    def __init__(self, session: Session, rnd: Round, locale: str) -> None:
        self.session = session
        self.rnd = rnd
        self.locale = locale

    def t(self, message: Msg) -> str:
        return message.render(self.locale)

    def yes(self, value: bool) -> str:
        return self.t(YES if value else NO)

    def table(self, table: str, kind: str, keys: Sequence[str]) -> Table:
        """An empty table named for its kind (a worksheet name: at most 31 characters)."""
        template = TABLE_NAMES.get(table, DECISIONS_SHEET)
        name = Msg(template.msgid, {"kind": KIND_NAMES.get(kind, Msg(kind))}).render(self.locale)
        return Table(name=name[:31], keys=list(keys), header=[self.t(H[k]) if k in H else k for k in keys])

    def ranking(self, ranking: ranking_service.KindRanking) -> Table:
        gate_texts = [(g.code, g.text_en if self.locale == "en" else g.text_zh) for g in ranking.rubric.gates]
        keys = [
            "rank", "application_id", "applicant", "district", "status", "panel_score", "data_points",
            "final_score", "sheets", "eligible", "proposed", "decision", "flags", "dropped", "outliers",
            "spread",
        ]  # fmt: skip
        tail = ["why", "robustness", "discussion", "decision_reason", "decided_by", "decided_at"]
        table = self.table("ranking", ranking.kind, keys + [f"gate:{c}" for c, _ in gate_texts] + tail)
        for i, (_code, text) in enumerate(gate_texts):
            table.header[len(keys) + i] = f"{self.t(H['gate'])}: {text}"
        table.decimals = {5, 6, 7, 15}
        records = decision_records(
            self.session,
            round_id=ranking.round_id,
            application_ids=[r.application_id for r in ranking.rows],
            tied_ids=ranking.tied_ids,
        )
        talks = discussions_of(self.session, round_id=ranking.round_id, locale=self.locale)
        verdicts = assess_ranking(self.session, ranking)
        names = expert_names(self.session, verdicts)
        reasons = dict(
            self.session.execute(
                select(Application.id, Application.decision_reason).where(
                    Application.round_id == ranking.round_id, Application.kind == ranking.kind
                )
            ).all()
        )
        ranked = sum(1 for r in ranking.rows if r.rank is not None)
        for row in ranking.rows:
            by_code = {g.code: g for g in row.gates}
            why = " ".join(self.t(text) for text in explain(row, ranking, ranked))
            decided = [r for r in records[row.application_id] if r.outcome is not None]
            last = decided[-1] if decided else None
            verdict = verdicts.get(row.application_id)
            gates = []
            for code, _ in gate_texts:
                g = by_code.get(code)
                gates.append(
                    None if g is None else f"{self.t(GATE_WORDS.get(g.result, Msg(g.result)))} ({g.detail})"
                )
            table.rows.append(
                [
                    row.rank, row.application_id, row.applicant, row.district,
                    _status(row.status, self.locale),
                    _num(row.panel.value), _num(row.data_points), _num(row.final),
                    f"{row.sheets_submitted}/{row.sheets_expected}",
                    self.yes(row.eligible), self.yes(row.proposed),
                    self.t(DECISION_WORDS.get(row.decision, Msg(row.decision))),
                    "；".join(self.t(FLAG_WORDS.get(f, Msg(f))) for f in row.flags) or None,
                    len(row.panel.dropped) or None, len(row.outliers) or None, _num(row.spread),
                    *gates, why or None,
                    None if verdict is None else render_verdict(verdict, names, self.locale),
                    "；".join(f"{d.outcome_text}: {d.reason}" for d in talks.get(row.application_id, []))
                    or None,
                    reasons.get(row.application_id), None if last is None else last.by,
                    None if last is None else beijing(last.at),
                ]
            )  # fmt: skip
        return table

    def gates(self, ranking: ranking_service.KindRanking) -> Table:
        table = self.table(
            "gates", ranking.kind, ["application_id", "applicant", "gate", "result", "detail", "note"]
        )
        for row in ranking.rows:
            for g in row.gates:
                text = g.text_en if self.locale == "en" else g.text_zh
                note = g.reason.render(self.locale) if g.reason is not None else None
                table.rows.append(
                    [row.application_id, row.applicant, text, self.t(GATE_WORDS.get(g.result, Msg(g.result))),
                     g.detail, note]
                )  # fmt: skip
        return table

    def sheets(self, ranking: ranking_service.KindRanking) -> Table:
        indicators = [ind for ind in ranking.rubric.indicators() if ind.kind == "expert"]
        keys = ["sheet_id", "application_id", "applicant", "expert", "status"]
        table = self.table(
            "sheets", ranking.kind, [*keys, *(i.code for i in indicators), "total", "submitted_at"]
        )
        for i, ind in enumerate(indicators):
            table.header[len(keys) + i] = ind.text_en if self.locale == "en" else ind.text_zh
        table.decimals = set(range(len(keys), len(keys) + len(indicators) + 1))
        names = {r.application_id: r.applicant for r in ranking.rows}
        sheets = self.session.execute(
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
            table.rows.append(
                [
                    sheet_id, app_id, names[app_id], expert, _status(status, self.locale),
                    *(_score(scores, ind.code) for ind in indicators), _num(total), beijing(submitted_at),
                ]
            )  # fmt: skip
        return table

    def decisions(self, rankings: Sequence[ranking_service.KindRanking]) -> Table:
        keys = ["application_id", "applicant", "kind", "subject", "outcome", "reason", "by", "at"]
        table = self.table("decisions", "", keys)
        for ranking in rankings:
            names = {r.application_id: r.applicant for r in ranking.rows}
            records = decision_records(
                self.session,
                round_id=ranking.round_id,
                application_ids=list(names),
                tied_ids=ranking.tied_ids,
            )
            for app_id in names:
                for r in records[app_id]:
                    table.rows.append(
                        [app_id, names[app_id], self.t(KIND_NAMES.get(ranking.kind, Msg(ranking.kind))),
                         self.t(r.subject_text), _status(r.outcome, self.locale), r.reason, r.by,
                         beijing(r.at)]
                    )  # fmt: skip
        return table

    def title(self, table: Table) -> str:
        today = publication.china_today().isoformat()
        return self.t(
            Msg(TITLE.msgid, {"issuer": ISSUER, "round": self.rnd.title, "table": table.name, "date": today})
        )


def _score(scores: dict[str, Any] | None, code: str) -> Decimal | None:
    raw = (scores or {}).get(code)
    return None if raw is None else Decimal(str(raw))


def _rankings(
    session: Session, actor: Actor, round_id: int, kinds: list[str] | None
) -> tuple[Round, list[Any]]:
    if not can_manage_review(actor):
        raise NotFound()
    rnd = ranking_service.load_round(session, round_id)
    chosen = kinds if kinds is not None else list(rnd.kinds)
    for kind in chosen:
        ranking_service.require_kind(rnd, kind)
    return rnd, [ranking_service.compute_ranking(session, rnd, kind) for kind in chosen]


def _width(key: str, header: str, values: Iterator[Any]) -> float:
    longest = max([_display_len(header), *(_display_len(v) for v in values)])
    return float(min(max(longest + 2, 8), 60 if key in WIDE else 24))


def _display_len(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters take two columns


def export_xlsx(session: Session, *, actor: Actor, round_id: int) -> bytes:
    """The workbook of the round (texts in the request's locale)."""
    # openpyxl (and the numpy it loads): ~0.5 s and tens of MiB, paid on the first export, not at start-up.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    rnd, rankings = _rankings(session, actor, round_id, None)
    ex = _Export(session, rnd, current_locale.get())
    tables: list[Table] = []
    for ranking in rankings:
        tables += [ex.ranking(ranking), ex.gates(ranking), ex.sheets(ranking)]
    tables.append(ex.decisions(rankings))
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for table in tables:
        ws = book.create_sheet(title=table.name)
        ws.append([escape_cell(ex.title(table))])
        ws["A1"].font = Font(bold=True, size=13)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(table.header), 1))
        ws.append([escape_cell(h) for h in table.header])
        for cell in ws[2]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for values in table.rows:
            ws.append([escape_cell(v) for v in values])
        for col in table.decimals:
            for (cell,) in ws.iter_rows(min_row=3, min_col=col + 1, max_col=col + 1):
                cell.number_format = "0.00"
        for i, key in enumerate(table.keys):
            column = (r[i] for r in table.rows)
            ws.column_dimensions[get_column_letter(i + 1)].width = _width(key, table.header[i], column)
        ws.freeze_panes = "A3"
        ws.print_title_rows = "1:2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def export_csv(
    session: Session, *, actor: Actor, round_id: int, kind: str | None, table: str = "ranking"
) -> str:
    """One table of one kind as CSV, its header on the first line (UTF-8 with a byte-order mark so
    spreadsheet programs read the Chinese), texts in the request's locale."""
    if table not in TABLES:
        raise invalid("table", msg("must be one of: %(tables)s", tables=", ".join(TABLES)))
    rnd, rankings = _rankings(session, actor, round_id, [kind] if kind is not None else [""])
    ex = _Export(session, rnd, current_locale.get())
    chosen: Table = getattr(ex, table)(rankings[0])
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([escape_cell(h) for h in chosen.header])
    for values in chosen.rows:
        writer.writerow([escape_cell(_text(v)) for v in values])
    return buf.getvalue()


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:f}"
    return "" if value is None else value
