"""Identity rules: resident ID (GB 11643-1999), unified social credit code (GB 32100-2015), permits, phones."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corebank.customers import rules
from corebank.customers.rules import make_resident_id, make_uscc

# The example printed in GB 11643-1999 itself: Beijing Chaoyang, born 1949-12-31, sequence 002, check X.
GB_EXAMPLE = "11010519491231002X"

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def iso7064_check(body17: str) -> str:
    """The check character as DOMAIN.md spells it out, independent of stdnum: sum mod 11 -> "10X98765432"."""
    return "10X98765432"[sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True)) % 11]


# ---------------------------------------------------------------- resident ID


def test_gb_example_is_valid() -> None:
    assert rules.id_problem("resident_id", GB_EXAMPLE) is None
    assert iso7064_check(GB_EXAMPLE[:17]) == "X"


def test_lower_case_x_and_spaces_are_normalized() -> None:
    assert rules.normalize_id("resident_id", " 110105 19491231 002x ") == GB_EXAMPLE
    assert rules.id_problem("resident_id", "11010519491231002x") is None


@pytest.mark.parametrize("wrong", "0123456789")
def test_wrong_check_digit_is_invalid(wrong: str) -> None:
    problem = rules.id_problem("resident_id", GB_EXAMPLE[:17] + wrong)
    assert problem is not None and "resident ID" in problem


def test_gb_example_birth_date_and_gender() -> None:
    # sequence 002 is even: a woman
    assert rules.birth_date_and_gender(GB_EXAMPLE) == (date(1949, 12, 31), "female")


@pytest.mark.parametrize(
    ("region", "birth", "seq", "gender"),
    [
        ("440106", date(1990, 5, 17), 123, "male"),
        ("310101", date(1985, 7, 1), 10, "female"),
        ("440106", date(2000, 2, 29), 1, "male"),  # a leap day
        ("110105", date(1949, 12, 31), 2, "female"),
    ],
)
def test_generated_ids_validate_and_carry_birth_date_and_gender(
    region: str, birth: date, seq: int, gender: str
) -> None:
    n = make_resident_id(region, birth, seq)
    assert len(n) == 18
    assert n[-1] == iso7064_check(n[:17])
    assert rules.id_problem("resident_id", n) is None
    assert rules.birth_date_and_gender(n) == (birth, gender)


def test_make_resident_id_reproduces_the_gb_example() -> None:
    assert make_resident_id("110105", date(1949, 12, 31), 2) == GB_EXAMPLE


def _with_check(body17: str) -> str:
    return body17 + iso7064_check(body17)


@pytest.mark.parametrize(
    "number",
    [
        _with_check("11010519490230002"),  # 30 February
        _with_check("11010519491331002"),  # month 13
        _with_check("00000019491231002"),  # no such region
        _with_check("44010619800101001"),  # Tianhe district, Guangzhou, did not exist in 1980
        "1101051949123100",  # 16 characters
        "11010519491231002XX",  # 19 characters
        "1101051949123100AX",  # letter in the sequence
    ],
)
def test_structurally_wrong_ids_are_invalid_even_with_a_good_check_digit(number: str) -> None:
    assert rules.id_problem("resident_id", number) is not None


@given(
    # regions that existed through the whole range (stdnum checks a county existed in the birth year)
    st.sampled_from(["110105", "110101", "310101", "310104", "110100"]),
    st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_check_character_agrees_with_the_iso7064_formula(region: str, birth: date, seq: int) -> None:
    n = make_resident_id(region, birth, seq)
    assert n[-1] == iso7064_check(n[:17])
    assert rules.id_problem("resident_id", n) is None
    assert rules.birth_date_and_gender(n) == (birth, "male" if seq % 2 else "female")


# ---------------------------------------------------------------- unified social credit code

USCC = "91110000600037341L"


def test_uscc_valid() -> None:
    assert rules.id_problem("uscc", USCC) is None
    assert make_uscc(USCC[:17]) == USCC


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341M",  # wrong check character
        "9111000060003734",  # too short
        "91110000600037341I",  # I is not in the code's alphabet
        "",
    ],
)
def test_uscc_invalid(code: str) -> None:
    problem = rules.id_problem("uscc", code)
    assert problem is not None and "social credit code" in problem


# ---------------------------------------------------------------- passports and permits


@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        ("passport", "E12345678"),
        ("passport", "g1234"),  # upper-cased first
        ("passport", "A" * 17),
        ("hk_macao_permit", "H12345678"),
        ("hk_macao_permit", "M1234567890"),
        ("taiwan_permit", "12345678"),
        ("taiwan_permit", "T12345678"),
    ],
)
def test_document_formats_accepted(id_type: str, number: str) -> None:
    assert rules.id_problem(id_type, number) is None


@pytest.mark.parametrize(
    ("id_type", "number"),
    [
        ("passport", "AB12"),  # too short
        ("passport", "A" * 18),  # too long
        ("passport", "E-123456"),
        ("hk_macao_permit", "C12345678"),  # neither H nor M
        ("hk_macao_permit", "H1234567"),  # 7 digits
        ("hk_macao_permit", "H12345678901"),  # 11 digits
        ("taiwan_permit", "1234567"),
        ("taiwan_permit", "X12345678"),
    ],
)
def test_document_formats_refused(id_type: str, number: str) -> None:
    assert rules.id_problem(id_type, number) is not None


def test_unknown_id_type_refused() -> None:
    problem = rules.id_problem("driving_licence", "123456")
    assert problem is not None and "unknown ID type" in problem


def test_id_type_lists_are_consistent() -> None:
    assert set(rules.INDIVIDUAL_ID_TYPES) | set(rules.CORPORATE_ID_TYPES) == set(rules.ID_TYPES)
    assert not set(rules.INDIVIDUAL_ID_TYPES) & set(rules.CORPORATE_ID_TYPES)


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "phone", ["13800138000", "19912345678", "138 0013 8000", "010-12345678", "+86-10-12345678"]
)
def test_phones_accepted(phone: str) -> None:
    assert rules.phone_problem(phone) is None


@pytest.mark.parametrize(
    "phone", ["abc", "12345", "", "1380013800x", "++8613800138000", "138-0013-8000-0000-0000-1"]
)
def test_phones_refused(phone: str) -> None:
    assert rules.phone_problem(phone) is not None
