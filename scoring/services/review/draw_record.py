"""A panel draw nobody can steer: commit, contribute, reveal; the draw record, and its replay.

1. Staff member A records a commitment: SHA-256 of a secret only A keeps (and the strata, size and
   reserves), before the pool is frozen.
2. Staff member B (never A) records a contribution: a value A could not know when committing.
3. A reveals the secret. It must match the commitment. The seed is derived from the secret, the
   contribution and the audit chain's head at that moment (scoring.core.draw.derive_seed); the pool
   is frozen and the panel drawn (scoring.services.review.panels.draw) with that seed.
The record keeps everything a replay needs — secret, contribution, audit head, seed, algorithm
version, the pool snapshot (experts, fields, affiliations, districts, declared conflicts), the
applications, the strata, exclusions with reasons and the drawn panel — and is written to the audit
trail as well, so altering the stored record is seen by comparing it with the trail.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.draw import (
    ALGORITHM_VERSION,
    MIN_CONTRIBUTION,
    MIN_SECRET,
    DrawApplication,
    DrawResult,
    PoolExpert,
    PoolTooSmall,
    StrataShort,
    commitment_of,
    derive_seed,
    draw_panel,
)
from scoring.core.errors import Conflict, NotFound, invalid
from scoring.core.i18n import Msg, Text, msg
from scoring.core.permissions.integrity import can_read_evidence
from scoring.core.schema import Schema
from scoring.services.review import panels
from scoring.services.review.schemas import MAX_RESERVES
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import AuditEvent, DrawCommitment, Expert, Panel, PanelMember, Round

_HEX64 = "^[0-9a-f]{64}$"


class CommitIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str
    commitment: str = Field(pattern=_HEX64, description="SHA-256 (hex) of a secret you keep")
    strata: dict[str, int] | None = Field(
        default=None, description="expert field -> members needed; omitted: the round's setting for the kind"
    )
    size: int | None = None
    reserves: int | None = Field(default=None, ge=0, le=MAX_RESERVES)


class StrataIn(Schema):
    """How many experts of which fields a panel of one kind needs (a round setting)."""

    model_config = ConfigDict(extra="forbid")

    strata: dict[str, int] = Field(description="expert field -> members needed; empty: no stratification")


class StrataOut(Schema):
    round_id: int
    strata: dict[str, dict[str, int]]  # kind -> expert field -> members needed


class ContributionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=MIN_CONTRIBUTION, max_length=200)


class RevealIn(Schema):
    model_config = ConfigDict(extra="forbid")

    secret: str = Field(min_length=MIN_SECRET, max_length=200)


class CommitmentOut(Schema):
    id: int
    round_id: int
    kind: str
    commitment: str
    strata: dict[str, int]
    size: int | None
    reserves: int | None
    status: str
    committed_by_id: int | None
    committed_at: datetime
    contributed_by_id: int | None
    contributed_at: datetime | None
    panel_id: int | None
    record: dict[str, Any] | None


class ReplayOut(Schema):
    commitment_id: int | None  # None: a panel drawn with a typed seed (no commitment, steerable)
    seed_source: str  # "commitment" | "typed"
    round_id: int
    kind: str
    panel_id: int | None
    matches: bool
    problems: list[str]  # codes: see REPLAY_PROBLEMS
    message: Text


REPLAY_PROBLEMS = {
    "not_drawn": msg("No panel has been drawn from this commitment yet."),
    "secret_mismatch": msg("The recorded secret does not match the commitment."),
    "seed_mismatch": msg(
        "The recorded seed is not the one derived from the secret, contribution and audit head."
    ),
    "audit_head_unknown": msg("The recorded audit head is not an event of the trail with that hash."),
    "panel_mismatch": msg("Drawing again from the record gives another panel than the one recorded."),
    "table_mismatch": msg("The panel in the tables differs from the recorded draw."),
    "trail_mismatch": msg("The stored draw record differs from the copy written to the audit trail."),
}
MATCHES = msg("The draw replays exactly from its record.")


def _require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise NotFound()


def out(row: DrawCommitment) -> CommitmentOut:
    return CommitmentOut(
        id=row.id, round_id=row.round_id, kind=row.kind, commitment=row.commitment, strata=dict(row.strata),
        size=row.size, reserves=row.reserves, status=row.status, committed_by_id=row.committed_by_id,
        committed_at=row.committed_at, contributed_by_id=row.contributed_by_id,
        contributed_at=row.contributed_at, panel_id=row.panel_id, record=row.record,
    )  # fmt: skip


def get_commitment(session: Session, *, actor: Actor, commitment_id: int) -> DrawCommitment:
    _require_staff(actor)
    return _load(session, commitment_id)


def _load(session: Session, commitment_id: int, *, lock: bool = False) -> DrawCommitment:
    stmt = select(DrawCommitment).where(DrawCommitment.id == commitment_id)
    row = session.scalar(stmt.with_for_update() if lock else stmt)
    if row is None:
        raise NotFound()
    return row


def _check_strata(strata: dict[str, int], size: int) -> None:
    for name, count in strata.items():
        if not name.strip() or count < 1:
            raise invalid(f"strata.{name}", msg("must name an expert field and a number of at least 1"))
    if sum(strata.values()) > size:
        raise invalid("strata", msg("need more members (%(need)s) than the panel has (%(size)s)",
                                    need=sum(strata.values()), size=size))  # fmt: skip


def strata_out(rnd: Round) -> StrataOut:
    return StrataOut(round_id=rnd.id, strata={k: dict(v) for k, v in sorted((rnd.strata or {}).items())})


def set_strata(session: Session, *, actor: Actor, round_id: int, kind: str, data: StrataIn) -> Round:
    """Staff set how many experts of which fields a panel of one kind needs, before its commitment."""
    _require_staff(actor)
    rnd = session.scalar(select(Round).where(Round.id == round_id).with_for_update())
    if rnd is None:
        raise NotFound()
    if kind not in rnd.kinds:
        raise invalid("kind", msg("is not a kind this round opens"))
    _check_strata(data.strata, rnd.panel_size)
    committed = session.scalar(
        select(DrawCommitment.id).where(DrawCommitment.round_id == rnd.id, DrawCommitment.kind == kind)
    )
    if committed is not None:
        raise Conflict(
            msg("The draw of this kind is already committed; its strata can no longer change."),
            code="commitment_exists",
        )
    before = dict((rnd.strata or {}).get(kind, {}))
    wanted = dict(sorted(data.strata.items()))
    others = {k: v for k, v in (rnd.strata or {}).items() if k != kind}
    rnd.strata = others | ({kind: wanted} if wanted else {})
    session.flush()
    audit.record(
        session, actor=actor, action="round.strata", entity="round", entity_id=rnd.id,
        before={"kind": kind, "strata": before}, after={"kind": kind, "strata": wanted},
    )  # fmt: skip
    return rnd


def commit(session: Session, *, actor: Actor, round_id: int, data: CommitIn) -> DrawCommitment:
    """Staff member A commits to a secret for one kind of a round, before the pool is frozen."""
    _require_staff(actor)
    rnd = session.scalar(select(Round).where(Round.id == round_id).with_for_update())
    if rnd is None:
        raise NotFound()
    if data.kind not in rnd.kinds:
        raise invalid("kind", msg("is not a kind this round opens"))
    strata = data.strata if data.strata is not None else dict((rnd.strata or {}).get(data.kind, {}))
    _check_strata(strata, data.size if data.size is not None else rnd.panel_size)
    if session.scalar(select(Panel.id).where(Panel.round_id == rnd.id, Panel.kind == data.kind)) is not None:
        raise Conflict(
            msg("A panel has already been drawn for this kind in this round."), code="panel_exists"
        )
    existing = session.scalar(
        select(DrawCommitment.id).where(DrawCommitment.round_id == rnd.id, DrawCommitment.kind == data.kind)
    )
    if existing is not None:
        raise Conflict(
            msg("A commitment for this kind of this round is already recorded (%(id)s).", id=existing),
            code="commitment_exists",
        )
    row = DrawCommitment(
        round_id=rnd.id, kind=data.kind, commitment=data.commitment, strata=dict(sorted(strata.items())),
        size=data.size, reserves=data.reserves, committed_by_id=actor.user_id, committed_at=utcnow(),
        status="committed",
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor, action="draw.commit", entity="draw", entity_id=row.id,
        after={"round_id": rnd.id, "kind": data.kind, "commitment": data.commitment, "strata": row.strata,
               "size": data.size, "reserves": data.reserves, "status": "committed"},
    )  # fmt: skip
    return row


def contribute(session: Session, *, actor: Actor, commitment_id: int, data: ContributionIn) -> DrawCommitment:
    """A second staff member adds a value fixed only after the commitment."""
    _require_staff(actor)
    row = _load(session, commitment_id, lock=True)
    if row.committed_by_id is not None and actor.user_id == row.committed_by_id:
        raise Conflict(
            msg("The contribution must come from a second staff member, not from the one who committed."),
            code="same_staff_member",
        )
    if row.status != "committed":
        raise Conflict(msg("This commitment already has its contribution."), code="already_contributed")
    row.contribution = data.value
    row.contributed_by_id = actor.user_id
    row.contributed_at = utcnow()
    row.status = "contributed"
    session.flush()
    audit.record(
        session, actor=actor, action="draw.contribute", entity="draw", entity_id=row.id,
        before={"status": "committed"}, after={"status": "contributed", "contribution": data.value},
    )  # fmt: skip
    return row


def _digest(record: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def reveal(session: Session, *, actor: Actor, commitment_id: int, data: RevealIn) -> DrawCommitment:
    """Reveal the secret: checked against the commitment, then the seed is derived and the panel drawn."""
    _require_staff(actor)
    row = _load(session, commitment_id, lock=True)
    if row.status == "drawn":
        raise Conflict(msg("This commitment has already been used for a draw."), code="already_drawn")
    if row.status != "contributed" or row.contribution is None:
        raise Conflict(
            msg("A draw needs a second staff member's contribution after the commitment; none is recorded."),
            code="contribution_missing",
        )
    if commitment_of(data.secret) != row.commitment:
        raise invalid("secret", msg("does not match the commitment recorded before the draw"))
    head = session.execute(
        select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    head_seq, head_hash = (head.id, head.hash) if head else (0, audit.GENESIS)
    seed = derive_seed(
        secret=data.secret, contribution=row.contribution, audit_head_hash=head_hash,
        round_id=row.round_id, kind=row.kind,
    )  # fmt: skip
    try:
        panel = panels.draw(
            session, actor=actor, round_id=row.round_id,
            data=panels.DrawIn(kind=row.kind, size=row.size, reserves=row.reserves, seed=seed,
                               strata=dict(row.strata) or None),
        )  # fmt: skip
    except StrataShort as exc:
        raise Conflict(
            msg("The pool has %(available)s expert(s) of the field “%(field)s”; the panel needs %(needed)s.",
                available=exc.available, field=exc.field, needed=exc.needed),
            fields={f"strata.{exc.field}": msg("%(count)s expert(s) missing", count=exc.needed - exc.available)},  # noqa: E501
            code="stratum_short",
        ) from None  # fmt: skip
    inputs = panel.result["inputs"]
    names = dict(session.execute(select(Expert.id, Expert.name).where(
        Expert.id.in_([e["expert_id"] for e in inputs["pool"]]))).all())  # fmt: skip
    record: dict[str, Any] = {
        "algorithm": ALGORITHM_VERSION,
        "round_id": row.round_id,
        "kind": row.kind,
        "commitment": row.commitment,
        "secret": data.secret,
        "contribution": row.contribution,
        "committed_by_id": row.committed_by_id,
        "contributed_by_id": row.contributed_by_id,
        "audit_head": {"seq": head_seq, "hash": head_hash},
        "seed": seed,
        "size": panel.size,
        "reserves_requested": panel.result["reserves_requested"],
        "strata": dict(row.strata),
        "pool": [e | {"name": names.get(e["expert_id"], "")} for e in inputs["pool"]],
        "applications": inputs["applications"],
        "result": {k: panel.result[k] for k in ("members", "reserves", "assignments", "exclusions")},
        "panel_id": panel.id,
    }
    row.record = record
    row.panel_id = panel.id
    row.status = "drawn"
    session.flush()
    audit.record(
        session, actor=actor, action="draw.reveal", entity="draw", entity_id=row.id,
        before={"status": "contributed"},
        after={"status": "drawn", "panel_id": panel.id, "record": record, "record_sha256": _digest(record)},
    )  # fmt: skip
    return row


def draw_committed(
    session: Session,
    *,
    committer: Actor,
    contributor: Actor,
    round_id: int,
    kind: str,
    secret: str,
    contribution: str,
) -> DrawCommitment:
    """The whole flow by two staff members in one go (the demo, scripts): commit, contribute, reveal."""
    row = commit(session, actor=committer, round_id=round_id,
                 data=CommitIn(kind=kind, commitment=commitment_of(secret)))  # fmt: skip
    contribute(session, actor=contributor, commitment_id=row.id, data=ContributionIn(value=contribution))
    return reveal(session, actor=committer, commitment_id=row.id, data=RevealIn(secret=secret))


# ---- reading and replay ------------------------------------------------------------------------


def _require_reader(actor: Actor) -> None:
    if not can_read_evidence(actor):
        raise NotFound()


def rounds_with_draws(session: Session, *, actor: Actor) -> list[tuple[int, str]]:
    """(id, title) of every round that has a commitment or a panel, newest first (staff and auditors)."""
    _require_reader(actor)
    drawn = select(DrawCommitment.round_id).union(select(Panel.round_id))
    rows = session.execute(select(Round.id, Round.title).where(Round.id.in_(drawn)).order_by(Round.id.desc()))
    return [(i, t) for i, t in rows]


def draw_records(session: Session, *, actor: Actor, round_id: int) -> list[CommitmentOut]:
    """Every commitment of a round with its record (staff and auditors)."""
    _require_reader(actor)
    if session.get(Round, round_id) is None:
        raise NotFound()
    rows = session.scalars(
        select(DrawCommitment).where(DrawCommitment.round_id == round_id).order_by(DrawCommitment.id)
    )
    return [out(r) for r in rows]


def _pool(record: dict[str, Any]) -> list[PoolExpert]:
    return [
        PoolExpert(
            expert_id=int(e["expert_id"]), affiliation_org_id=e["affiliation_org_id"], district=e["district"],
            declared_conflict_org_ids=frozenset(int(x) for x in e["declared_conflict_org_ids"]),
            fields=frozenset(e.get("fields", ())),
        )
        for e in record["pool"]
    ]  # fmt: skip


def replay_record(session: Session, row: DrawCommitment) -> ReplayOut:
    """Recompute the seed and every panel from the record; compare with the tables and the trail."""
    problems: list[str] = []
    record = row.record
    if row.status != "drawn" or not record:
        problems.append("not_drawn")
    else:
        try:
            if commitment_of(record["secret"]) != row.commitment or record["commitment"] != row.commitment:
                problems.append("secret_mismatch")
            head = record["audit_head"]
            seed = derive_seed(
                secret=record["secret"], contribution=record["contribution"], audit_head_hash=head["hash"],
                round_id=int(record["round_id"]), kind=record["kind"],
            )  # fmt: skip
            if seed != record["seed"]:
                problems.append("seed_mismatch")
            known = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == int(head["seq"])))
            if int(head["seq"]) and known != head["hash"]:
                problems.append("audit_head_unknown")
            apps = [DrawApplication(int(a["application_id"]), int(a["org_id"]), a["district"])
                    for a in record["applications"]]  # fmt: skip
            again = draw_panel(
                _pool(record), apps, kind=record["kind"], size=int(record["size"]),
                reserves=int(record["reserves_requested"]), seed=seed, strata=record.get("strata") or None,
            )  # fmt: skip
            stored = DrawResult.from_dict(
                record["result"] | {"seed": record["seed"], "kind": record["kind"], "size": record["size"],
                                    "reserves_requested": record["reserves_requested"],
                                    "pool": [e["expert_id"] for e in record["pool"]]}
            )  # fmt: skip
            if again != stored:
                problems.append("panel_mismatch")
        except (KeyError, TypeError, ValueError, PoolTooSmall):
            problems.append("panel_mismatch")
        members = [
            (expert_id, reserve)
            for expert_id, reserve in session.execute(
                select(PanelMember.expert_id, PanelMember.is_reserve)
                .where(PanelMember.panel_id == row.panel_id)
                .order_by(PanelMember.position)
            )
        ]
        result = record.get("result", {})
        drawn = [(i, False) for i in result.get("members", [])] + [
            (i, True) for i in result.get("reserves", [])
        ]
        panel = session.get(Panel, row.panel_id) if row.panel_id else None
        if panel is None or members[: len(drawn)] != drawn or panel.seed != record.get("seed"):
            problems.append("table_mismatch")
        trail = session.scalar(
            select(AuditEvent.after).where(
                AuditEvent.action == "draw.reveal",
                AuditEvent.entity == "draw",
                AuditEvent.entity_id == str(row.id),
            )
        )
        if not isinstance(trail, dict) or trail.get("record") != record:
            problems.append("trail_mismatch")
    message: Msg = MATCHES if not problems else REPLAY_PROBLEMS[problems[0]]
    return ReplayOut(
        commitment_id=row.id, seed_source="commitment", round_id=row.round_id, kind=row.kind,
        panel_id=row.panel_id, matches=not problems, problems=problems, message=message,
    )  # fmt: skip


def _replay_typed(panel: Panel) -> ReplayOut:
    """A panel drawn with a seed staff typed: it can be replayed from its stored inputs, but nothing shows
    the seed was not chosen to steer the draw."""
    ok = panels.replay(panel)
    return ReplayOut(
        commitment_id=None, seed_source="typed", round_id=panel.round_id, kind=panel.kind, panel_id=panel.id,
        matches=ok, problems=[] if ok else ["panel_mismatch"],
        message=MATCHES if ok else REPLAY_PROBLEMS["panel_mismatch"],
    )  # fmt: skip


def replay(session: Session, *, actor: Actor, round_id: int) -> list[ReplayOut]:
    """Replay every draw of a round (staff and auditors): committed ones, then typed-seed panels."""
    _require_reader(actor)
    if session.get(Round, round_id) is None:
        raise NotFound()
    rows = list(
        session.scalars(
            select(DrawCommitment).where(DrawCommitment.round_id == round_id).order_by(DrawCommitment.id)
        )
    )
    committed = [r.panel_id for r in rows if r.panel_id]
    typed = session.scalars(
        select(Panel).where(Panel.round_id == round_id, Panel.id.not_in(committed or [0])).order_by(Panel.id)
    )
    return [replay_record(session, r) for r in rows] + [_replay_typed(p) for p in typed]
