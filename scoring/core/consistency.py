"""Pure consistency statistics of a panel for staff: spread, outlier sheets, Kendall's W, calibration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from scoring.core.aggregate import EXACT, check_totals, mean, median
from scoring.core.i18n import Msg, msg

DEFAULT_OUTLIER_THRESHOLD = Decimal(20)

# matrix[expert_id][application_id] = that expert's sheet total for that application
Matrix = Mapping[int, Mapping[int, Decimal]]


# How W was computed: over every expert with a sheet, or over the largest complete block (some left out).
KENDALL_ALL_EXPERTS = "all_experts"
KENDALL_LARGEST_BLOCK = "largest_block"
# Why W is None.
KENDALL_TOO_FEW_EXPERTS = "too_few_experts"
KENDALL_NO_COMMON_BLOCK = "no_common_block"
KENDALL_ALL_TIED = "all_tied"

KENDALL_REASONS: Mapping[str, Msg] = {
    KENDALL_TOO_FEW_EXPERTS: msg("fewer than two experts have scored"),
    KENDALL_NO_COMMON_BLOCK: msg("no two experts scored the same two applications"),
    KENDALL_ALL_TIED: msg("every expert gave all these applications the same total"),
}
KENDALL_METHODS: Mapping[str, Msg] = {
    KENDALL_ALL_EXPERTS: msg("all experts, over the applications they all scored"),
    KENDALL_LARGEST_BLOCK: msg("largest block of experts and applications scored without gaps"),
}

# Exhaustive search over expert subsets up to this size (2^16 subsets of bitmasks); panels are far smaller.
MAX_SEARCHED_EXPERTS = 16


@dataclass(frozen=True)
class KendallResult:
    w: Decimal | None  # None when no block of 2 × 2 exists or every expert tied everything: see reason
    m: int  # experts included
    n: int  # applications in the complete block
    applications_used: tuple[int, ...]
    experts_used: tuple[int, ...]
    method: str = KENDALL_ALL_EXPERTS
    reason: str | None = None  # a KENDALL_* reason code when w is None


@dataclass(frozen=True)
class ExpertCalibration:
    """How one expert's totals sit against the panels they sat on (information only, never a correction)."""

    expert_id: int
    n_applications: int
    mean: Decimal  # mean of the expert's own totals
    sd: Decimal  # population standard deviation of the expert's own totals
    panel_mean: Decimal  # mean, over the same applications, of each application's panel mean
    difference: Decimal  # mean − panel_mean: > 0 lenient, < 0 severe
    mean_z: Decimal | None  # mean z-score over applications whose panel sd is not 0; None if there are none
    z_applications: int  # how many applications entered mean_z


def spread(totals: Sequence[tuple[int, Decimal]]) -> Decimal | None:
    """Highest minus lowest sheet total of one application; None without sheets."""
    values = [total for _, total in check_totals(totals)]
    if not values:
        return None
    with localcontext(EXACT):
        return max(values) - min(values)


def outliers(
    totals: Sequence[tuple[int, Decimal]], threshold: Decimal = DEFAULT_OUTLIER_THRESHOLD
) -> tuple[int, ...]:
    """Sheet ids whose total is strictly more than threshold from the median of the application's sheets."""
    pairs = check_totals(totals)
    if not pairs:
        return ()
    centre = median(total for _, total in pairs)
    with localcontext(EXACT):
        return tuple(sorted(sheet_id for sheet_id, total in pairs if abs(total - centre) > threshold))


def _average_ranks(scores: Mapping[int, Decimal]) -> tuple[dict[int, Decimal], int]:
    """Ranks 1 = lowest total, tied totals sharing the mean of their positions; and Σ(t³ − t) over ties."""
    ordered = sorted(scores, key=lambda key: scores[key])
    ranks: dict[int, Decimal] = {}
    tie_sum = 0
    start = 0
    while start < len(ordered):
        end = start
        while end + 1 < len(ordered) and scores[ordered[end + 1]] == scores[ordered[start]]:
            end += 1
        t = end - start + 1
        shared = Decimal(start + 1 + end + 1) / 2  # mean of positions start+1 .. end+1: exact halves
        for key in ordered[start : end + 1]:
            ranks[key] = shared
        tie_sum += t**3 - t
        start = end + 1
    return ranks, tie_sum


def _largest_block(rows: Mapping[int, set[int]]) -> tuple[tuple[int, ...], tuple[int, ...]] | None:
    """The experts × applications block with no gaps, ≥ 2 × 2, of the most cells; None if there is none.

    Ties: more applications, then the smallest expert ids (lexicographic), so the choice is deterministic.
    """
    experts = sorted(rows)
    if len(experts) > MAX_SEARCHED_EXPERTS:
        return None
    apps = sorted(set().union(*rows.values()))
    bit = {app_id: 1 << i for i, app_id in enumerate(apps)}
    masks = [sum(bit[a] for a in rows[e]) for e in experts]
    everything = (1 << len(apps)) - 1
    common = [everything] * (1 << len(experts))
    best: tuple[int, int, tuple[int, ...]] | None = None
    best_mask = 0
    for subset in range(1, 1 << len(experts)):
        low = (subset & -subset).bit_length() - 1
        common[subset] = common[subset & (subset - 1)] & masks[low]
        m, n = subset.bit_count(), common[subset].bit_count()
        if m < 2 or n < 2:
            continue
        chosen = tuple(e for i, e in enumerate(experts) if subset >> i & 1)
        key = (m * n, n, tuple(-e for e in chosen))
        if best is None or key > (best[0], best[1], tuple(-e for e in best[2])):
            best, best_mask = (m * n, n, chosen), common[subset]
    if best is None:
        return None
    return best[2], tuple(a for a in apps if best_mask & bit[a])


