"""Effective figures of an application (declared, overridden by staff-verified values) and the
round's reference values resolved for the gates. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from criteria.schema import Rubric
from scoring.core.i18n import DEFAULT_LOCALE, Msg, msg, normalise_locale

RD_REFERENCE_KEY = "rd_intensity_reference"


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        dec = Decimal(str(value))
    except InvalidOperation:
        return None
    return dec if dec.is_finite() else None


def effective_figures(
    declared: Mapping[str, Any], verified: Mapping[str, Any] | None = None
) -> dict[str, Decimal | None]:
    """Declared values with staff corrections laid over them ({"value": …} per corrected figure)."""
    out = {code: _dec(v) for code, v in declared.items()}
    for code, correction in (verified or {}).items():
        value = correction.get("value") if isinstance(correction, Mapping) else correction
        out[code] = _dec(value)
    return out


def resolve_references(references: Mapping[str, Any]) -> dict[str, Decimal]:
    """Decimal references, plus the R&D-intensity reference the gate reads.

    DOMAIN.md: the appendix says provincial average, section 三 city average; the round stores both
    values it knows and `rd_reference` ("provincial" by default) says which one the gate compares with.
    """
    out: dict[str, Decimal] = {}
    for key, value in references.items():
        dec = _dec(value)
        if dec is not None:
            out[key] = dec
    scope = str(references.get("rd_reference", "provincial"))
    chosen = out.get(f"{scope}_rd_intensity")
    if chosen is not None:
        out[RD_REFERENCE_KEY] = chosen
    return out


@dataclass(frozen=True)
class FigureName(Msg):
    """A figure's name as the rubric gives it (not from the catalogs): Chinese, or English on an English
    page. The msgid is the English name."""

    zh: str = ""

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        return self.msgid if normalise_locale(locale) == "en" else self.zh


def share_pairs(rubric: Rubric) -> list[tuple[str, str]]:
    """(part, total) figure pairs: a share rule's two figures and a computed share's two operands. The
    part can never be larger than its total."""
    pairs: list[tuple[str, str]] = []
    rules = [*rubric.gates, *(r for r in (ind.rule for ind in rubric.indicators()) if r is not None)]
    for rule in rules:
        if rule.op == "share_at_least":
            pairs.append((rule.figures[0], rule.figures[1]))
    for figure in rubric.figures:
        if figure.computed is not None and figure.computed.op == "share":
            pairs.append(figure.computed.of)
    return list(dict.fromkeys(pairs))


def contradictions(
    rubric: Rubric, figures: Mapping[str, Decimal | None], *, path: str = "figures"
) -> dict[str, Msg]:
    """Figures that contradict each other (a part larger than its total), by the part's field path;
    the message names both figures and both values ("60/50")."""
    problems: dict[str, Msg] = {}
    known = {figure.code: figure for figure in rubric.figures}
    for part, total in share_pairs(rubric):
        p, t = figures.get(part), figures.get(total)
        if p is None or t is None or p <= t or part not in known or total not in known:
            continue
        problems.setdefault(
            f"{path}.{part}",
            msg(
                "“%(part)s” (%(part_value)s) is larger than “%(total)s” (%(total_value)s), of which it is "
                "a part: the two figures contradict each other; correct one of them",
                part=FigureName(known[part].name_en, zh=known[part].name_zh),
                part_value=_plain(p),
                total=FigureName(known[total].name_en, zh=known[total].name_zh),
                total_value=_plain(t),
            ),
        )
    return problems


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"
