"""Stored panel aggregates: the table, and keeping it equal to what the sheets say in the transaction
that changes them.

Every ORM flush that adds, deletes or changes a sheet's status, total, panel, application or expert (a
submission, a reopening, a declaration of conflict, a replacement, a panel's new sheets), or moves an
application to another round or kind, or changes a round's method or outlier threshold, rewrites the
aggregates of the applications concerned before the flush returns: same transaction, same commit.
Autosave's Core UPDATE touches drafts only, which no aggregate reads. Rows written by Core bulk
inserts (benchmarks, imports) need `rebuild`, which `shuangchuang ranking repair` runs. The listener
lives with the model so that it is registered wherever the models are imported.
"""

from __future__ import annotations

import typing
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Connection,
    ForeignKey,
    Index,
    String,
    Text,
    delete,
    event,
    insert,
    inspect,
    select,
    type_coerce,
)
from sqlalchemy.orm import Mapped, Session, UOWTransaction, mapped_column

from scoring.core.lifecycle import SheetStatus
from scoring.core.panel_aggregate import aggregate, effective_method, effective_threshold, encode
from scoring.core.vocabulary import BaseKind
from scoring.store.db import Base, Money, enum_check, utcnow
from scoring.store.models.panels import Panel, Sheet
from scoring.store.models.rounds import Application, Round

_SHEET_FIELDS = ("status", "total", "panel_id", "application_id", "expert_id")
_APPLICATION_FIELDS = ("round_id", "kind")
_ROUND_FIELDS = ("method", "outlier_threshold")
_CHUNK = 500  # ids per IN list


