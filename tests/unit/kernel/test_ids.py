"""Customer-facing numbers carry a Luhn check digit (ISO/IEC 7812), so a mistyped digit is caught."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corebank.kernel.ids import luhn_valid, with_luhn


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("7992739871", "3"),  # the textbook example
        ("0", "0"),
        ("1", "8"),
        ("622202000000000", "7"),  # UnionPay-shaped (BIN 62)
        ("453201511283036", "6"),
    ],
)
def test_with_luhn_appends_the_check_digit(body: str, check: str) -> None:
    number = with_luhn(body)
    assert number == body + check
    assert luhn_valid(number)


@pytest.mark.parametrize("number", ["79927398710", "79927398711", "79927398714", "6222020000000006"])
def test_wrong_check_digit_is_invalid(number: str) -> None:
    assert not luhn_valid(number)


@pytest.mark.parametrize("number", ["", "abc", "7992739871a", "7992 7398 713", "-79927398713", "12.3"])
def test_non_digits_are_invalid(number: str) -> None:
    assert not luhn_valid(number)


@given(st.text(alphabet="0123456789", min_size=1, max_size=24))
def test_every_generated_number_validates(body: str) -> None:
    assert luhn_valid(with_luhn(body))


@given(st.text(alphabet="0123456789", min_size=2, max_size=24), st.data())
def test_any_single_digit_typo_is_caught(body: str, data: st.DataObject) -> None:
    number = with_luhn(body)
    pos = data.draw(st.integers(min_value=0, max_value=len(number) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != number[pos]]))
    assert not luhn_valid(number[:pos] + wrong + number[pos + 1 :])


@given(st.text(alphabet="0123456789", min_size=2, max_size=24), st.data())
def test_adjacent_transposition_is_caught_except_09(body: str, data: st.DataObject) -> None:
    number = with_luhn(body)
    i = data.draw(st.integers(min_value=0, max_value=len(number) - 2))
    a, b = number[i], number[i + 1]
    swapped = number[:i] + b + a + number[i + 2 :]
    if a != b and {a, b} != {"0", "9"}:  # Luhn's one known blind spot is 09 <-> 90
        assert not luhn_valid(swapped)
