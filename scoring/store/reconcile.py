"""State reconciliation: replay the audit trail and compare the state it implies with the live tables.

The trail records, for every state change, the values after it. Replaying them gives each score
sheet's status, scores and total, each application's status (and the staff reason of a decision),
each base's status and each round's status and published bases. A row edited directly in the
tables, or created or removed there, differs from its replayed state and is reported with the
entity, the field, the value in the trail and the value in the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.store.models import Application, AuditEvent, DesignatedBase, Round, Sheet

ABSENT = "(absent)"  # the value reported for a row that exists on one side only


@dataclass(frozen=True)
class Difference:
    entity: str  # sheet | application | base | round
    entity_id: str
    field: str
    trail: Any
    table: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "entity_id": self.entity_id,
            "field": self.field,
            "trail": self.trail,
            "table": self.table,
        }


@dataclass
class ReconcileReport:
    events: int = 0
    checked: dict[str, int] = field(default_factory=dict)  # entity -> rows compared
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "checked": dict(self.checked),
            "differences": [d.as_dict() for d in self.differences],
        }


@dataclass
class _Trail:
    sheets: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)  # (application, expert)
    sheet_keys: dict[int, tuple[int, int]] = field(
        default_factory=dict
    )  # sheet id -> key, as the trail knows
    applications: dict[int, dict[str, Any]] = field(default_factory=dict)
    bases: dict[int, dict[str, Any]] = field(default_factory=dict)
    rounds: dict[int, dict[str, Any]] = field(default_factory=dict)


def _events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(
            session.execute(
                select(
                    AuditEvent.id, AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id,
                    AuditEvent.after, AuditEvent.reason,
                ).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(batch)
            )
        )  # fmt: skip
        if not rows:
            return
        for row in rows:
            yield AuditEvent(
                id=row.id, action=row.action, entity=row.entity, entity_id=row.entity_id,
                after=row.after, reason=row.reason,
            )  # fmt: skip
        last = rows[-1].id


def _new_sheet(trail: _Trail, app_id: int, expert_id: int, sheet_id: int | None = None) -> None:
    trail.sheets[(app_id, expert_id)] = {"status": "assigned", "scores": {}, "total": None}
    if sheet_id is not None:
        trail.sheet_keys[sheet_id] = (app_id, expert_id)


def _replay(session: Session, report: ReconcileReport) -> _Trail:
    trail = _Trail()
    # Sheets created by a draw are named by (application, expert) in the trail; their ids by the table.
    table_keys = {
        sid: (a, e) for sid, a, e in session.execute(select(Sheet.id, Sheet.application_id, Sheet.expert_id))
    }
    for ev in _events(session):
        report.events += 1
        after = ev.after if isinstance(ev.after, dict) else {}
        if ev.entity == "application":
            app = trail.applications.setdefault(int(ev.entity_id), {})
            if "status" in after:
                app["status"] = after["status"]
        elif ev.entity == "round":
            rnd = trail.rounds.setdefault(int(ev.entity_id), {})
            if "status" in after:
                rnd["status"] = after["status"]
            if ev.action == "round.decide":
                for app_id, status in after.get("applications", {}).items():
                    app = trail.applications.setdefault(int(app_id), {})
                    app["status"] = status
                    if ev.reason is not None:
                        app["decision_reason"] = ev.reason
            elif ev.action == "round.publish":
                for app_id in after.get("designated", []):
                    trail.applications.setdefault(int(app_id), {})["status"] = "designated"
                for base_id in after.get("bases", []):
                    trail.bases[int(base_id)] = {"status": "active", "round_id": int(ev.entity_id)}
                rnd["published_bases"] = sorted(int(b) for b in after.get("bases", []))
        elif ev.entity == "objection":
            if "application_status" in after and "application_id" in after:
                trail.applications.setdefault(int(after["application_id"]), {})["status"] = after[
                    "application_status"
                ]
        elif ev.entity == "base":
            if "status" in after:
                trail.bases.setdefault(int(ev.entity_id), {})["status"] = after["status"]
        elif ev.entity == "panel":
            if ev.action == "panel.draw":
                for app_id, expert_ids in after.get("assignments", {}).items():
                    for expert_id in expert_ids:
                        _new_sheet(trail, int(app_id), int(expert_id))
            elif ev.action == "panel.extend":
                for s in after.get("sheets", []):
                    _new_sheet(trail, int(s["application_id"]), int(s["expert_id"]), int(s["id"]))
        elif ev.entity == "sheet":
            sheet_id = int(ev.entity_id)
            key = trail.sheet_keys.get(sheet_id) or table_keys.get(sheet_id)
            if key is None:
                report.differences.append(Difference("sheet", str(sheet_id), "row", "present", ABSENT))
                continue
            trail.sheet_keys[sheet_id] = key
            sheet = trail.sheets.setdefault(key, {"status": "assigned", "scores": {}, "total": None})
            for name in ("status", "scores", "total"):
                if name in after:
                    sheet[name] = after[name]
            replacement = after.get("replacement")
            if isinstance(replacement, dict):
                _new_sheet(trail, key[0], int(replacement["expert_id"]), int(replacement["sheet_id"]))
    return trail


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _scores(value: Any) -> dict[str, Decimal | None]:
    return {str(k): _dec(v) for k, v in (value or {}).items()}


def _shown(value: Any) -> Any:
    """Values as the report shows them: decimals as strings, normalised for a fair comparison."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k: _shown(v) for k, v in sorted(value.items())}
    return value