class PanelAggregate(Base):
    """What the ranking reads instead of an application's sheets (kept by the flush listener below).

    Derived data: written in the transaction that changes a sheet, and recomputable at any time from
    the sheets (`shuangchuang ranking repair`). `detail` is scoring.core.panel_aggregate's text.
    """

    __tablename__ = "panel_aggregates"
    __table_args__ = (
        Index("ix_panel_aggregates_round_kind", "round_id", "kind"),
        enum_check("kind", BaseKind),
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # The round and kind whose panel's sheets were read (the application's when written).
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"))
    kind: Mapped[str] = mapped_column(String(16))
    sheets_expected: Mapped[int]
    sheets_submitted: Mapped[int]
    method: Mapped[str] = mapped_column(String(16))  # the round's method the derived values are for
    outlier_threshold: Mapped[str] = mapped_column(String(40))  # exact decimal text
    detail: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


def _columns(app_id: int, round_id: int, kind: str, method: str | None, threshold: Decimal | None,
             sheets: list[tuple[int, int, Decimal]], expected: int) -> dict[str, Any]:  # fmt: skip
    m, t = effective_method(method), effective_threshold(threshold)
    agg = aggregate(sheets, expected, m, t)
    return {
        "application_id": app_id,
        "round_id": round_id,
        "kind": kind,
        "sheets_expected": expected,
        "sheets_submitted": len(agg.totals),
        "method": m,
        "outlier_threshold": str(t),
        "detail": encode(agg),
        "updated_at": utcnow(),
    }


def compute(conn: Connection, application_ids: Collection[int] | None = None) -> dict[int, dict[str, Any]]:
    """The aggregates the sheets say now, as column values, for the given applications (None: every
    application with a sheet in its own round's panel of its kind). Applications without sheets get none."""
    money = typing.cast(Money, Sheet.total.type)
    stored_total = type_coerce(Sheet.total, money.load_dialect_impl(conn.dialect))
    query = (
        select(
            Application.id,
            Application.round_id,
            Application.kind,
            Round.method,
            Round.outlier_threshold,
            Sheet.id,
            Sheet.expert_id,
            Sheet.status,
            stored_total,
        )
        .join(Application, Application.id == Sheet.application_id)
        .join(Panel, Panel.id == Sheet.panel_id)
        .join(Round, Round.id == Application.round_id)
        .where(Panel.round_id == Application.round_id, Panel.kind == Application.kind)
    )
    rows: list[Any] = []
    if application_ids is None:
        rows = list(conn.execute(query))
    else:
        ids = sorted(set(application_ids))
        for start in range(0, len(ids), _CHUNK):
            rows.extend(conn.execute(query.where(Application.id.in_(ids[start : start + _CHUNK]))))
    heads: dict[int, tuple[int, str, str | None, Decimal | None]] = {}
    sheets: dict[int, list[tuple[int, int, Decimal]]] = defaultdict(list)
    expected: dict[int, int] = defaultdict(int)
    for app_id, round_id, kind, method, threshold, sheet_id, expert_id, status, raw in rows:
        heads[app_id] = (round_id, kind, method, threshold)
        if status == SheetStatus.DECLINED:
            continue
        expected[app_id] += 1
        if status == SheetStatus.SUBMITTED and raw is not None:
            total = typing.cast(Decimal, money.process_result_value(raw, conn.dialect))
            sheets[app_id].append((sheet_id, expert_id, total))
    return {
        app_id: _columns(app_id, *head, sheets[app_id], expected[app_id]) for app_id, head in heads.items()
    }


def refresh(conn: Connection, application_ids: Iterable[int]) -> None:
    """Rewrite the stored aggregates of these applications from their sheets."""
    ids = sorted(set(application_ids))
    if not ids:
        return
    fresh = compute(conn, ids)
    for start in range(0, len(ids), _CHUNK):
        conn.execute(
            delete(PanelAggregate).where(PanelAggregate.application_id.in_(ids[start : start + _CHUNK]))
        )
    if fresh:
        conn.execute(insert(PanelAggregate), list(fresh.values()))


_COMPARED = (
    "round_id",
    "kind",
    "sheets_expected",
    "sheets_submitted",
    "method",
    "outlier_threshold",
    "detail",
)


@dataclass(frozen=True)
class RebuildReport:
    checked: int  # applications with sheets
    missing: tuple[int, ...]  # application ids without a stored aggregate
    different: tuple[int, ...]  # stored but not what the sheets say
    extra: tuple[int, ...]  # stored for an application without sheets

    @property
    def fixed(self) -> int:
        return len(self.missing) + len(self.different) + len(self.extra)


def rebuild(conn: Connection) -> RebuildReport:
    """Recompute every aggregate from the sheets, rewrite those that differ and report which did."""
    fresh = compute(conn)
    stored = {
        row.application_id: row._mapping
        for row in conn.execute(select(*(getattr(PanelAggregate, c) for c in ("application_id", *_COMPARED))))
    }
    missing = tuple(sorted(a for a in fresh if a not in stored))
    extra = tuple(sorted(a for a in stored if a not in fresh))
    different = tuple(
        sorted(a for a in fresh if a in stored and any(fresh[a][c] != stored[a][c] for c in _COMPARED))
    )
    changed = [*missing, *different, *extra]
    for start in range(0, len(changed), _CHUNK):
        conn.execute(
            delete(PanelAggregate).where(PanelAggregate.application_id.in_(changed[start : start + _CHUNK]))
        )
    rewrite = [fresh[a] for a in (*missing, *different)]
    if rewrite:
        conn.execute(insert(PanelAggregate), rewrite)
    return RebuildReport(checked=len(fresh), missing=missing, different=different, extra=extra)


def _changed(obj: object, fields: tuple[str, ...]) -> bool:
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in fields)


def _touched(session: Session) -> tuple[set[int], set[int]]:
    """Applications, and rounds, whose stored aggregates this flush makes stale."""
    apps: set[int] = set()
    rounds: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Sheet) and obj.application_id is not None:
            apps.add(obj.application_id)
    for obj in session.deleted:
        if isinstance(obj, Sheet) and obj.application_id is not None:
            apps.add(obj.application_id)
    for obj in session.dirty:
        if isinstance(obj, Sheet) and _changed(obj, _SHEET_FIELDS):
            apps.add(obj.application_id)
            apps.update(v for v in inspect(obj).attrs.application_id.history.deleted if isinstance(v, int))
        elif isinstance(obj, Application) and _changed(obj, _APPLICATION_FIELDS):
            apps.add(obj.id)
        elif isinstance(obj, Round) and _changed(obj, _ROUND_FIELDS):
            rounds.add(obj.id)
    return apps, rounds


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    # Still the pre-flush new/dirty/deleted lists and attribute histories here (SQLAlchemy's contract).
    apps, rounds = _touched(session)
    if not apps and not rounds:
        return
    conn = session.connection()
    if rounds:
        apps.update(
            conn.execute(
                select(PanelAggregate.application_id).where(PanelAggregate.round_id.in_(rounds))
            ).scalars()
        )
    refresh(conn, apps)


event.listen(Session, "after_flush", _after_flush)
