"""Pure robustness of a proposed list: does a near-the-line place hold under other defensible scorings?

For each application whose final score lies within `margin` points of the pass line or of the quota
line, the whole kind is re-ranked under every alternative scenario — the other aggregation methods,
each single expert left out, and calibration-corrected totals — and the application's place (on the
list, tied at the quota line, or off it) is compared with its place as proposed. A place that never
changes is robust (稳健); one that changes is sensitive (敏感), with every scenario that changes it.
Exact decimals throughout; nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from scoring.core import ranking as core
from scoring.core.aggregate import EXACT, METHODS, MIN_SHEETS, Method, final_score, panel_score
from scoring.core.consistency import calibration

DEFAULT_MARGIN = Decimal(3)  # "within a few points" of a line

ON, TIE, OFF = "on", "tie", "off"
METHOD = "method"  # scenario: another aggregation method (subject: the method)
LEAVE_OUT = "leave_out"  # scenario: one expert's sheets left out everywhere (subject: expert id)
CALIBRATED = "calibrated"  # scenario: each total less its expert's calibration difference


@dataclass(frozen=True, slots=True)
class Entry:
    """One application as the ranking saw it: its submitted sheets (sheet id, expert id, total)."""

    application_id: int
    sheets: tuple[tuple[int, int, Decimal], ...]
    data_points: Decimal
    formal_check_passed: bool
    gates_passed: bool | None


@dataclass(frozen=True, slots=True)
class Scenario:
    kind: str  # method | leave_out | calibrated
    subject: str | int | None  # the method, the expert id, or None


@dataclass(frozen=True, slots=True)
class Flip:
    scenario: Scenario
    place: str  # on | tie | off under the scenario
    final_score: Decimal | None  # the application's final score under the scenario


@dataclass(frozen=True, slots=True)
class Verdict:
    application_id: int
    place: str  # as proposed
    final_score: Decimal
    flips: tuple[Flip, ...]  # empty: robust

    @property
    def robust(self) -> bool:
        return not self.flips


def place_of(row: core.RankedRow) -> str:
    if row.decision == core.WITHIN_QUOTA:
        return ON
    if row.decision == core.TIE_AT_QUOTA_LINE:
        return TIE
    return OFF


def _finals(
    entries: Sequence[Entry],
    method: Method,
    left_out: int | None = None,
    offsets: Mapping[int, Decimal] | None = None,
) -> dict[int, Decimal | None]:
    out: dict[int, Decimal | None] = {}
    for e in entries:
        sheets = e.sheets
        if left_out is not None:
            kept = tuple(s for s in sheets if s[1] != left_out)
            # Leaving an expert out never makes an application unscoreable: with only the minimum of
            # sheets it keeps them all (the scenario asks about the expert's weight, not the quorum).
            if len(kept) >= MIN_SHEETS:
                sheets = kept
        if offsets:
            totals = [(sid, EXACT.subtract(t, offsets.get(expert, Decimal(0)))) for sid, expert, t in sheets]
        else:
            totals = [(sid, t) for sid, _, t in sheets]
        out[e.application_id] = final_score(panel_score(totals, method).value, e.data_points)
    return out


def _places(
    entries: Sequence[Entry], finals: Mapping[int, Decimal | None], pass_line: Decimal, quota: int
) -> dict[int, str]:
    result = core.propose(
        (
            core.Candidate(
                application_id=e.application_id,
                final_score=finals[e.application_id],
                formal_check_passed=e.formal_check_passed,
                gates_passed=e.gates_passed,
            )
            for e in entries
        ),
        pass_line,
        quota,
    )
    return {row.application_id: place_of(row) for row in result.rows}


def near_line(
    entries: Sequence[Entry], finals: Mapping[int, Decimal | None], places: Mapping[int, str],
    pass_line: Decimal, margin: Decimal,
) -> tuple[int, ...]:  # fmt: skip
    """Applications with a final score within `margin` of the pass line, or within `margin` of the other
    side of the quota line when the quota leaves an eligible application off: a row on the list (or
    tied) near the highest eligible score off it, a row off it near the lowest score on it."""
    eligible = {e.application_id for e in entries if e.formal_check_passed and e.gates_passed}
    inside = [s for a, s in finals.items() if s is not None and places[a] in (ON, TIE)]
    outside = [
        s
        for a, s in finals.items()
        if s is not None and places[a] == OFF and a in eligible and s >= pass_line
    ]
    contested = bool(outside) or any(p == TIE for p in places.values())
    near: list[int] = []
    for e in entries:
        score = finals[e.application_id]
        if score is None:
            continue
        others = (outside if places[e.application_id] in (ON, TIE) else inside) if contested else []
        lines = [pass_line, min(others), max(others)] if others else [pass_line]
        if any(abs(EXACT.subtract(score, line)) <= margin for line in lines):
            near.append(e.application_id)
    return tuple(sorted(near))


def scenarios(entries: Sequence[Entry], method: Method, near: Iterable[int]) -> list[Scenario]:
    """The other methods, each expert who scored a near-the-line application, and calibration."""
    wanted = set(near)
    experts = sorted({expert for e in entries if e.application_id in wanted for _, expert, _ in e.sheets})
    out = [Scenario(METHOD, m) for m in METHODS if m != method]
    out += [Scenario(LEAVE_OUT, expert) for expert in experts]
    out.append(Scenario(CALIBRATED, None))
    return out


def assess(
    entries: Sequence[Entry],
    *,
    method: Method,
    pass_line: Decimal,
    quota: int,
    margin: Decimal = DEFAULT_MARGIN,
) -> dict[int, Verdict]:
    """A verdict for every application near a line (see the module docstring); others are absent."""
    finals = _finals(entries, method)
    places = _places(entries, finals, pass_line, quota)
    near = near_line(entries, finals, places, pass_line, margin)
    if not near:
        return {}
    matrix: dict[int, dict[int, Decimal]] = {}
    for e in entries:
        for _, expert, total in e.sheets:
            matrix.setdefault(expert, {})[e.application_id] = total
    offsets = {expert: c.difference for expert, c in calibration(matrix).items()}
    flips: dict[int, list[Flip]] = {a: [] for a in near}
    for scenario in scenarios(entries, method, near):
        if scenario.kind == METHOD:
            alt = _finals(entries, cast(Method, scenario.subject))
        elif scenario.kind == LEAVE_OUT:
            alt = _finals(entries, method, left_out=cast(int, scenario.subject))
        else:
            alt = _finals(entries, method, offsets=offsets)
        alt_places = _places(entries, alt, pass_line, quota)
        for a in near:
            if alt_places[a] != places[a]:
                flips[a].append(Flip(scenario=scenario, place=alt_places[a], final_score=alt[a]))
    out: dict[int, Verdict] = {}
    for a in near:
        score = finals[a]
        assert score is not None  # near_line only keeps scored applications
        out[a] = Verdict(application_id=a, place=places[a], final_score=score, flips=tuple(flips[a]))
    return out