def reconcile(session: Session) -> ReconcileReport:
    """Replay the whole trail and compare sheets, applications, bases and rounds with the tables."""
    report = ReconcileReport()
    trail = _replay(session, report)
    diffs = report.differences

    def differ(entity: str, ident: object, name: str, trail_value: Any, table_value: Any) -> None:
        if trail_value != table_value:
            diffs.append(Difference(entity, str(ident), name, _shown(trail_value), _shown(table_value)))

    # Sheets.
    seen: set[tuple[int, int]] = set()
    rows = session.execute(
        select(Sheet.id, Sheet.application_id, Sheet.expert_id, Sheet.status, Sheet.scores, Sheet.total)
    )
    ids_of = {key: sid for sid, key in trail.sheet_keys.items()}
    for row in rows:
        key = (row.application_id, row.expert_id)
        ident = row.id
        implied = trail.sheets.get(key)
        if implied is None:
            differ("sheet", ident, "row", ABSENT, "present")
            continue
        seen.add(key)
        if ids_of.get(key, ident) != ident:
            differ("sheet", ident, "id", ids_of[key], ident)
        differ("sheet", ident, "status", implied["status"], row.status)
        differ("sheet", ident, "scores", _scores(implied["scores"]), _scores(row.scores))
        differ("sheet", ident, "total", _dec(implied["total"]), _dec(row.total))
    for key in sorted(set(trail.sheets) - seen):
        differ("sheet", ids_of.get(key, f"application {key[0]} / expert {key[1]}"), "row", "present", ABSENT)
    report.checked["sheet"] = len(trail.sheets)

    # Applications.
    seen_ids: set[int] = set()
    for app_id, status, reason in session.execute(
        select(Application.id, Application.status, Application.decision_reason)
    ):
        implied = trail.applications.get(app_id)
        if implied is None:
            differ("application", app_id, "row", ABSENT, "present")
            continue
        seen_ids.add(app_id)
        differ("application", app_id, "status", implied.get("status", "draft"), status)
        if "decision_reason" in implied:
            differ("application", app_id, "decision_reason", implied["decision_reason"], reason)
    for app_id in sorted(set(trail.applications) - seen_ids):
        differ("application", app_id, "row", "present", ABSENT)
    report.checked["application"] = len(trail.applications)

    # Bases.
    seen_ids = set()
    table_bases: dict[int, list[int]] = {}
    for base_id, status, round_id in session.execute(
        select(DesignatedBase.id, DesignatedBase.status, DesignatedBase.round_id)
    ):
        table_bases.setdefault(round_id, []).append(base_id)
        implied = trail.bases.get(base_id)
        if implied is None:
            differ("base", base_id, "row", ABSENT, "present")
            continue
        seen_ids.add(base_id)
        differ("base", base_id, "status", implied.get("status"), status)
        if "round_id" in implied:
            differ("base", base_id, "round_id", implied["round_id"], round_id)
    for base_id in sorted(set(trail.bases) - seen_ids):
        differ("base", base_id, "row", "present", ABSENT)
    report.checked["base"] = len(trail.bases)

    # Rounds and their publications.
    seen_ids = set()
    for round_id, status in session.execute(select(Round.id, Round.status)):
        implied = trail.rounds.get(round_id)
        if implied is None:
            differ("round", round_id, "row", ABSENT, "present")
            continue
        seen_ids.add(round_id)
        if "status" in implied:
            differ("round", round_id, "status", implied["status"], status)
        if "published_bases" in implied:
            differ("round", round_id, "published_bases", implied["published_bases"],
                   sorted(table_bases.get(round_id, [])))  # fmt: skip
    for round_id in sorted(set(trail.rounds) - seen_ids):
        differ("round", round_id, "row", "present", ABSENT)
    report.checked["round"] = len(trail.rounds)
    diffs.sort(key=lambda d: (d.entity, _sort_id(d.entity_id), d.field))
    return report


def _sort_id(ident: str) -> tuple[int, str]:
    return (int(ident), "") if ident.isdigit() else (1 << 62, ident)
