"""Pure: section points of an application and the round's section thresholds (a minimum per section).

A section threshold works like a gate (Horizon Europe's per-criterion threshold): an application whose
points in a section are below that section's minimum is not eligible, whatever its total. Equal to
the minimum passes. Comparisons are exact; the shown points are truncated to two places (never rounded
up, marked "…" when cut), so 14.996 shows "14.99… < 15.00", never "15.00 < 15.00".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from criteria.schema import Rubric
from scoring.core.aggregate import EXACT, PanelScore, mean
from scoring.core.gates import GateResult
from scoring.core.i18n import Msg, msg
from scoring.core.scores import section_breakdown

# Gate codes of section checks: "section:<rubric section code>", never a rubric gate's code (no colon).
PREFIX = "section:"
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class SectionCheck:
    """One section with a minimum: its points (exact), the minimum, and whether it is met."""

    code: str
    title_zh: str
    title_en: str
    points: Decimal
    minimum: Decimal
    passed: bool

    @property
    def detail(self) -> str:
        """The arithmetic, language-neutral: "12.00 < 15.00", "15.00 ≥ 15.00"."""
        return f"{shown(self.points)} {'≥' if self.passed else '<'} {shown(self.minimum)}"

    def reason(self, locale_zh: bool) -> Msg:
        """In words: "“…” scored 12.00, below its minimum of 15.00."."""
        return msg(
            "The section “%(section)s” scored %(points)s, below its minimum of %(minimum)s.",
            section=self.title_zh if locale_zh else self.title_en,
            points=shown(self.points),
            minimum=shown(self.minimum),
        )

    def as_gate(self) -> GateResult:
        """The check as a gate result, so every page, export and document listing gates lists it."""
        minimum = shown(self.minimum)
        return GateResult(
            code=PREFIX + self.code,
            result="pass" if self.passed else "fail",
            detail=self.detail,
            text_zh=f"“{self.title_zh}”部分得分不低于{minimum}分",
            text_en=f"Section “{self.title_en}”: at least {minimum} points",
        )


def is_section(gate_code: str) -> bool:
    """Whether a gate result is a section check (see SectionCheck.as_gate)."""
    return gate_code.startswith(PREFIX)


def shown(value: Decimal) -> str:
    """Two places, truncated toward zero, with "…" when digits were cut: 14.996 → "14.99…"."""
    cut = value.quantize(CENT, rounding=ROUND_DOWN)
    text = f"{(cut + 0 if cut.is_zero() else cut):f}"
    return text if cut == value else text + "…"


def sheets_behind(panel: PanelScore, totals: Sequence[tuple[int, Decimal]]) -> tuple[int, ...]:
    """The sheet ids whose points make the panel score: for the trimmed mean the sheets left after the
    trim, for the mean all, for the median the middle sheet (odd count) or the two middle sheets (even),
    ordered by total and then sheet id. So the sections add up to the panel score."""
    if panel.value is None:
        return ()
    if panel.method != "median":
        return panel.used
    ordered = sorted(totals, key=lambda pair: (pair[1], pair[0]))
    mid = len(ordered) // 2
    chosen = ordered[mid : mid + 1] if len(ordered) % 2 else ordered[mid - 1 : mid + 1]
    return tuple(sorted(sheet_id for sheet_id, _ in chosen))


def section_points(
    rubric: Rubric, sheet_scores: Sequence[Mapping[str, Decimal]], data: Mapping[str, Decimal]
) -> dict[str, Decimal | None]:
    """Per section: the mean over the given sheets of each sheet's points in it, plus the section's
    data-indicator points; None for every section when there is no sheet (not scoreable)."""
    per_sheet = [section_breakdown(rubric, scores) for scores in sheet_scores]
    out: dict[str, Decimal | None] = {}
    for section in rubric.sections:
        if not per_sheet:
            out[section.code] = None
            continue
        data_part = sum(
            (data.get(ind.code, Decimal(0)) for ind in section.indicators if ind.kind == "data"), Decimal(0)
        )
        out[section.code] = EXACT.add(mean(s[section.code] for s in per_sheet), data_part)
    return out


def check_sections(
    rubric: Rubric, points: Mapping[str, Decimal | None], minimums: Mapping[str, Decimal]
) -> tuple[SectionCheck, ...]:
    """One check per rubric section that has a minimum and points, in rubric order.

    A section without points (not scoreable) is not checked: the application is ineligible for that
    reason already. Minimums naming no section of the rubric are ignored (validated where they are set).
    """
    out: list[SectionCheck] = []
    for section in rubric.sections:
        minimum = minimums.get(section.code)
        value = points.get(section.code)
        if minimum is None or value is None:
            continue
        out.append(
            SectionCheck(
                code=section.code,
                title_zh=section.title_zh,
                title_en=section.title_en,
                points=value,
                minimum=minimum,
                passed=value >= minimum,
            )
        )
    return tuple(out)


def all_met(checks: Sequence[SectionCheck]) -> bool:
    return all(c.passed for c in checks)


def parse_minimums(stored: Mapping[str, str] | None) -> dict[str, Decimal]:
    """A round's stored minimums of one kind (section code -> decimal text) as Decimals."""
    return {code: Decimal(text) for code, text in (stored or {}).items()}
