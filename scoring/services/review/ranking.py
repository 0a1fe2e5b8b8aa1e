"""The ranking of one kind in a round: a fixed handful of set-based selects, then the pure core.

Queries per ranking, whatever the number of applications or sheets: the frozen rubric document, the
applications with their organisation, and the sheets of the kind's panel (four with the round itself).
Columns are selected, not ORM objects, so 20,000 applications × 7 sheets stay cheap.

Over 400 lines: the set-based build is one measured hot path (bench/ranking.py) kept in one place;
its presentation is in ranking_view.py.
"""

from __future__ import annotations

import gc
import json
import threading
import typing
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any, overload

from sqlalchemy import Connection, Text, cast, select, type_coerce
from sqlalchemy.orm import Session

from criteria.schema import Rubric
from scoring.core import ranking as core
from scoring.core.actors import Actor
from scoring.core.aggregate import Method, PanelScore, final_score, fmt2, round2
from scoring.core.consistency import ExpertCalibration, KendallResult, calibration, kendalls_w
from scoring.core.errors import NotFound, invalid
from scoring.core.figures import effective_figures
from scoring.core.gates import GateResult, RuleOutcome, evaluate_gates, evaluate_rule
from scoring.core.i18n import Msg, current_locale, msg
from scoring.core.lifecycle import ApplicationStatus as A
from scoring.core.lifecycle import SheetStatus
from scoring.core.panel_aggregate import (
    DecodedCache,
    PanelAggregate,
    aggregate,
    effective_method,
    effective_threshold,
    empty,
)
from scoring.core.permissions.review import can_manage_review
from scoring.core.scores import data_points
from scoring.core.sections import (
    SectionCheck,
    all_met,
    check_sections,
    is_section,
    parse_minimums,
    section_points,
    sheets_behind,
)
from scoring.core.vocabulary import BASE_KINDS
from scoring.services.designation.rounds import round_references, round_rubric
from scoring.services.review import ranking_cache
from scoring.store.db import Money
from scoring.store.models import Application, Expert, Organisation, Panel, Round, Sheet
from scoring.store.models import PanelAggregate as StoredAggregate
from scoring.store.models.aggregates import compute as compute_aggregates

__all__ = ["KINDS", "KindRanking", "Row", "compute_ranking", "fmt2", "get_ranking", "round2"]

KINDS: tuple[str, ...] = BASE_KINDS
# Applications the ranking lists. "recommended" is waiting for its formal check: listed, never eligible.
FORMAL_CHECK_PASSED: frozenset[str] = frozenset(
    {A.ACCEPTED, A.UNDER_REVIEW, A.SCORED, A.SHORTLISTED, A.NOT_DESIGNATED, A.DESIGNATED}
)
LISTED_STATUSES: tuple[str, ...] = (A.RECOMMENDED, *(s for s in A if s in FORMAL_CHECK_PASSED))

# Flags this layer adds to the pure core's (tie_at_quota_line, rounded_tie, rounds_to_pass_line).
OUTLIER_SHEETS = "outlier_sheets"
NOT_SCOREABLE = "not_scoreable"
GATE_FAILED = "gate_failed"
GATE_MISSING = "gate_missing"
SHEETS_MISSING = "sheets_missing"
SECTION_BELOW_MINIMUM = core.SECTION_BELOW_MINIMUM


@dataclass(frozen=True, slots=True)
class DataIndicator:
    code: str
    points: Decimal
    max_points: Decimal
    result: str  # pass | fail | missing
    detail: str


@dataclass(frozen=True, slots=True)
class Row:
    """One application in the ranking, with everything that explains its place."""

    application_id: int
    organisation_id: int
    applicant: str
    district: str | None
    kind: str
    status: str
    panel: PanelScore
    data_points: Decimal
    final: Decimal | None
    sheets_submitted: int
    sheets_expected: int
    gates: tuple[GateResult, ...]
    data_indicators: tuple[DataIndicator, ...]
    eligible: bool
    rank: int | None
    proposed: bool
    decision: str  # within_quota | tie_at_quota_line | beyond_quota | not_eligible
    eligibility_reasons: tuple[str, ...]
    flags: tuple[str, ...]
    outliers: tuple[int, ...]
    spread: Decimal | None
    totals: tuple[tuple[int, Decimal], ...]  # (sheet id, total) of the submitted sheets
    # The round's section thresholds checked (empty when it sets none); also listed in `gates`.
    sections: tuple[SectionCheck, ...] = ()


