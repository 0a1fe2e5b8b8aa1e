"""Pure: evaluate a rubric's gates (and data-indicator rules) over declared figures and round references.

Boundary rules (DOMAIN.md §2): "以上" includes the number, "高于" is strict. So a key-project share of
exactly 60% passes, an R&D intensity equal to the reference fails, a rise of exactly +1.00 passes.
Arithmetic is exact: the share in integers (100 × part ≥ threshold × whole), everything else in Decimal.
A total of 0 key projects is a *fail*, not *missing*: the figure was supplied, and a share of nothing
cannot reach 60%; "missing" is kept for figures (or reference values) that were not supplied at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from criteria.schema import Rubric, Rule
from scoring.core.i18n import Msg, msg

Result = Literal["pass", "fail", "missing"]
UNKNOWN = "?"


@dataclass(frozen=True)
class RuleOutcome:
    result: Result
    detail: str  # the numbers, language-neutral: "60/100 = 60.0% ≥ 60%"
    reason: Msg | None = None  # why, when the numbers alone do not say it


@dataclass(frozen=True)
class GateResult:
    code: str
    result: Result
    detail: str
    text_zh: str
    text_en: str
    reason: Msg | None = None


def evaluate_gates(
    rubric: Rubric, figures: Mapping[str, Decimal | None], references: Mapping[str, Decimal]
) -> list[GateResult]:
    """One result per gate of the rubric, in the rubric's order."""
    out: list[GateResult] = []
    for gate in rubric.gates:
        outcome = evaluate_rule(rubric, gate, figures, references)
        out.append(
            GateResult(
                code=gate.code,
                result=outcome.result,
                detail=outcome.detail,
                text_zh=gate.text_zh,
                text_en=gate.text_en,
                reason=outcome.reason,
            )
        )
    return out


def all_passed(results: list[GateResult]) -> bool:
    return all(r.result == "pass" for r in results)


def evaluate_rule(
    rubric: Rubric,
    rule: Rule,
    figures: Mapping[str, Decimal | None],
    references: Mapping[str, Decimal],
) -> RuleOutcome:
    values = [_value(figures.get(code)) for code in rule.figures]
    missing = [code for code, v in zip(rule.figures, values, strict=True) if v is None]
    if rule.op == "share_at_least":
        return _share_at_least(values[0], values[1], _threshold(rule), missing)
    if rule.op == "above_reference":
        assert rule.reference is not None  # guaranteed by the rubric's validation
        return _above_reference(values[0], _value(references.get(rule.reference)), rule.reference, missing)
    if rule.op == "rise_at_least":
        return _rise_at_least(values[0], values[1], _threshold(rule), missing)
    figure_type = rubric.figure(rule.figures[0]).type
    return _at_least(values[0], _threshold(rule), figure_type, missing)


# Operators ---------------------------------------------------------------------------------------


def _share_at_least(
    part: Decimal | None, whole: Decimal | None, threshold: Decimal, missing: list[str]
) -> RuleOutcome:
    thr = f"{_plain(threshold)}%"
    if part is None or whole is None:
        return RuleOutcome("missing", f"{_count(part)}/{_count(whole)} ≥ {thr}", _missing_reason(missing))
    detail = f"{_count(part)}/{_count(whole)}"
    if not (_is_count(part) and _is_count(whole)):
        return RuleOutcome("fail", detail, msg("Counts must be whole numbers that are not negative."))
    p, w = int(part), int(whole)
    if w == 0:
        return RuleOutcome("fail", detail, msg("The total must be greater than 0."))
    if p > w:
        return RuleOutcome(
            "fail", detail, msg("The part (%(part)s) is larger than the total (%(whole)s).", part=p, whole=w)
        )
    ok = 100 * p >= threshold * w
    return RuleOutcome("pass" if ok else "fail", f"{p}/{w} = {_share_text(p, w)}% {'≥' if ok else '<'} {thr}")


