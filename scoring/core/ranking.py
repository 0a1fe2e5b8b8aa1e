"""Pure ranking of one kind's applications: competition ranks, eligibility, the quota line, ties flagged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from scoring.core.aggregate import round2

# Eligibility reasons, in the order they are reported.
FORMAL_CHECK_NOT_PASSED = "formal_check_not_passed"
GATE_FAILED = "gate_failed"
GATE_MISSING = "gate_missing"
SECTION_BELOW_MINIMUM = "section_below_minimum"  # a section scored below the round's minimum for it
NOT_SCOREABLE = "not_scoreable"
BELOW_PASS_LINE = "below_pass_line"

# Decisions: why a row is or is not on the proposed list.
WITHIN_QUOTA = "within_quota"
TIE_AT_QUOTA_LINE = "tie_at_quota_line"
BEYOND_QUOTA = "beyond_quota"
NOT_ELIGIBLE = "not_eligible"

# Flags: things staff should look at.
# TIE_AT_QUOTA_LINE (above) — tied across the quota line; none of the tied rows is proposed.
ROUNDED_TIE = "rounded_tie"  # shows the same 2-place score as a row ranked differently
ROUNDS_TO_PASS_LINE = "rounds_to_pass_line"  # below the pass line, but its 2-place score is not

DEFAULT_PASS_LINE = Decimal(60)


# Named tuples, not dataclasses: a ranking makes one of each per application, and a tuple is built
# several times faster than a frozen dataclass, immutable all the same.
class Candidate(NamedTuple):
    """What the ranking needs about one application; final_score None = not scoreable."""

    application_id: int
    final_score: Decimal | None
    formal_check_passed: bool
    gates_passed: bool | None  # None = a gate cannot be evaluated (figure missing)
    sections_passed: bool = True  # every section with a minimum (a round setting) reaches it


class RankedRow(NamedTuple):
    application_id: int
    final_score: Decimal | None  # exact; round with aggregate.round2/fmt2 only to show it
    rank: int | None  # None = unranked (not scoreable)
    eligible: bool
    reasons: tuple[str, ...]  # eligibility reasons, empty when eligible
    proposed: bool
    decision: str  # within_quota | tie_at_quota_line | beyond_quota | not_eligible
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ProposalResult:
    """All rows in rank order, and what is left for staff when a tie straddles the quota line."""

    rows: tuple[RankedRow, ...]
    quota: int
    seats_left_for_tie: int  # seats the tied rows compete for; 0 when there is no tie at the line
    tie_rank: int | None  # the shared rank of the rows tied at the quota line

    @property
    def proposed_ids(self) -> tuple[int, ...]:
        return tuple(row.application_id for row in self.rows if row.proposed)

    @property
    def tied_ids(self) -> tuple[int, ...]:
        return tuple(row.application_id for row in self.rows if row.decision == TIE_AT_QUOTA_LINE)


def competition_ranks(scores: Mapping[int, Decimal | None]) -> dict[int, int | None]:
    """Standard competition ranking, highest first (1, 2, 2, 4); None scores are unranked.

    Ties are decided on the exact decimals, not on the 2-place rounded ones: DOMAIN §5 keeps exact
    decimals and rounds only for display, so 83.404 ranks above 83.396 although both show as 83.40.
    propose() flags such rows "rounded_tie" so staff can see why equal-looking scores rank apart.
    """
    ranks: dict[int, int | None] = dict.fromkeys(scores)
    ranks.update(_ranked_order(scores))
    return ranks


def _ranked_order(scores: Mapping[int, Decimal | None]) -> dict[int, int]:
    """The scored ids in rank order (equal ranks by id) with their competition ranks."""
    by_id = sorted(app_id for app_id, score in scores.items() if score is not None)
    # Stable: sorting by score, highest first, keeps equal scores in id order.
    ordered = sorted(by_id, key=scores.__getitem__, reverse=True)  # type: ignore[arg-type]
    out: dict[int, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, app_id in enumerate(ordered, start=1):
        score = scores[app_id]
        if score != previous:  # Decimal("83.4") == Decimal("83.40"): one rank
            rank, previous = position, score
        out[app_id] = rank
    return out


ELIGIBLE: tuple[bool, tuple[str, ...]] = (True, ())


def eligibility(candidate: Candidate, pass_line: Decimal) -> tuple[bool, tuple[str, ...]]:
    """Eligible for the proposed list: formal check passed, all gates passed, every section with a
    minimum at or above it, final score ≥ pass line."""
    score = candidate.final_score
    if (
        score is not None
        and candidate.formal_check_passed
        and candidate.gates_passed is True
        and candidate.sections_passed
        and score >= pass_line
    ):
        return ELIGIBLE  # the common case, without building the reasons
    reasons: list[str] = []
    if not candidate.formal_check_passed:
        reasons.append(FORMAL_CHECK_NOT_PASSED)
    if candidate.gates_passed is None:
        reasons.append(GATE_MISSING)
    elif not candidate.gates_passed:
        reasons.append(GATE_FAILED)
    if not candidate.sections_passed:
        reasons.append(SECTION_BELOW_MINIMUM)
    if candidate.final_score is None:
        reasons.append(NOT_SCOREABLE)
    elif candidate.final_score < pass_line:  # exact: 59.996 is below a pass line of 60 though shown "60.00"
        reasons.append(BELOW_PASS_LINE)
    return not reasons, tuple(reasons)


def _shown_scores(
    order: list[tuple[int, int | None]], by_id: Mapping[int, Candidate]
) -> tuple[dict[int, Decimal], set[int]]:
    """The 2-place score shown for each rank, and the ranks whose shown score another rank shares.

    Rounding never reorders, so ranks sharing a shown score are neighbours in rank order: comparing
    each rank's shown score with the previous rank's finds them all.
    """
    shown_of_rank: dict[int, Decimal] = {}
    shared: set[int] = set()
    previous_rank: int | None = None
    previous_shown: Decimal | None = None
    for app_id, rank in order:
        if rank is None or rank == previous_rank:
            continue
        score = by_id[app_id].final_score
        assert score is not None  # ranked rows are the scored ones
        shown = shown_of_rank[rank] = round2(score)
        if shown == previous_shown:
            assert previous_rank is not None
            shared.update((previous_rank, rank))
        previous_rank, previous_shown = rank, shown
    return shown_of_rank, shared


def propose(candidates: Iterable[Candidate], pass_line: Decimal, quota: int) -> ProposalResult:
    """Rank all candidates and propose the eligible ones in rank order up to the quota.

    Rows are in rank order, equal ranks and the unranked (last) by application id. Walking the eligible
    rows rank group by rank group: a group that fits in the seats left is proposed; the first group that
    does not fit while seats remain is a tie across the quota line — every row of it is flagged
    "tie_at_quota_line" and none is proposed (staff decide who takes seats_left_for_tie); every later
    eligible row is beyond the quota. Ineligible rows keep their rank but never take a seat.
    """
    if isinstance(quota, bool) or not isinstance(quota, int) or quota < 0:
        raise ValueError(f"quota must be a non-negative int, got {quota!r}")
    by_id: dict[int, Candidate] = {}
    for candidate in candidates:
        if candidate.application_id in by_id:
            raise ValueError(f"application {candidate.application_id} given twice")
        by_id[candidate.application_id] = candidate
    scored = _ranked_order({app_id: c.final_score for app_id, c in by_id.items()})
    # Rank order, equal ranks by id, the unranked last by id.
    order: list[tuple[int, int | None]] = list(scored.items())
    order.extend((app_id, None) for app_id in sorted(app_id for app_id in by_id if app_id not in scored))

    # One pass in rank order: eligibility, and the eligible rows grouped by rank.
    judged: list[tuple[bool, tuple[str, ...]]] = []
    eligible_groups: dict[int, list[int]] = {}
    for app_id, rank in order:
        verdict = eligibility(by_id[app_id], pass_line)
        judged.append(verdict)
        if verdict[0] and rank is not None:
            group = eligible_groups.get(rank)
            if group is None:
                eligible_groups[rank] = [app_id]
            else:
                group.append(app_id)
    shown_of_rank, rounded_tie_ranks = _shown_scores(order, by_id)

    decision: dict[int, str] = {}
    seats = quota
    seats_left_for_tie = 0
    tie_rank: int | None = None
    for rank, group in eligible_groups.items():  # insertion order is rank order
        if tie_rank is None and len(group) <= seats:
            outcome = WITHIN_QUOTA
            seats -= len(group)
        elif tie_rank is None and seats > 0:
            outcome = TIE_AT_QUOTA_LINE
            tie_rank, seats_left_for_tie = rank, seats
        else:
            outcome = BEYOND_QUOTA
        for app_id in group:
            decision[app_id] = outcome

    rows: list[RankedRow] = []
    for (app_id, rank), (eligible, reasons) in zip(order, judged, strict=True):
        score = by_id[app_id].final_score
        row_decision = decision.get(app_id, NOT_ELIGIBLE)
        flags: tuple[str, ...] = ()
        if rank is not None:
            assert score is not None
            shown = shown_of_rank[rank]
            tied = row_decision == TIE_AT_QUOTA_LINE
            rounded_tie = rank in rounded_tie_ranks
            to_pass = score < pass_line <= shown
            if tied or rounded_tie or to_pass:
                flags = tuple(
                    flag
                    for flag, on in (
                        (TIE_AT_QUOTA_LINE, tied),
                        (ROUNDED_TIE, rounded_tie),
                        (ROUNDS_TO_PASS_LINE, to_pass),
                    )
                    if on
                )
        rows.append(
            RankedRow(
                app_id, score, rank, eligible, reasons, row_decision == WITHIN_QUOTA, row_decision, flags
            )
        )
    return ProposalResult(
        rows=tuple(rows), quota=quota, seats_left_for_tie=seats_left_for_tie, tie_rank=tie_rank
    )