class Rows(Sequence[Row]):
    """The ranking's rows in rank order, each built the first time it is read.

    The order, ranks and decisions are settled when the ranking is built (the pure core's rows);
    a Row only presents them with the application's name, gates and panel detail. Building it on
    first read means a page of 250 rows costs 250 rows, not the whole kind. Safe to share between
    threads: building is deterministic, so a race only builds a row twice, and either result is equal.
    """

    __slots__ = ("_built", "_make", "_ranked")

    def __init__(self, ranked: tuple[core.RankedRow, ...], make: Callable[[core.RankedRow], Row]) -> None:
        self._ranked = ranked
        self._make = make
        self._built: list[Row | None] = [None] * len(ranked)

    def __len__(self) -> int:
        return len(self._ranked)

    def _at(self, index: int) -> Row:
        row = self._built[index]
        if row is None:
            row = self._built[index] = self._make(self._ranked[index])
        return row

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Row, ...]: ...

    def __getitem__(self, index: int | slice) -> Row | tuple[Row, ...]:
        if isinstance(index, slice):
            return tuple(self._at(i) for i in range(*index.indices(len(self._ranked))))
        if index < 0:
            index += len(self._ranked)
        if not 0 <= index < len(self._ranked):
            raise IndexError(index)
        return self._at(index)

    def __iter__(self) -> Iterator[Row]:
        for i in range(len(self._ranked)):
            yield self._at(i)

    def __eq__(self, other: object) -> bool:
        """Equal to the same rows, built or not, or to a tuple of them."""
        if isinstance(other, Rows):
            return tuple(self) == tuple(other)
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    @property
    def ranked(self) -> tuple[core.RankedRow, ...]:
        """The pure core's rows (ids, ranks, decisions) without building any Row."""
        return self._ranked


@dataclass(frozen=True)
class KindRanking:
    round_id: int
    kind: str
    method: str
    quota: int
    pass_line: Decimal
    outlier_threshold: Decimal
    rows: Rows  # rank order, built as read
    seats_left_for_tie: int
    tie_rank: int | None
    rubric: Rubric
    aggregates: Mapping[int, PanelAggregate]  # application id -> its panel aggregate

    @cached_property
    def matrix(self) -> Mapping[int, Mapping[int, Decimal]]:
        """Expert id -> application id -> submitted sheet total (only the consistency statistics read it)."""
        out: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for app_id, agg in self.aggregates.items():
            for (_sheet_id, total), expert_id in zip(agg.totals, agg.experts, strict=True):
                out[expert_id][app_id] = total
        return out

    # Consistency statistics are information for staff, computed only when asked for: the ranking
    # itself never depends on them.
    @cached_property
    def kendall(self) -> KendallResult:
        return kendalls_w(self.matrix)

    @cached_property
    def calibration(self) -> Mapping[int, ExpertCalibration]:
        return calibration(self.matrix)

    @property
    def proposed_ids(self) -> tuple[int, ...]:
        return tuple(r.application_id for r in self.rows.ranked if r.proposed)

    @cached_property
    def rendered(self) -> dict[tuple[Any, ...], bytes]:
        """Responses made from this ranking, by what they depend on besides it (see the API route)."""
        return {}

    @cached_property  # every tied row's explanation counts them
    def tied_ids(self) -> tuple[int, ...]:
        return tuple(r.application_id for r in self.rows.ranked if r.decision == core.TIE_AT_QUOTA_LINE)

    @cached_property
    def _positions(self) -> dict[int, int]:
        return {r.application_id: i for i, r in enumerate(self.rows.ranked)}

    def row(self, application_id: int) -> Row | None:
        position = self._positions.get(application_id)
        return None if position is None else self.rows[position]