def _above_reference(
    value: Decimal | None, reference: Decimal | None, reference_key: str, missing: list[str]
) -> RuleOutcome:
    if value is None or reference is None:
        reason = _missing_reason(missing) if missing else None
        if reference is None:
            ref_reason = msg("The round has no reference value %(reference)s.", reference=reference_key)
            reason = (
                ref_reason if reason is None else msg("%(first)s %(second)s", first=reason, second=ref_reason)
            )
        return RuleOutcome("missing", f"{_pct(value)} > {_pct(reference)}", reason)
    ok = value > reference
    return RuleOutcome("pass" if ok else "fail", f"{_pct(value)} {'>' if ok else '≤'} {_pct(reference)}")


def _rise_at_least(
    previous: Decimal | None, current: Decimal | None, threshold: Decimal, missing: list[str]
) -> RuleOutcome:
    if previous is None or current is None:
        return RuleOutcome(
            "missing",
            f"{_pct(current)} − {_pct(previous)} ≥ {_signed(threshold)}",
            _missing_reason(missing),
        )
    rise = current - previous
    ok = rise >= threshold
    return RuleOutcome(
        "pass" if ok else "fail",
        f"{_pct(current)} − {_pct(previous)} = {_signed(rise)} {'≥' if ok else '<'} {_signed(threshold)}",
    )


def _at_least(value: Decimal | None, threshold: Decimal, figure_type: str, missing: list[str]) -> RuleOutcome:
    def show(d: Decimal | None) -> str:
        if figure_type == "percent":
            return _pct(d)
        if figure_type == "count":
            return _count(d)
        return UNKNOWN if d is None else _fixed(d)

    if value is None:
        return RuleOutcome("missing", f"{show(None)} ≥ {show(threshold)}", _missing_reason(missing))
    ok = value >= threshold
    return RuleOutcome("pass" if ok else "fail", f"{show(value)} {'≥' if ok else '<'} {show(threshold)}")


# Helpers -----------------------------------------------------------------------------------------


def _value(raw: object) -> Decimal | None:
    """A usable number, or None (not supplied, or not a finite number)."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal) and raw.is_finite():
        return raw
    return None


def _threshold(rule: Rule) -> Decimal:
    assert rule.threshold is not None  # guaranteed by the rubric's validation
    return rule.threshold


def _missing_reason(codes: list[str]) -> Msg:
    return msg("Missing figures: %(figures)s.", figures=", ".join(codes))


def _is_count(d: Decimal) -> bool:
    return d >= 0 and d == d.to_integral_value()


def _plain(d: Decimal) -> str:
    """No exponent, no trailing zeros: 60 → "60", 60.50 → "60.5"."""
    return "0" if d == 0 else format(d.normalize(), "f")


def _fixed(d: Decimal) -> str:
    """At least two decimals, more only if the value has them: 2 → "2.00", 2.525 → "2.525"."""
    d = d + 0 if d == 0 else d  # no "-0.00"
    if d.as_tuple().exponent >= -2:  # type: ignore[operator]
        return f"{d.quantize(Decimal('0.01')):f}"
    return f"{d.normalize():f}"


def _pct(d: Decimal | None) -> str:
    return UNKNOWN if d is None else f"{_fixed(d)}%"


def _count(d: Decimal | None) -> str:
    return UNKNOWN if d is None else _plain(d)


def _signed(d: Decimal) -> str:
    if d < 0:
        return f"−{_fixed(-d)}"  # U+2212, the minus sign
    return f"+{_fixed(d)}"


def _share_text(part: int, whole: int) -> str:
    """100 × part ÷ whole in integers: exact with 1–2 decimals, or truncated to 2 with "…".

    Truncation (never rounding up) keeps the shown figure on the same side of an integer threshold as
    the exact one: 5999/10000 shows "59.99", 59999/100000 "59.99…", never "60.00".
    """
    hundredths, remainder = divmod(10000 * part, whole)
    units, frac = divmod(hundredths, 100)
    if remainder:
        return f"{units}.{frac:02d}…"
    if frac % 10 == 0:
        return f"{units}.{frac // 10}"
    return f"{units}.{frac:02d}"
