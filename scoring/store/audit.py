"""Append-only audit events chained by SHA-256, keyed checkpoints of the chain, and their verification.

Each event's hash is SHA-256(prev_hash + canonical JSON of its content), so editing, deleting or
reordering any row breaks the chain from that row on. Writers serialise on the chain tail
(an advisory lock on PostgreSQL; SQLite transactions already hold the write lock).

The chain alone does not hold against someone who can write the table: they can recompute every
later hash (a re-chain), drop the last rows or empty it. Checkpoints (scoring.store.checkpoints) pin
the head every N events and at every publication with an HMAC under a key the database never
holds; verification names a forged checkpoint, a re-chain, a missing tail and a truncation.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from sqlalchemy import Table, exists, func, insert, select, text
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.store import checkpoints
from scoring.store.db import utcnow
from scoring.store.models import AuditCheckpoint, AuditEvent, User

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x5C_A0D1  # any constant: one chain, one lock


def jsonable(value: Any) -> Any:
    """Plain JSON values for before/after snapshots: decimals and dates as strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _canonical(event: AuditEvent) -> bytes:
    content = {
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + _canonical(event)).hexdigest()


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: object,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction. Call it last, after the change itself."""
    # The change itself is written first (as the ORM's autoflush would), so the chain's lock is held
    # only for the append; the append's statements then go straight to the connection, without the
    # ORM session's per-statement work.
    session.flush()
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(_PG_LOCK, {"k": _PG_LOCK_KEY})
    # One read for the chain's tail and the newest checkpoint, in a statement begun after the lock
    # is held (read committed: each statement sees what committed before it began).
    tail, last_seq, last_count = conn.execute(_TAIL_AND_CHECKPOINT).one()
    prev = tail or GENESIS
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.user_id,
        actor=actor.username,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=jsonable(before),
        after=jsonable(after),
        reason=reason,
        prev_hash=prev,
    )
    event.hash = compute_hash(prev, event)
    # A Core INSERT, not the ORM's unit of work: the row is written now, under the chain's lock,
    # at a fraction of a flush's cost (audit rows are never changed afterwards).
    event.id = conn.execute(_INSERT, {c: getattr(event, c) for c in _COLUMNS}).scalar_one()
    last = None if last_seq is None else checkpoints.LastCheckpoint(last_seq, last_count)
    checkpoints.after_event(
        session, seq=event.id, head_hash=event.hash, action=action, entity_id=event.entity_id, last=last
    )
    return event


def checkpoint_now(session: Session) -> AuditCheckpoint | None:
    """A manual checkpoint of the current head (None when the trail is empty)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_PG_LOCK, {"k": _PG_LOCK_KEY})
    head = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    if head is None:
        return None
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return checkpoints.write(session, seq=head.id, head_hash=head.hash, event_count=total, reason="manual")


_PG_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
_TAIL = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
_TAIL_AND_CHECKPOINT = select(_TAIL.scalar_subquery(), checkpoints.LAST_SEQ, checkpoints.LAST_COUNT)
_TABLE = cast(Table, AuditEvent.__table__)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
_COLUMNS = (
    "at", "actor_id", "actor", "action", "entity", "entity_id", "before", "after", "reason",
    "prev_hash", "hash",
)  # fmt: skip


# Problems verification names, in the order it looks for them.
PROBLEMS = (
    "broken_link",  # an event's prev_hash is not the previous event's hash: a row removed or moved
    "hash_mismatch",  # an event's content does not give its hash: a row edited
    "forged_checkpoint",  # a checkpoint's HMAC does not verify under AUDIT_KEY
    "rechained",  # the chain at a checkpoint's event has another hash or count: history rewritten
    "missing_tail",  # a checkpoint names an event beyond the end of the chain: the last rows removed
    "truncated",  # the history up to the first checkpoint is gone, or no events beside accounts: emptied
    "checkpoint_missing",  # N or more events since the last checkpoint: checkpoints removed
)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_id: int | None = None
    problem: str | None = None  # one of PROBLEMS
    checkpoints: int = 0
    checkpoint_id: int | None = None  # the checkpoint that does not hold, when one does not
    head_seq: int | None = None
    head_hash: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "first_bad_id": self.first_bad_id,
            "problem": self.problem,
            "checkpoints": self.checkpoints,
            "checkpoint_id": self.checkpoint_id,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "detail": self.detail,
        }