def _quota(rnd: Round, kind: str) -> int:
    value = (rnd.quotas or {}).get(kind, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class _Judge:
    """Gates and data-indicator points of one rubric, memoised per distinct set of figures.

    Exact: the key is the text of every figure the rubric reads, and the pure functions are
    deterministic, so applications declaring the same figures share one evaluation.
    """

    def __init__(self, rubric: Rubric, references: Mapping[str, Decimal]) -> None:
        self.rubric = rubric
        self.references = references
        self.codes = [f.code for f in rubric.figures]
        self.data_inds = [ind for ind in rubric.indicators() if ind.kind == "data"]
        self.memo: dict[tuple[str, ...], tuple[Any, ...]] = {}
        self.by_text: dict[tuple[str | None, str | None], tuple[Any, ...]] = {}

    def from_text(
        self, declared: str | None, verified: str | None
    ) -> tuple[tuple[GateResult, ...], tuple[DataIndicator, ...], Decimal, bool | None]:
        """The same, from the figures' stored JSON text: equal texts are equal figures, so most
        applications cost a dictionary lookup instead of parsing and comparing their figures."""
        key = (declared, verified)
        hit = self.by_text.get(key)
        if hit is None:
            hit = self.by_text[key] = self(_json(declared), _json(verified))
        return hit

    def __call__(
        self, declared: Mapping[str, Any] | None, verified: Mapping[str, Any] | None
    ) -> tuple[tuple[GateResult, ...], tuple[DataIndicator, ...], Decimal, bool | None]:
        figures: dict[str, Decimal | None] = dict.fromkeys(self.codes)
        figures.update(effective_figures(declared or {}, verified or {}))
        key = tuple(str(figures.get(code)) for code in self.codes)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self._evaluate(figures)
        return hit

    def _evaluate(self, figures: Mapping[str, Decimal | None]) -> tuple[Any, ...]:
        rubric, references = self.rubric, self.references
        gates = tuple(evaluate_gates(rubric, figures, references))
        by_gate = {g.code: g for g in gates}
        points = data_points(rubric, figures, references)
        indicators: list[DataIndicator] = []
        for ind in self.data_inds:
            outcome: RuleOutcome | GateResult
            if ind.gate is not None and ind.gate in by_gate:
                outcome = by_gate[ind.gate]
            else:
                rule = rubric.rule_of(ind)
                if rule is None:
                    continue
                outcome = evaluate_rule(rubric, rule, figures, references)
            indicators.append(
                DataIndicator(
                    code=ind.code,
                    points=points.get(ind.code, Decimal(0)),
                    max_points=ind.max_points,
                    result=outcome.result,
                    detail=outcome.detail,
                )
            )
        if any(g.result == "missing" for g in gates):
            passed: bool | None = None
        else:
            passed = all(g.result == "pass" for g in gates)
        return gates, tuple(indicators), sum(points.values(), Decimal(0)), passed


def _gate_results(gates: tuple[GateResult, ...]) -> frozenset[str]:
    return frozenset(g.result for g in gates)


# Decoded stored aggregates, shared by every build in this process (see DecodedCache: exact, bounded).
# Dictionary reads and writes are atomic under the GIL; a race only decodes an aggregate twice.
DECODED = DecodedCache()

_gc_lock = threading.Lock()
_gc_holders = 0  # rankings being built or rendered right now, in any thread
_gc_resume = False  # whether the collector was running when the first of them began


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while a ranking is built or rendered.

    Such a build allocates tens of thousands of small containers that all stay alive until it ends,
    none of them in a cycle: every generation-2 collection meanwhile walks the whole, growing heap
    for nothing, which makes a large round cost more than linearly (20,000 applications: about
    a third of the time). Reference counting still frees everything as usual. Shared across threads:
    the first to enter pauses the collector, the last to leave resumes it (if it was running).
    """
    global _gc_holders, _gc_resume
    with _gc_lock:
        if _gc_holders == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_resume:
                gc.enable()


def compute_ranking(session: Session, rnd: Round, kind: str) -> KindRanking:
    """The ranking of one kind; no permission check (callers check), no writes. Shared between
    read-only sessions while nothing that can change it is committed (see ranking_cache)."""
    return ranking_cache.cached(session, rnd.id, kind, lambda: _build(session, rnd, kind))


def _build(session: Session, rnd: Round, kind: str) -> KindRanking:
    with bulk():
        return _compute_ranking(session, rnd, kind)


def _compute_ranking(session: Session, rnd: Round, kind: str, *, stored: bool = True) -> KindRanking:
    """The ranking from the stored panel aggregates (`stored`), or recomputed from every sheet."""
    rubric = round_rubric(session, rnd, kind)
    references = round_references(rnd)
    method = effective_method(rnd.method)
    threshold = effective_threshold(rnd.outlier_threshold)

    # Core selects on the session's connection: plain tuples, no ORM identity work per row.
    conn = session.connection()
    columns = [
        Application.id,
        Application.status,
        # As text: the judge parses only the distinct ones (see _Judge.from_text).
        cast(Application.figures, Text).label("figures"),
        cast(Application.verified_figures, Text).label("verified_figures"),
        Application.organisation_id,
        Organisation.name,
        Organisation.district,
    ]
    query = select(*columns)
    if stored:
        query = select(
            *columns,
            StoredAggregate.sheets_expected,
            StoredAggregate.method,
            StoredAggregate.outlier_threshold,
            StoredAggregate.detail,
            StoredAggregate.round_id.label("agg_round_id"),
            StoredAggregate.kind.label("agg_kind"),
        ).outerjoin(StoredAggregate, StoredAggregate.application_id == Application.id)
    apps: typing.Sequence[Any] = conn.execute(
        query.join(Organisation, Organisation.id == Application.organisation_id).where(
            Application.round_id == rnd.id,
            Application.kind == kind,
            Application.status.in_(LISTED_STATUSES),
        )
    ).all()
    # Section thresholds (a round setting, off by default): the only part of the ranking that reads
    # the sheets' scores, so only a round that sets them pays for the select.
    minimums = parse_minimums((rnd.section_minimums or {}).get(kind))
    # Applications whose selected row is unchanged since the last build reuse what it prepared
    # (see PreparedRows); a round with section minimums also reads the sheets, so it never does.
    reuse = stored and not minimums
    context = (rnd.rubric_versions.get(kind), tuple(sorted(references.items())), method, threshold)
    earlier = PREPARED.earlier(rnd.id, kind, context) if reuse else {}
    # One lookup per application (hashing a selected row reads its texts).
    hits = [earlier.get(a) for a in apps] if earlier else [None] * len(apps)
    if stored:
        fresh = [a for a, hit in zip(apps, hits, strict=True) if hit is None]
        aggregates = _stored_aggregates(conn, fresh, rnd.id, kind, method, threshold)
    else:
        aggregates = _recomputed_aggregates(conn, apps, rnd.id, kind, method, threshold)

    judge = _Judge(rubric, references)
    sheet_scores = _sheet_scores(session, rnd.id, kind) if minimums else {}
    formal_passed = FORMAL_CHECK_PASSED
    judged = judge.from_text
    prepared: dict[int, _Prepared] = {}
    candidates: list[core.Candidate] = []
    kept: dict[Any, tuple[_Prepared, core.Candidate]] = {}
    Candidate = core.Candidate
    for a, hit in zip(apps, hits, strict=True):
        app_id = a[0]
        if hit is not None:
            prepared[app_id], candidate = kept[a] = hit
            aggregates[app_id] = hit[0][4]
            candidates.append(candidate)
            continue
        # Positional reads: a result row's named attributes cost a lookup each, per application.
        status, figures, verified = a[1], a[2], a[3]
        gates, indicators, data_total, gates_passed = judged(figures, verified)
        agg = aggregates[app_id]
        final = final_score(agg.panel.value, data_total)
        checks: tuple[SectionCheck, ...] = ()
        if minimums and agg.panel.value is not None:
            behind = [sheet_scores.get(i, {}) for i in sheets_behind(agg.panel, agg.totals)]
            data = {d.code: d.points for d in indicators}
            checks = check_sections(rubric, section_points(rubric, behind, data), minimums)
        prepared[app_id] = (a, gates, indicators, data_total, agg, checks)
        candidate = Candidate(
            app_id, final, status in formal_passed, gates_passed, all_met(checks) if checks else True
        )
        candidates.append(candidate)
        if reuse and _has_stored_aggregate(a, rnd.id, kind):
            kept[a] = (prepared[app_id], candidate)
    if reuse:
        PREPARED.keep(rnd.id, kind, context, kept)

    result = core.propose(candidates, rnd.pass_line, _quota(rnd, kind))

    def make(ranked: core.RankedRow) -> Row:
        return _row(kind, ranked, prepared[ranked.application_id])

    return KindRanking(
        round_id=rnd.id,
        kind=kind,
        method=method,
        quota=result.quota,
        pass_line=rnd.pass_line,
        outlier_threshold=threshold,
        rows=Rows(result.rows, make),
        seats_left_for_tie=result.seats_left_for_tie,
        tie_rank=result.tie_rank,
        aggregates=aggregates,
        rubric=rubric,
    )


# What a row is built from: the selected application, its gates, data indicators and points, its
# panel aggregate and its section checks.
_Prepared = tuple[
    Any,
    tuple[GateResult, ...],
    tuple["DataIndicator", ...],
    Decimal,
    PanelAggregate,
    tuple[SectionCheck, ...],
]


def _row(kind: str, ranked: core.RankedRow, prepared: _Prepared) -> Row:
    a, gates, indicators, data_total, agg, checks = prepared
    panel, flagged, sheet_totals = agg.panel, agg.outliers, agg.totals
    flags = list(ranked.flags)
    if flagged:
        flags.append(OUTLIER_SHEETS)
    if panel.value is None:
        flags.append(NOT_SCOREABLE)
    results = _gate_results(gates)
    if "fail" in results:
        flags.append(GATE_FAILED)
    if "missing" in results:
        flags.append(GATE_MISSING)
    n_expected = agg.expected
    if len(sheet_totals) < n_expected:
        flags.append(SHEETS_MISSING)
    if not all_met(checks):
        flags.append(SECTION_BELOW_MINIMUM)
    return Row(
        application_id=a.id,
        organisation_id=a.organisation_id,
        applicant=a.name,
        district=a.district,
        kind=kind,
        status=a.status,
        panel=panel,
        data_points=data_total,
        final=ranked.final_score,
        sheets_submitted=len(sheet_totals),
        sheets_expected=n_expected,
        gates=gates + tuple(c.as_gate() for c in checks) if checks else gates,
        data_indicators=indicators,
        eligible=ranked.eligible,
        rank=ranked.rank,
        proposed=ranked.proposed,
        decision=ranked.decision,
        eligibility_reasons=ranked.reasons,
        flags=tuple(flags),
        outliers=flagged,
        spread=agg.spread,
        totals=sheet_totals,
        sections=checks,
    )


def _has_stored_aggregate(a: Any, round_id: int, kind: str) -> bool:
    """Whether the selected row carries its own stored aggregate (see _stored_aggregates)."""
    return a[10] is not None and a[11] == round_id and a[12] == kind


class PreparedRows:
    """What the last build of each round and kind prepared per application, by the selected row.

    Exact: the key is the whole selected row (status, figures, organisation, stored aggregate and
    its method) under the same rubric version, references, method and threshold, and preparing is
    deterministic; so after a change only the applications it touched are prepared again. Only
    rows with their own stored aggregate are kept (others are recomputed from their sheets).
    Bounded: the latest build per round and kind, for at most `rounds` of them.
    """

    def __init__(self, rounds: int = 12) -> None:
        self.rounds = rounds
        self.entries: dict[tuple[int, str], tuple[Any, dict[Any, Any]]] = {}

    def earlier(self, round_id: int, kind: str, context: Any) -> Mapping[Any, Any]:
        held = self.entries.get((round_id, kind))
        return held[1] if held is not None and held[0] == context else {}

    def keep(self, round_id: int, kind: str, context: Any, rows: dict[Any, Any]) -> None:
        if len(self.entries) >= self.rounds and (round_id, kind) not in self.entries:
            self.entries.clear()
        self.entries[(round_id, kind)] = (context, rows)

    def clear(self) -> None:
        self.entries.clear()


# Shared by every build in this process; a race only prepares a row twice (dict writes are atomic).
PREPARED = PreparedRows()


def _stored_aggregates(
    conn: Connection, apps: typing.Sequence[Any], round_id: int, kind: str, method: Method, threshold: Decimal
) -> dict[int, PanelAggregate]:
    """Each listed application's stored aggregate. One stored for another round or kind, or none at all
    for an application that has sheets (rows written around the ORM), is recomputed from its sheets."""
    out: dict[int, PanelAggregate] = {}
    missing: list[int] = []
    decode = DECODED.decoder(method, threshold)
    for a in apps:
        # Positional: (id, …, sheets_expected, method, outlier_threshold, detail, round id, kind) as
        # selected in _compute_ranking; a named read costs a lookup each, per application.
        if not _has_stored_aggregate(a, round_id, kind):
            missing.append(a[0])
            continue
        out[a[0]] = decode(a[10], a[7], a[8], a[9])  # detail, sheets expected, method, threshold
    if missing:
        out.update(dict.fromkeys(missing, empty(method, threshold)))
        for app_id, col in compute_aggregates(conn, missing).items():
            out[app_id] = decode(
                col["detail"], col["sheets_expected"], col["method"], col["outlier_threshold"]
            )
    return out


def _recomputed_aggregates(
    conn: Connection, apps: typing.Sequence[Any], round_id: int, kind: str, method: Method, threshold: Decimal
) -> dict[int, PanelAggregate]:
    """Each listed application's aggregate from every sheet of the kind's panel (the reference path)."""
    # Totals are read in their stored form and converted by the column type itself, once per
    # distinct stored value: sheet totals repeat a lot (half-point steps), sheets number in millions.
    money = typing.cast(Money, Sheet.total.type)
    dialect = conn.dialect
    stored_total = type_coerce(Sheet.total, money.load_dialect_impl(dialect))
    sheets = conn.execute(
        select(Sheet.id, Sheet.application_id, Sheet.expert_id, Sheet.status, stored_total)
        .join(Panel, Panel.id == Sheet.panel_id)
        .where(Panel.round_id == round_id, Panel.kind == kind)
    )
    submitted: dict[int, list[tuple[int, int, Decimal]]] = {a.id: [] for a in apps}
    expected: dict[int, int] = dict.fromkeys(submitted, 0)
    for batch in sheets.partitions(500):
        for sheet_id, app_id, expert_id, status, raw in batch:
            got = submitted.get(app_id)
            if got is None or status == SheetStatus.DECLINED:
                continue
            expected[app_id] += 1
            if status == SheetStatus.SUBMITTED and raw is not None:
                total = typing.cast(Decimal, money.process_result_value(raw, dialect))
                got.append((sheet_id, expert_id, total))
    return {app_id: aggregate(got, expected[app_id], method, threshold) for app_id, got in submitted.items()}


def _sheet_scores(session: Session, round_id: int, kind: str) -> dict[int, dict[str, Decimal]]:
    """Every submitted sheet's scores of the kind's panel, by sheet id (exact, from their stored text)."""
    found = session.execute(
        select(Sheet.id, Sheet.scores)
        .join(Panel, Panel.id == Sheet.panel_id)
        .where(Panel.round_id == round_id, Panel.kind == kind, Sheet.status == SheetStatus.SUBMITTED)
    )
    return {i: {code: Decimal(str(v)) for code, v in (raw or {}).items()} for i, raw in found}


def load_round(session: Session, round_id: int) -> Round:
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise NotFound()
    return rnd


def require_kind(rnd: Round, kind: str | None) -> str:
    if kind is None or kind not in rnd.kinds:
        raise invalid("kind", msg("must be one of the round's kinds: %(kinds)s", kinds=", ".join(rnd.kinds)))
    return kind


def get_ranking(session: Session, *, actor: Actor, round_id: int, kind: str | None) -> KindRanking:
    """Staff only: anyone else is told the round's ranking does not exist."""
    if not can_manage_review(actor):
        raise NotFound()
    rnd = load_round(session, round_id)
    return compute_ranking(session, rnd, require_kind(rnd, kind))


def expert_names(session: Session, *, actor: Actor, ranking: KindRanking) -> dict[int, str]:
    """Staff only: the name of every expert with a submitted sheet in the ranking (one select)."""
    if not can_manage_review(actor):
        raise NotFound()
    ids = sorted(ranking.matrix)
    if not ids:
        return {}
    rows = session.execute(select(Expert.id, Expert.name).where(Expert.id.in_(ids)))
    return {expert_id: name for expert_id, name in rows}


# ---- explanations and the API shape ----------------------------------------------------------------


def reasons_of(row: Row, ranking: KindRanking) -> list[tuple[str, Msg]]:
    """Why the row is where it is, as (code, message) pairs: eligibility first, then the quota."""
    out: list[tuple[str, Msg]] = []
    for reason in row.eligibility_reasons:
        if reason == core.FORMAL_CHECK_NOT_PASSED:
            out.append((reason, msg("The formal check has not been passed.")))
        elif reason == core.GATE_FAILED:
            failed = ", ".join(g.code for g in row.gates if g.result == "fail" and not is_section(g.code))
            out.append((reason, msg("A gate is failed: %(gates)s.", gates=failed)))
        elif reason == core.GATE_MISSING:
            missing = ", ".join(g.code for g in row.gates if g.result == "missing")
            out.append(
                (reason, msg("A gate cannot be evaluated (figures missing): %(gates)s.", gates=missing))
            )
        elif reason == core.SECTION_BELOW_MINIMUM:
            zh = current_locale.get() != "en"
            out.extend((reason, c.reason(zh)) for c in row.sections if not c.passed)
        elif reason == core.NOT_SCOREABLE:
            out.append(
                (
                    reason,
                    msg(
                        "Only %(count)s sheet(s) submitted; at least 3 are needed for a panel score.",
                        count=row.sheets_submitted,
                    ),
                )
            )
        elif reason == core.BELOW_PASS_LINE:
            out.append(
                (
                    reason,
                    msg(
                        "The final score %(score)s is below the pass line %(pass_line)s.",
                        score=fmt2(row.final),
                        pass_line=fmt2(ranking.pass_line),
                    ),
                )
            )
    if row.decision == core.WITHIN_QUOTA:
        out.append(
            (
                row.decision,
                msg("Rank %(rank)s is within the quota of %(quota)s.", rank=row.rank, quota=ranking.quota),
            )
        )
    elif row.decision == core.TIE_AT_QUOTA_LINE:
        out.append(
            (
                row.decision,
                msg(
                    "Tied at rank %(rank)s across the quota line: %(tied)s applications for "
                    "%(seats)s seat(s). Staff decide, with a recorded reason.",
                    rank=row.rank,
                    tied=len(ranking.tied_ids),
                    seats=ranking.seats_left_for_tie,
                ),
            )
        )
    elif row.decision == core.BEYOND_QUOTA:
        out.append(
            (
                row.decision,
                msg("Rank %(rank)s is beyond the quota of %(quota)s.", rank=row.rank, quota=ranking.quota),
            )
        )
    return out
