"""Pure random draw of an expert panel: reproducible from a seed, conflicts of interest excluded, reserves."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

KINDS = ("regional", "university", "enterprise")

# Conflict reasons (DOMAIN §4, 回避), in the order they are reported for one (expert, application) pair.
SAME_AFFILIATION = "same_affiliation"
SAME_DISTRICT = "same_district"  # regional bases only
DECLARED_CONFLICT = "declared_conflict"
CONFLICT_REASONS = (SAME_AFFILIATION, SAME_DISTRICT, DECLARED_CONFLICT)

DEFAULT_MIN_SIZE = 5
DEFAULT_MAX_SIZE = 7
MAX_SEED = 2**63  # seeds are 0 <= seed < 2**63: they fit a signed BigInteger and Random() ignores the sign
# What a replay must run to get the same panel; recorded with every committed draw.
ALGORITHM_VERSION = "draw/2: seed=sha256(secret|contribution|audit head|round|kind)[:48 bits]; Random(seed) "
ALGORITHM_VERSION += "shuffles the pool sorted by id; strata filled first, in draw order, fields sorted"
MIN_SECRET = 16
MIN_CONTRIBUTION = 8


class InvalidPanelSize(ValueError):
    """A panel size outside the round's bounds, or even; ``problem``: not_an_integer, out_of_range, even."""

    def __init__(self, size: object, *, problem: str, min_size: int, max_size: int) -> None:
        self.size = size
        self.problem = problem
        self.min_size = min_size
        self.max_size = max_size
        super().__init__(f"panel size {size!r}: {problem} (allowed: odd, {min_size} to {max_size})")


class PoolTooSmall(ValueError):
    """Some application cannot get ``size`` experts without a conflict from the whole pool.

    missing_by_application: application id → eligible experts missing (only applications short of some);
    total_missing: their sum (sheets that cannot be assigned); more_experts_needed: the fewest further
    conflict-free experts the pool would need (the largest shortfall, or the pool's own shortfall).
    """

    def __init__(self, *, size: int, pool_size: int, missing_by_application: Mapping[int, int]) -> None:
        self.size = size
        self.pool_size = pool_size
        self.missing_by_application = dict(sorted(missing_by_application.items()))
        self.total_missing = sum(self.missing_by_application.values())
        self.more_experts_needed = max(size - pool_size, *self.missing_by_application.values(), 0)
        super().__init__(
            f"the pool of {pool_size} cannot give every application {size} experts without a conflict: "
            f"{self.total_missing} missing over {len(self.missing_by_application)} application(s), "
            f"at least {self.more_experts_needed} more expert(s) needed"
        )


class StrataShort(ValueError):
    """The pool has fewer experts of ``field`` than the strata need (``needed``, ``available``)."""

    def __init__(self, *, field: str, needed: int, available: int) -> None:
        self.field = field
        self.needed = needed
        self.available = available
        super().__init__(f"the pool has {available} expert(s) of field {field!r}; the panel needs {needed}")


@dataclass(frozen=True)
class PoolExpert:
    expert_id: int
    affiliation_org_id: int | None
    district: str | None
    declared_conflict_org_ids: frozenset[int] = frozenset()
    fields: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DrawApplication:
    application_id: int
    org_id: int
    district: str | None


@dataclass(frozen=True)
class Exclusion:
    expert_id: int
    application_id: int
    reason: str  # one of CONFLICT_REASONS