def kendalls_w(matrix: Matrix) -> KendallResult:
    """Kendall's coefficient of concordance W of the experts' rankings, with the tie correction.

    W needs a complete block: experts who all scored the same applications. Rule: among the experts
    with at least one total, take the block (a subset of experts × the applications every one of them
    scored) of at least 2 × 2 with the most cells, ties to more applications, then to the smallest
    expert ids. With no replacement and no conflict this is every expert over every application
    (method all_experts); after a replacement it leaves out whoever scored least in common
    (largest_block). Panels of more than MAX_SEARCHED_EXPERTS use all experts over their common
    applications. Each expert ranks those applications, 1 = lowest total, ties averaged (W is the same
    for either direction). With rank sums R_i, S = Σ(R_i − m(n+1)/2)² and T_j = Σ(t³ − t) over the tie
    groups of expert j: W = 12·S / (m²(n³ − n) − m·ΣT_j).
    """
    rows = {expert_id: set(row) for expert_id, row in matrix.items() if row}
    all_experts = tuple(sorted(rows))
    block = _largest_block(rows) if len(all_experts) >= 2 else None
    if block is None:
        common: set[int] = set(rows[all_experts[0]]) if all_experts else set()
        for expert_id in all_experts[1:]:
            common &= rows[expert_id]
        experts, applications = all_experts, tuple(sorted(common))
    else:
        experts, applications = block
    method = KENDALL_ALL_EXPERTS if experts == all_experts else KENDALL_LARGEST_BLOCK
    m, n = len(experts), len(applications)
    if m < 2 or n < 2:
        reason = KENDALL_TOO_FEW_EXPERTS if m < 2 else KENDALL_NO_COMMON_BLOCK
        return KendallResult(
            w=None,
            m=m,
            n=n,
            applications_used=applications,
            experts_used=experts,
            method=method,
            reason=reason,
        )
    rank_sums = dict.fromkeys(applications, Decimal(0))
    tie_total = 0
    for expert_id in experts:
        row = check_totals([(app_id, matrix[expert_id][app_id]) for app_id in applications])
        ranks, tie_sum = _average_ranks(dict(row))
        tie_total += tie_sum
        for app_id in applications:
            rank_sums[app_id] += ranks[app_id]
    with localcontext(EXACT):
        centre = Decimal(m * (n + 1)) / 2
        s = sum(((r - centre) ** 2 for r in rank_sums.values()), Decimal(0))
        denominator = m * m * (n**3 - n) - m * tie_total
        w = None if denominator == 0 else 12 * s / denominator
    return KendallResult(
        w=w,
        m=m,
        n=n,
        applications_used=applications,
        experts_used=experts,
        method=method,
        reason=KENDALL_ALL_TIED if w is None else None,
    )


def _population_sd(values: Sequence[Decimal], centre: Decimal) -> Decimal:
    with localcontext(EXACT):
        variance = sum(((v - centre) ** 2 for v in values), Decimal(0)) / len(values)
        return variance.sqrt()


def calibration(matrix: Matrix) -> dict[int, ExpertCalibration]:
    """Per expert: own mean and sd against the panel means of the same applications, and the mean z-score.

    An application's panel mean and (population) sd are over every expert's total for it in the matrix,
    the expert's own included; z = (total − panel mean) / panel sd, skipping applications with sd 0.
    Experts without totals are left out.
    """
    by_application: dict[int, list[Decimal]] = {}
    for row in matrix.values():
        for app_id, total in check_totals(list(row.items())):
            by_application.setdefault(app_id, []).append(total)
    panel: dict[int, tuple[Decimal, Decimal]] = {}
    for app_id, values in by_application.items():
        centre = mean(values)
        panel[app_id] = (centre, _population_sd(values, centre))

    out: dict[int, ExpertCalibration] = {}
    for expert_id in sorted(matrix):
        row = matrix[expert_id]
        if not row:
            continue
        own = [row[app_id] for app_id in sorted(row)]
        own_mean = mean(own)
        panel_mean = mean(panel[app_id][0] for app_id in row)
        with localcontext(EXACT):
            z_scores = [
                (row[app_id] - panel[app_id][0]) / panel[app_id][1]
                for app_id in sorted(row)
                if not panel[app_id][1].is_zero()
            ]
            difference = own_mean - panel_mean
        out[expert_id] = ExpertCalibration(
            expert_id=expert_id,
            n_applications=len(own),
            mean=own_mean,
            sd=_population_sd(own, own_mean),
            panel_mean=panel_mean,
            difference=difference,
            mean_z=mean(z_scores) if z_scores else None,
            z_applications=len(z_scores),
        )
    return out
