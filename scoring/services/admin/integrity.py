"""Evidence against an insider, for auditors and staff: verification, anchors, reconciliation, the trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import NotFound, invalid
from scoring.core.i18n import Msg, Text, msg
from scoring.core.permissions.integrity import can_checkpoint, can_read_evidence
from scoring.core.schema import Schema
from scoring.store import audit, queries
from scoring.store.models import AuditCheckpoint
from scoring.store.reconcile import reconcile

PROBLEM_TEXT: dict[str, Msg] = {
    "broken_link": msg("An event does not follow the one before it: a row was removed or moved."),
    "hash_mismatch": msg("An event's content does not match its hash: a row was edited."),
    "forged_checkpoint": msg("A checkpoint does not verify under the audit key: it was forged or altered."),
    "rechained": msg(
        "The chain no longer passes through a checkpoint's event: the history was rewritten and re-hashed."
    ),
    "missing_tail": msg(
        "A checkpoint vouches for events beyond the end of the chain: the last rows were removed."
    ),
    "truncated": msg("The audit trail is empty although it cannot be: it was emptied."),
    "checkpoint_missing": msg("Too many events since the last checkpoint: checkpoints were removed."),
    "chain_broken": msg("The chain does not verify, so no anchor can be proven against it."),
    "anchor_beyond_head": msg(
        "The trail ends before the anchor's event: its last rows were removed, or the anchor comes from "
        "another installation."
    ),
    "anchor_mismatch": msg(
        "The trail holds another event at the anchor's number: the history before the anchor was "
        "rewritten, or the anchor comes from another installation."
    ),
}
ANCHOR_RULE = msg("must be SEQ:HASH — an event number, a colon and 64 hexadecimal digits")
INTACT = msg("The audit trail is intact: %(events)s events, %(checkpoints)s keyed checkpoints.")
EXTENDS = msg("Today's chain extends the anchor %(seq)s.")
CONSISTENT = msg("The live tables agree with the audit trail.")
DIFFERENT = msg("%(count)s difference(s) between the audit trail and the live tables.")


class ChainOut(Schema):
    ok: bool
    events: int
    first_bad_id: int | None
    problem: str | None
    checkpoints: int
    checkpoint_id: int | None
    head_seq: int | None
    head_hash: str | None
    detail: str | None
    message: Text


class AnchorOut(Schema):
    ok: bool
    seq: int
    hash: str
    problem: str | None
    trail_hash: str | None
    published: bool
    message: Text


class VerificationOut(Schema):
    ok: bool
    chain: ChainOut
    anchor: AnchorOut | None = None


class DifferenceOut(Schema):
    entity: str
    entity_id: str
    field: str
    trail: Any
    table: Any


class ReconciliationOut(Schema):
    ok: bool
    events: int
    checked: dict[str, int]
    differences: list[DifferenceOut]
    message: Text


class CheckpointOut(Schema):
    id: int
    seq: int
    head_hash: str
    event_count: int
    at: datetime
    reason: str
    round_id: int | None
    anchor: str  # SEQ:HASH, as printed on a published list


class TrailPage(Schema):
    items: list[dict[str, Any]]
    next_cursor: int | None


def _require_reader(actor: Actor) -> None:
    if not can_read_evidence(actor):
        raise NotFound()


def parse_anchor(anchor: str) -> tuple[int, str]:
    try:
        return audit.parse_anchor(anchor)
    except ValueError:
        raise invalid("anchor", ANCHOR_RULE) from None


def chain_out(report: audit.ChainReport) -> ChainOut:
    message = (
        INTACT if report.ok else PROBLEM_TEXT.get(report.problem or "", msg("The audit trail is broken."))
    )
    params = {"events": report.events, "checkpoints": report.checkpoints}
    return ChainOut(**report.as_dict(), message=Msg(message.msgid, params) if report.ok else message)


def anchor_out(report: audit.AnchorReport) -> AnchorOut:
    message = Msg(EXTENDS.msgid, {"seq": report.seq}) if report.ok else PROBLEM_TEXT[report.problem or ""]
    return AnchorOut(**report.as_dict(), message=message)


def verify(session: Session, *, actor: Actor, anchor: str | None = None) -> VerificationOut:
    """The chain against its keyed checkpoints and, given an anchor SEQ:HASH, that the chain extends it."""
    _require_reader(actor)
    parsed = parse_anchor(anchor) if anchor is not None else None  # a malformed anchor: refused first
    chain = audit.verify_chain(session)
    checked = audit.verify_anchor(session, *parsed, chain=chain) if parsed else None
    return VerificationOut(
        ok=chain.ok and (checked is None or checked.ok),
        chain=chain_out(chain),
        anchor=anchor_out(checked) if checked else None,
    )


def reconcile_state(session: Session, *, actor: Actor) -> ReconciliationOut:
    """Replay the trail and compare sheets, applications, bases and publications with the tables."""
    _require_reader(actor)
    report = reconcile(session)
    message = CONSISTENT if report.ok else Msg(DIFFERENT.msgid, {"count": len(report.differences)})
    return ReconciliationOut(
        ok=report.ok,
        events=report.events,
        checked=report.checked,
        differences=[DifferenceOut(**d.as_dict()) for d in report.differences],
        message=message,
    )


def checkpoint_out(row: AuditCheckpoint) -> CheckpointOut:
    return CheckpointOut(
        id=row.id, seq=row.seq, head_hash=row.head_hash, event_count=row.event_count, at=row.at,
        reason=row.reason, round_id=row.round_id, anchor=f"{row.seq}:{row.head_hash}",
    )  # fmt: skip


def list_checkpoints(session: Session, *, actor: Actor) -> list[CheckpointOut]:
    _require_reader(actor)
    rows = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq, AuditCheckpoint.id))
    return [checkpoint_out(r) for r in rows]


def write_checkpoint(session: Session, *, actor: Actor) -> CheckpointOut | None:
    """A manual checkpoint of the head now (staff), e.g. before handing the trail to an auditor."""
    if not can_checkpoint(actor):
        raise NotFound()
    row = audit.checkpoint_now(session)
    return checkpoint_out(row) if row else None


def public_anchors(session: Session) -> list[CheckpointOut]:
    """The chain head at every publication: public, no login, for anyone to save and check later."""
    return [checkpoint_out(r) for r in audit.publication_anchors(session)]


def anchor_of_round(session: Session, round_id: int) -> CheckpointOut | None:
    """The anchor printed on a round's published list (its publication checkpoint)."""
    row = session.scalar(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.reason == "publication", AuditCheckpoint.round_id == round_id)
        .order_by(AuditCheckpoint.seq.desc())
        .limit(1)
    )
    return checkpoint_out(row) if row else None


def trail(
    session: Session, *, actor: Actor, entity: str | None, entity_id: str | None, cursor: int, limit: int
) -> TrailPage:
    """The audit trail in chain order, for auditors (and staff)."""
    _require_reader(actor)
    items = queries.audit_events(session, entity=entity, entity_id=entity_id, after_id=cursor, limit=limit)
    return TrailPage(items=items, next_cursor=items[-1]["id"] if len(items) == limit else None)
