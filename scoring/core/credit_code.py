"""The unified social credit code (统一社会信用代码, GB 32100-2015): structure, check characters, validity."""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import StrEnum

# GB 32100-2015 table 1: digits and upper-case letters without I, O, Z, S, V; a symbol's value is its index.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {symbol: value for value, symbol in enumerate(ALPHABET)}
# W_i = 3^(i-1) mod 31 for positions 1..17.
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB 11714-1997: the organisation code's body is 8 digits/letters valued 0-35, its 9th character the check.
_ORG_ALPHABET = string.digits + string.ascii_uppercase
_ORG_VALUE = {symbol: value for value, symbol in enumerate(_ORG_ALPHABET)}
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

LENGTH = 18


class CreditCodeProblem(StrEnum):
    """Why a code is refused: stable rule codes, checked in this order (the first that fails is reported)."""

    LENGTH = "length"  # not exactly 18 characters
    CHARSET = "charset"  # a character outside ALPHABET
    DIVISION = "division"  # positions 3-8 are not all digits
    ORG_CODE_CHECK = "org_code_check"  # position 17 is not the GB 11714 check of positions 9-16
    CHECK_CHARACTER = "check_character"  # position 18 is not the GB 32100 check of positions 1-17


@dataclass(frozen=True)
class CreditCodeParts:
    """The fields of a credit code, by position (1-based in the standard)."""

    registration: str  # 1: registration authority (登记管理部门码), e.g. 1 机构编制, 5 民政, 9 工商
    category: str  # 2: organisation category (机构类别码), e.g. 11 机关, 12 事业单位, 91 企业
    division: str  # 3-8: administrative division code (登记管理机关行政区划码, GB/T 2260)
    org_code: str  # 9-17: organisation code (主体标识码), 8 characters plus its own check character
    check: str  # 18: check character (校验码)


def normalise(code: str) -> str:
    """Strip surrounding whitespace and upper-case: the form that is validated and stored."""
    return code.strip().upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17: symbol of 31 − (Σ value·weight mod 31), with 31 written 0."""
    first17 = normalise(first17)
    if len(first17) != LENGTH - 1 or any(ch not in _VALUE for ch in first17):
        raise ValueError(f"need 17 characters from {ALPHABET!r}, got {first17!r}")
    total = sum(_VALUE[ch] * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_character(body8: str) -> str:
    """The GB 11714 check of an 8-character organisation code body: 11 − (Σ mod 11), 10 → X, 11 → 0."""
    body8 = normalise(body8)
    if len(body8) != 8 or any(ch not in _ORG_VALUE for ch in body8):
        raise ValueError(f"need 8 digits or upper-case letters, got {body8!r}")
    total = sum(_ORG_VALUE[ch] * weight for ch, weight in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def validate_credit_code(code: str) -> CreditCodeProblem | None:
    """None when the (normalised) code is valid, otherwise the first rule it breaks."""
    code = normalise(code)
    if len(code) != LENGTH:
        return CreditCodeProblem.LENGTH
    if any(ch not in _VALUE for ch in code):
        return CreditCodeProblem.CHARSET
    if not all(ch in string.digits for ch in code[2:8]):
        return CreditCodeProblem.DIVISION
    if org_code_check_character(code[8:16]) != code[16]:
        return CreditCodeProblem.ORG_CODE_CHECK
    if check_character(code[:17]) != code[17]:
        return CreditCodeProblem.CHECK_CHARACTER
    return None


def split_credit_code(code: str) -> CreditCodeParts:
    """The fields of a valid code; ValueError naming the broken rule otherwise."""
    code = normalise(code)
    problem = validate_credit_code(code)
    if problem is not None:
        raise ValueError(f"invalid credit code {code!r}: {problem}")
    return CreditCodeParts(
        registration=code[0], category=code[1], division=code[2:8], org_code=code[8:17], check=code[17]
    )


def make_credit_code(registration: str, category: str, division: str, org_code8: str) -> str:
    """A valid code from its parts, computing both check characters (demo data and tests).

    `org_code8` is the organisation code without its check character; every part must use ALPHABET.
    """
    registration, category, division, org_code8 = (
        normalise(part) for part in (registration, category, division, org_code8)
    )
    if len(registration) != 1 or len(category) != 1:
        raise ValueError("registration and category are one character each")
    if len(division) != 6 or not all(ch in string.digits for ch in division):
        raise ValueError(f"division must be 6 digits, got {division!r}")
    if len(org_code8) != 8:
        raise ValueError(f"org_code8 must be 8 characters, got {org_code8!r}")
    first17 = registration + category + division + org_code8 + org_code_check_character(org_code8)
    code = first17 + check_character(first17)  # check_character rejects symbols outside ALPHABET
    assert validate_credit_code(code) is None
    return code
