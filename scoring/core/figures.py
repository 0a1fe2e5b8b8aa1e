"""Effective figures of an application (declared, overridden by staff-verified values) and the
round's reference values resolved for the gates. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

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