_EVENT_COLS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.actor_id,
    AuditEvent.actor,
    AuditEvent.action,
    AuditEvent.entity,
    AuditEvent.entity_id,
    AuditEvent.before,
    AuditEvent.after,
    AuditEvent.reason,
    AuditEvent.prev_hash,
    AuditEvent.hash,
)


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain in id order, then hold it against every keyed checkpoint.

    Reports the first problem found (see PROBLEMS). A chain that verifies is complete and unaltered
    up to its last checkpoint, under the assumption that AUDIT_KEY was never known to whoever could
    write the database; events after the last checkpoint are covered by the chain only.
    """
    marks = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq, AuditCheckpoint.id)))
    at_seq: dict[int, tuple[str, int]] = {}  # event id -> (hash, events up to it), for checkpointed ids
    wanted = {m.seq for m in marks}
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(*_EVENT_COLS).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        )
        seen = False
        for row in rows:
            seen = True
            ev = AuditEvent(**{c.key: getattr(row, c.key) for c in _EVENT_COLS})  # transient, never added
            if ev.prev_hash != prev:
                return ChainReport(ok=False, events=count, first_bad_id=ev.id, problem="broken_link")
            if compute_hash(prev, ev) != ev.hash:
                return ChainReport(ok=False, events=count, first_bad_id=ev.id, problem="hash_mismatch")
            prev = ev.hash
            count += 1
            last_id = ev.id
            if ev.id in wanted:
                at_seq[ev.id] = (ev.hash, count)
        if not seen:
            break
    head = (last_id or None, prev if last_id else None)
    base: dict[str, Any] = {
        "events": count,
        "checkpoints": len(marks),
        "head_seq": head[0],
        "head_hash": head[1],
    }
    for mark in marks:
        if not checkpoints.mac_ok(mark):
            return ChainReport(
                ok=False, problem="forged_checkpoint", checkpoint_id=mark.id, first_bad_id=mark.seq,
                detail=f"checkpoint {mark.id} (event {mark.seq}) does not verify under AUDIT_KEY", **base,
            )  # fmt: skip
    for mark in marks:
        found = at_seq.get(mark.seq)
        if found == (mark.head_hash, mark.event_count):
            continue
        # How many of the events the checkpoint vouches for are still there decides the name.
        kept = (
            session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= mark.seq)) or 0
        )
        if found is None and kept < mark.event_count:
            # Nothing the first checkpoint vouches for is left: the table was emptied (then appended to).
            problem = "truncated" if kept == 0 or mark is marks[0] else "missing_tail"
        else:
            problem = "rechained"
        return ChainReport(
            ok=False, problem=problem, checkpoint_id=mark.id,
            first_bad_id=mark.seq if found else min(last_id, mark.seq) + 1 if kept else None,
            detail=(
                f"checkpoint {mark.id} vouches for event {mark.seq} ({mark.head_hash[:12]}…) after "
                f"{mark.event_count} events; the chain holds "
                + (f"{found[0][:12]}… after {found[1]} events there" if found else f"{kept} events up to it")
            ),
            **base,
        )  # fmt: skip
    if count == 0 and session.scalar(select(exists().where(User.id.is_not(None)))):
        return ChainReport(
            ok=False, problem="truncated", detail="the trail is empty but accounts exist", **base
        )
    last_seq = marks[-1].seq if marks else 0
    since = count - (marks[-1].event_count if marks else 0)
    if since >= checkpoints.interval():
        return ChainReport(
            ok=False, problem="checkpoint_missing", first_bad_id=last_seq + 1 if last_seq else None,
            detail=f"{since} events since the last checkpoint; one is written every {checkpoints.interval()}",
            **base,
        )  # fmt: skip
    return ChainReport(ok=True, **base)


# ---- public anchors -----------------------------------------------------------------------------

_ANCHOR = re.compile(r"^\s*(\d{1,18}):([0-9a-f]{64})\s*$")


def parse_anchor(anchor: str) -> tuple[int, str]:
    """SEQ:HASH (an event id, a colon, 64 lowercase hex digits) → (seq, hash); ValueError otherwise."""
    found = _ANCHOR.match(anchor or "")
    if found is None or int(found.group(1)) < 1:
        raise ValueError("an anchor is SEQ:HASH — an event number, a colon and 64 hexadecimal digits")
    return int(found.group(1)), found.group(2)


@dataclass(frozen=True)
class AnchorReport:
    """Whether today's chain extends an anchor (seq, hash) someone saved.

    problem: "chain_broken" (the chain itself does not verify, so nothing can be proven),
    "anchor_beyond_head" (the trail ends before the anchor's event: a missing tail, or an anchor of
    another installation), "anchor_mismatch" (the event at seq has another hash, or is gone: the
    history up to the anchor was rewritten, or the anchor is another installation's).
    """

    ok: bool
    seq: int
    hash: str
    problem: str | None = None
    trail_hash: str | None = None  # the hash the trail holds at seq
    published: bool = False  # the anchor is one this installation printed at a publication

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seq": self.seq,
            "hash": self.hash,
            "problem": self.problem,
            "trail_hash": self.trail_hash,
            "published": self.published,
        }


def verify_anchor(
    session: Session, seq: int, anchor_hash: str, chain: ChainReport | None = None
) -> AnchorReport:
    """Prove that the verified chain passes through (seq, anchor_hash): every event up to the anchor
    is then the one that was there when the anchor was taken (the chain hashes all of them)."""
    chain = chain or verify_chain(session)
    trail_hash = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == seq))
    published = bool(
        session.scalar(
            select(exists().where(
                AuditCheckpoint.seq == seq, AuditCheckpoint.head_hash == anchor_hash,
                AuditCheckpoint.reason == "publication",
            ))
        )
    )  # fmt: skip
    common: dict[str, Any] = {
        "seq": seq,
        "hash": anchor_hash,
        "trail_hash": trail_hash,
        "published": published,
    }
    if not chain.ok:
        return AnchorReport(ok=False, problem="chain_broken", **common)
    if trail_hash is None and (chain.head_seq or 0) < seq:
        return AnchorReport(ok=False, problem="anchor_beyond_head", **common)
    if trail_hash != anchor_hash:
        return AnchorReport(ok=False, problem="anchor_mismatch", **common)
    return AnchorReport(ok=True, **common)


def publication_anchors(session: Session) -> list[AuditCheckpoint]:
    """The anchors printed at each publication, oldest first."""
    return list(
        session.scalars(
            select(AuditCheckpoint)
            .where(AuditCheckpoint.reason == "publication")
            .order_by(AuditCheckpoint.seq)
        )
    )
