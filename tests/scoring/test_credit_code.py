"""The unified social credit code check (GB 32100-2015) and the organisation code check in it (GB 11714)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.core.credit_code import (
    ALPHABET,
    WEIGHTS,
    CreditCodeParts,
    CreditCodeProblem,
    check_character,
    make_credit_code,
    org_code_check_character,
    split_credit_code,
    validate_credit_code,
)

# Published codes, valid under both checks: 北京百度网讯科技有限公司 (organisation code 80210043-3),
# 华为技术有限公司 (19220382-1) and 腾讯科技(深圳)有限公司 (71526726-X, an organisation check of 10).
PUBLISHED = ("91110000802100433B", "914403001922038216", "9144030071526726XG")


def test_weights_are_powers_of_three_mod_31() -> None:
    assert tuple(pow(3, i, 31) for i in range(17)) == WEIGHTS
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31
    assert not set("IOZSV") & set(ALPHABET)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    assert validate_credit_code(code) is None
    assert check_character(code[:17]) == code[17]
    assert org_code_check_character(code[8:16]) == code[16]


def test_hand_computed_government_code() -> None:
    # 1 1 130100 00000012 (机构编制, 机关, 石家庄市):
    # organisation code 00000012 · weights 3 7 9 10 5 8 4 2 = 1·4 + 2·2 = 8; 8 mod 11 = 8; 11 − 8 = 3 → "3".
    # first 17 "11130100000000123" · weights 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28:
    #   1·1 + 1·3 + 1·9 + 3·27 + 0·19 + 1·26 + 0 … + 1·10 + 2·30 + 3·28
    #   = 1 + 3 + 9 + 81 + 26 + 10 + 60 + 84 = 274; 274 mod 31 = 26; 31 − 26 = 5 → "5".
    assert org_code_check_character("00000012") == "3"
    assert check_character("11130100000000123") == "5"
    assert make_credit_code("1", "1", "130100", "00000012") == "111301000000001235"


def test_hand_computed_org_check_ten_is_x_and_check_value_31_is_zero() -> None:
    # 9 1 130102 00000022: organisation code 2·4 + 2·2 = 12; 12 mod 11 = 1; 11 − 1 = 10 → "X".
    # first 17 "9113010200000022X" (X has value 29):
    #   9·1 + 1·3 + 1·9 + 3·27 + 0·19 + 1·26 + 0·16 + 2·17 + 0 … + 2·10 + 2·30 + 29·28
    #   = 9 + 3 + 9 + 81 + 26 + 34 + 20 + 60 + 812 = 1054 = 34·31; 1054 mod 31 = 0; 31 − 0 = 31 → "0".
    assert org_code_check_character("00000022") == "X"
    assert check_character("9113010200000022X") == "0"
    assert make_credit_code("9", "1", "130102", "00000022") == "9113010200000022X0"


def test_hand_computed_org_check_eleven_is_zero() -> None:
    # 9 1 130102 00000019: organisation code 1·4 + 9·2 = 22; 22 mod 11 = 0; 11 − 0 = 11 → "0".
    # first 17 "91130102000000190": 9 + 3 + 9 + 81 + 26 + 34 + 1·10 + 9·30 + 0·28 = 442;
    #   442 mod 31 = 8 (14·31 = 434); 31 − 8 = 23 → "P" (P has value 23).
    assert org_code_check_character("00000019") == "0"
    assert make_credit_code("9", "1", "130102", "00000019") == "91130102000000190P"


def test_input_is_stripped_and_upper_cased() -> None:
    assert validate_credit_code("  9144030071526726xg\n") is None
    assert check_character("9144030071526726x") == "G"
    assert make_credit_code(" 9", "1 ", "440300", "71526726") == "9144030071526726XG"
    lower = make_credit_code("9", "1", "130171", "ma0ck8p5")
    assert lower == make_credit_code("9", "1", "130171", "MA0CK8P5") == "91130171MA0CK8P599"


def test_split_names_the_parts() -> None:
    assert split_credit_code(" 9144030071526726xg ") == CreditCodeParts(
        registration="9", category="1", division="440300", org_code="71526726X", check="G"
    )
    with pytest.raises(ValueError, match="check_character"):
        split_credit_code("9144030071526726XH")


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("", CreditCodeProblem.LENGTH),
        ("9144030071526726X", CreditCodeProblem.LENGTH),
        ("9144030071526726XGG", CreditCodeProblem.LENGTH),
        ("91440300 71526726XG", CreditCodeProblem.LENGTH),
        # I, O, Z, S and V are not in the alphabet, nor is punctuation; lower-case i becomes I.
        ("9144030071526726XI", CreditCodeProblem.CHARSET),
        ("91440300O1526726XG", CreditCodeProblem.CHARSET),
        ("91440300715Z6726XG", CreditCodeProblem.CHARSET),
        ("914403007152672SXG", CreditCodeProblem.CHARSET),
        ("9V44030071526726XG", CreditCodeProblem.CHARSET),
        ("9144030071526726-G", CreditCodeProblem.CHARSET),
        ("9144030071526726xi", CreditCodeProblem.CHARSET),
        # A letter among positions 3-8 (the administrative division code).
        ("91A4030071526726XG", CreditCodeProblem.DIVISION),
        ("914403A071526726XG", CreditCodeProblem.DIVISION),
        # The 18th character of a published code, changed.
        ("9144030071526726XH", CreditCodeProblem.CHECK_CHARACTER),
        ("914403001922038217", CreditCodeProblem.CHECK_CHARACTER),
    ],
)
def test_each_rule_has_its_own_problem_code(code: str, problem: CreditCodeProblem) -> None:
    assert validate_credit_code(code) is problem


def test_wrong_org_code_check_is_reported_even_when_the_18th_character_matches() -> None:
    # Change position 17 of a valid code, then recompute the 18th so only the GB 11714 check is wrong.
    first17 = "9144030071526726" + "1"
    code = first17 + check_character(first17)
    assert validate_credit_code(code) is CreditCodeProblem.ORG_CODE_CHECK


def test_problem_codes_are_stable_strings() -> None:
    assert [str(p) for p in CreditCodeProblem] == [
        "length",
        "charset",
        "division",
        "org_code_check",
        "check_character",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("91", "1", "130102", "00000001"), "one character"),
        (("9", "1", "13010A", "00000001"), "division"),
        (("9", "1", "1301020", "00000001"), "division"),
        (("9", "1", "130102", "0000001"), "org_code8"),
        (("9", "1", "130102", "0000000I"), "17 characters"),
        (("S", "1", "130102", "00000001"), "17 characters"),
    ],
)
def test_make_credit_code_refuses_bad_parts(args: tuple[str, str, str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_credit_code(*args)


@pytest.mark.parametrize("bad", ["", "1234567", "123456789", "1234567_"])
def test_org_code_check_needs_eight_alphanumerics(bad: str) -> None:
    with pytest.raises(ValueError):
        org_code_check_character(bad)


symbol = st.sampled_from(ALPHABET)
parts = st.tuples(
    symbol,
    symbol,
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
)


@given(parts)
def test_made_codes_always_validate(p: tuple[str, str, str, str]) -> None:
    code = make_credit_code(*p)
    assert len(code) == 18
    assert validate_credit_code(code) is None
    assert validate_credit_code(code.lower()) is None
    assert split_credit_code(code) == CreditCodeParts(p[0], p[1], p[2], code[8:17], code[17])


@given(parts, st.integers(min_value=0, max_value=17), symbol)
def test_any_single_substitution_is_detected(p: tuple[str, str, str, str], position: int, new: str) -> None:
    code = make_credit_code(*p)
    if new == code[position]:
        new = ALPHABET[(ALPHABET.index(new) + 1) % len(ALPHABET)]
    changed = code[:position] + new + code[position + 1 :]
    assert validate_credit_code(changed) is not None


@given(parts, st.integers(min_value=0, max_value=15))
def test_any_adjacent_transposition_in_the_first_17_is_detected(p: tuple[str, str, str, str], i: int) -> None:
    # Swapping positions i and i+1 changes the sum by (a − b)·(w_i − w_{i+1}) = (a − b)·(−2·3^i),
    # never 0 mod the prime 31 when a ≠ b.
    code = make_credit_code(*p)
    if code[i] == code[i + 1]:
        return
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    assert validate_credit_code(swapped) is not None
