"""Customer-facing numbers with check digits (Luhn), never reused."""

from __future__ import annotations

from stdnum import luhn


def with_luhn(digits: str) -> str:
    """Append the Luhn check digit to a string of digits."""
    return digits + luhn.calc_check_digit(digits)


def luhn_valid(number: str) -> bool:
    """True when `number` is all digits and its last digit is its Luhn check digit."""
    return number.isdigit() and luhn.is_valid(number)