@dataclass(frozen=True)
class DrawResult:
    """A panel draw. With ``pool`` (the expert ids drawn from) and ``seed`` it can be replayed exactly.

    reserves may be longer than reserves_requested: see draw_panel. assignments maps each application to
    its experts in panel order (members first, then reserves). exclusions lists every conflict between a
    panel expert (member or reserve) and an application, ordered by (application, expert, reason).
    """

    seed: int
    kind: str
    size: int
    reserves_requested: int
    pool: tuple[int, ...]
    members: tuple[int, ...]
    reserves: tuple[int, ...]
    assignments: dict[int, tuple[int, ...]] = field(default_factory=dict)
    exclusions: tuple[Exclusion, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (application ids as string keys), e.g. for the panel's stored result."""
        return {
            "seed": self.seed,
            "kind": self.kind,
            "size": self.size,
            "reserves_requested": self.reserves_requested,
            "pool": list(self.pool),
            "members": list(self.members),
            "reserves": list(self.reserves),
            "assignments": {str(app_id): list(ids) for app_id, ids in self.assignments.items()},
            "exclusions": [
                {"expert_id": e.expert_id, "application_id": e.application_id, "reason": e.reason}
                for e in self.exclusions
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DrawResult:
        return cls(
            seed=int(data["seed"]),
            kind=str(data["kind"]),
            size=int(data["size"]),
            reserves_requested=int(data["reserves_requested"]),
            pool=tuple(int(x) for x in data["pool"]),
            members=tuple(int(x) for x in data["members"]),
            reserves=tuple(int(x) for x in data["reserves"]),
            assignments={int(k): tuple(int(x) for x in v) for k, v in data["assignments"].items()},
            exclusions=tuple(
                Exclusion(int(e["expert_id"]), int(e["application_id"]), str(e["reason"]))
                for e in data["exclusions"]
            ),
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_panel_size(
    size: object,
    *,
    min_size: int = DEFAULT_MIN_SIZE,
    max_size: int = DEFAULT_MAX_SIZE,
    require_odd: bool = True,
) -> None:
    """Raise InvalidPanelSize unless size is an int within [min_size, max_size] and (by default) odd."""
    if not (_is_int(min_size) and _is_int(max_size) and 1 <= min_size <= max_size):
        raise ValueError(f"panel size bounds must satisfy 1 <= min <= max, got {min_size!r}, {max_size!r}")
    problem: str | None = None
    if not isinstance(size, int) or isinstance(size, bool):
        problem = "not_an_integer"
    elif not min_size <= size <= max_size:
        problem = "out_of_range"
    elif require_odd and size % 2 == 0:
        problem = "even"
    if problem is not None:
        raise InvalidPanelSize(size, problem=problem, min_size=min_size, max_size=max_size)


def conflict_reasons(expert: PoolExpert, application: DrawApplication, *, kind: str) -> tuple[str, ...]:
    """Why this expert may not score this application; empty when there is no conflict."""
    reasons: list[str] = []
    if expert.affiliation_org_id is not None and expert.affiliation_org_id == application.org_id:
        reasons.append(SAME_AFFILIATION)
    if (
        kind == "regional"
        and expert.district is not None
        and application.district is not None
        and expert.district == application.district
    ):
        reasons.append(SAME_DISTRICT)
    if application.org_id in expert.declared_conflict_org_ids:
        reasons.append(DECLARED_CONFLICT)
    return tuple(reasons)


def draw_order(pool: Iterable[PoolExpert], seed: int) -> list[PoolExpert]:
    """The pool sorted by expert id, then shuffled by random.Random(seed): independent of input order."""
    order = sorted(pool, key=lambda expert: expert.expert_id)
    random.Random(seed).shuffle(order)
    return order


def draw_panel(
    pool: Iterable[PoolExpert],
    applications: Iterable[DrawApplication],
    *,
    kind: str,
    size: int,
    reserves: int,
    seed: int,
    strata: Mapping[str, int] | None = None,
) -> DrawResult:
    """Draw a panel of ``size`` members and at least ``reserves`` reserves, and assign every application.

    With ``strata`` (expert field -> how many members of it), the order of step 1 is first
    rearranged by stratify(): the members then cover every field, still a function of the seed.

    1. Order the pool with draw_order(pool, seed). Members are the first ``size`` experts of the order.
    2. Each application's experts are the first ``size`` experts of the order without a conflict for it
       (a conflict excludes the expert for that application only, not from the panel): the members
       without a conflict, topped up by reserves in reserve order.
    3. The panel is the shortest prefix of the order that holds ``size + reserves`` experts (or the whole
       pool, if smaller) and gives every application its ``size`` experts: when the requested reserves
       are not enough, the reserve list is extended with the next experts of the order (conflicted or
       not, so it stays a prefix) until every application is covered. The extension is therefore also a
       function of the seed and the pool only.
    4. If even the whole pool cannot cover some application, or has fewer than ``size`` experts, raise
       PoolTooSmall saying how many eligible experts each such application lacks.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    if not _is_int(size) or size < 1:
        raise ValueError(f"size must be an int >= 1, got {size!r}")
    if not _is_int(reserves) or reserves < 0:
        raise ValueError(f"reserves must be an int >= 0, got {reserves!r}")
    if not _is_int(seed) or not 0 <= seed < MAX_SEED:
        raise ValueError(f"seed must be an int with 0 <= seed < 2**63, got {seed!r}")
    experts = _unique(pool, lambda e: e.expert_id, "expert")
    apps = sorted(
        _unique(applications, lambda a: a.application_id, "application"), key=lambda a: a.application_id
    )

    order = draw_order(experts, seed)
    if strata:
        order = stratify(order, strata, size=size)
    reasons = {
        (expert.expert_id, app.application_id): found
        for expert in order
        for app in apps
        if (found := conflict_reasons(expert, app, kind=kind))
    }
    eligible_positions = {
        app.application_id: [
            position
            for position, expert in enumerate(order)
            if (expert.expert_id, app.application_id) not in reasons
        ]
        for app in apps
    }
    missing = {
        app_id: size - len(positions)
        for app_id, positions in eligible_positions.items()
        if len(positions) < size
    }
    if missing or len(order) < size:
        raise PoolTooSmall(size=size, pool_size=len(order), missing_by_application=missing)

    panel_length = max(
        [min(size + reserves, len(order))]
        + [positions[size - 1] + 1 for positions in eligible_positions.values()]
    )
    panel = [expert.expert_id for expert in order[:panel_length]]
    assignments = {
        app_id: tuple(panel[position] for position in positions[:size])
        for app_id, positions in eligible_positions.items()
    }
    on_panel = set(panel)
    exclusions = tuple(
        Exclusion(expert_id, app_id, reason)
        for (expert_id, app_id), found in sorted(reasons.items(), key=lambda item: (item[0][1], item[0][0]))
        if expert_id in on_panel
        for reason in found
    )
    return DrawResult(
        seed=seed,
        kind=kind,
        size=size,
        reserves_requested=reserves,
        pool=tuple(sorted(e.expert_id for e in experts)),
        members=tuple(panel[:size]),
        reserves=tuple(panel[size:]),
        assignments=assignments,
        exclusions=exclusions,
    )


def stratify(order: Sequence[PoolExpert], strata: Mapping[str, int], *, size: int) -> list[PoolExpert]:
    """The draw order with the experts that fill the strata moved to the front (in draw order).

    Fields are taken in sorted order; each takes its count from the experts of the field not yet
    taken, in draw order (an expert fills at most one stratum). The rest follow in draw order, so the
    first ``size`` experts cover every stratum. Raises StrataShort naming the first field that is short.
    """
    wanted = {str(f): int(n) for f, n in strata.items() if int(n) > 0}
    if sum(wanted.values()) > size:
        raise ValueError(f"strata need {sum(wanted.values())} members; the panel has {size}")
    taken: set[int] = set()
    for name in sorted(wanted):
        available = [e.expert_id for e in order if name in e.fields and e.expert_id not in taken]
        if len(available) < wanted[name]:
            raise StrataShort(field=name, needed=wanted[name], available=len(available))
        taken.update(available[: wanted[name]])
    return [e for e in order if e.expert_id in taken] + [e for e in order if e.expert_id not in taken]


def commitment_of(secret: str) -> str:
    """The commitment recorded before the draw: SHA-256 of the secret one staff member keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


def derive_seed(*, secret: str, contribution: str, audit_head_hash: str, round_id: int, kind: str) -> int:
    """The seed nobody chooses: it mixes a secret committed to in advance with values fixed only later
    (a second staff member's contribution and the audit chain's head at the draw). 48 bits."""
    material = "|".join((secret, contribution, audit_head_hash, str(round_id), kind)).encode()
    return int.from_bytes(hashlib.sha256(material).digest()[:6], "big")


def next_reserve(
    reserves: DrawResult | Sequence[int],
    application_id: int,
    busy_expert_ids: Collection[int],
    conflicts: Iterable[Exclusion | tuple[int, int]],
) -> int | None:
    """The replacement when an expert declines or declares a conflict for one application.

    reserves: the reserve expert ids in reserve order (or the DrawResult). busy_expert_ids: experts who
    already hold a sheet for this application, in any status (declined ones included, so they are never
    picked again). conflicts: (expert_id, application_id) pairs or Exclusion rows — the draw's exclusions
    plus conflicts declared since. Returns the first reserve that is neither busy nor conflicted for this
    application, or None when the reserves are exhausted.
    """
    order = reserves.reserves if isinstance(reserves, DrawResult) else tuple(reserves)
    blocked = set(busy_expert_ids)
    for item in conflicts:
        expert_id, app_id = (item.expert_id, item.application_id) if isinstance(item, Exclusion) else item
        if app_id == application_id:
            blocked.add(expert_id)
    return next((expert_id for expert_id in order if expert_id not in blocked), None)


def _unique(items: Iterable[T], key: Callable[[T], int], what: str) -> list[T]:
    seen: set[int] = set()
    out: list[T] = []
    for item in items:
        ident = key(item)
        if ident in seen:
            raise ValueError(f"{what} {ident} given twice")
        seen.add(ident)
        out.append(item)
    return out
