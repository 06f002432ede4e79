"""Money: exact amounts of one currency. No floats, ROUND_HALF_UP pinned to the fen, no cross-currency sums."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corebank.kernel.errors import InvalidAmount, UnsupportedCurrency
from corebank.kernel.money import MINOR_UNITS, Money, exponent, minor_to_text, positive_amount

# ---------------------------------------------------------------- construction refuses floats


@pytest.mark.parametrize("value", [0.1, 100.0, 2.675, float("nan")])
def test_constructor_refuses_float(value: float) -> None:
    with pytest.raises(InvalidAmount):
        Money(value, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0.1, 100.0, 1e2])
def test_parser_refuses_float(value: float) -> None:
    with pytest.raises(InvalidAmount, match="not a float"):
        Money.of(value, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_amounts(value: bool) -> None:
    with pytest.raises(InvalidAmount):
        Money.of(value, "CNY")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        Money(value, "CNY")


@pytest.mark.parametrize("value", ["100.00", Decimal("100.00"), 100])
def test_constructor_and_parser_accept_decimal_and_int(value: str | Decimal | int) -> None:
    m = Money.of(value, "CNY")
    assert isinstance(m.amount, Decimal)
    assert m.amount == Decimal("100")
    assert m.currency == "CNY"


def test_constructor_turns_int_into_decimal() -> None:
    m = Money(5, "CNY")
    assert isinstance(m.amount, Decimal) and m.amount == Decimal(5)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_constructor_refuses_non_finite(value: Decimal) -> None:
    with pytest.raises(InvalidAmount):
        Money(value, "CNY")


# ---------------------------------------------------------------- parsing decimal strings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100.00", Decimal("100.00")),
        ("0.01", Decimal("0.01")),
        (" 12.30 ", Decimal("12.30")),
        ("7", Decimal("7")),
        ("-5.50", Decimal("-5.50")),
        ("99999999999.99", Decimal("99999999999.99")),
    ],
)
def test_parses_decimal_strings_exactly(text: str, expected: Decimal) -> None:
    assert Money.of(text, "CNY").amount == expected


@pytest.mark.parametrize("text", ["", "abc", "1,000.00", "12.3.4", "NaN", "sNaN", "Infinity", "-inf", "¥100"])
def test_refuses_text_that_is_not_a_finite_number(text: str) -> None:
    with pytest.raises(InvalidAmount):
        Money.of(text, "CNY")


@pytest.mark.parametrize("text", ["2.675", "0.001", "100.000", "-1.234"])
def test_cny_refuses_more_than_two_decimals(text: str) -> None:
    with pytest.raises(InvalidAmount, match="more than 2 decimal places"):
        Money.of(text, "CNY")


def test_amounts_beyond_a_bigint_of_minor_units_refused() -> None:
    assert Money.of("9999999999999999.99", "CNY").to_minor() == 10**18 - 1
    for text in ("10000000000000000.00", "-10000000000000000", "1" + "0" * 30):
        with pytest.raises(InvalidAmount, match="larger than any amount"):
            Money.of(text, "CNY")


@pytest.mark.parametrize("currency", ["USD", "EUR", "HKD", "GBP"])
def test_two_decimal_currencies_take_cents(currency: str) -> None:
    assert Money.of("10.25", currency).to_minor() == 1025
    with pytest.raises(InvalidAmount):
        Money.of("10.255", currency)


def test_jpy_has_no_minor_unit() -> None:
    assert exponent("JPY") == 0
    assert Money.of("1500", "JPY").to_minor() == 1500
    for text in ("100.5", "0.1", "100.0"):
        with pytest.raises(InvalidAmount, match="more than 0 decimal places"):
            Money.of(text, "JPY")


@pytest.mark.parametrize("currency", ["XXX", "cny", "", "RMB"])
def test_unknown_currency_refused(currency: str) -> None:
    with pytest.raises(UnsupportedCurrency):
        Money.of("1.00", currency)
    with pytest.raises(UnsupportedCurrency):
        Money(Decimal(1), currency)
    with pytest.raises(UnsupportedCurrency):
        exponent(currency)


def test_positive_amount_refuses_zero_and_negative() -> None:
    assert positive_amount("0.01", "CNY") == Money.of("0.01", "CNY")
    for text in ("0", "0.00", "-0.01", "-100"):
        with pytest.raises(InvalidAmount, match="greater than zero"):
            positive_amount(text, "CNY")


# ---------------------------------------------------------------- rounding: ROUND_HALF_UP (四舍五入), pinned


@pytest.mark.parametrize(
    ("raw", "rounded"),
    [
        ("2.675", "2.68"),  # binary floats get this one wrong (2.67499999...); Decimal half-up must not
        ("2.665", "2.67"),  # half-up, not banker's rounding (which would give 2.66)
        ("-2.675", "-2.68"),  # half away from zero for negatives
        ("-2.665", "-2.67"),
        ("0.005", "0.01"),
        ("0.0049999", "0.00"),
        ("1.994999", "1.99"),
        ("1.995", "2.00"),
        ("2.5", "2.50"),
    ],
)
def test_rounding_is_half_up_to_the_fen(raw: str, rounded: str) -> None:
    r = Money(Decimal(raw), "CNY").rounded()
    assert r.amount == Decimal(rounded)
    assert r.text() == rounded
    assert r.currency == "CNY"


@pytest.mark.parametrize(("raw", "rounded"), [("0.5", "1"), ("1.5", "2"), ("2.5", "3"), ("-2.5", "-3")])
def test_jpy_rounds_half_up_to_the_yen(raw: str, rounded: str) -> None:
    assert Money(Decimal(raw), "JPY").rounded().amount == Decimal(rounded)


def test_text_shows_the_currency_precision() -> None:
    assert Money.of("100", "CNY").text() == "100.00"
    assert Money.of("100.5", "CNY").text() == "100.50"
    assert Money.of("1500", "JPY").text() == "1500"
    assert str(Money.of("3.10", "USD")) == "3.10 USD"


# ---------------------------------------------------------------- minor units


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (10050, "CNY", "100.50"),
        (1, "CNY", "0.01"),
        (0, "CNY", "0.00"),
        (-5, "CNY", "-0.05"),
        (123, "JPY", "123"),
    ],
)
def test_from_minor_and_to_minor(minor: int, currency: str, text: str) -> None:
    m = Money.from_minor(minor, currency)
    assert m.text() == text
    assert m.to_minor() == minor
    assert minor_to_text(minor, currency) == text


def test_to_minor_refuses_sub_minor_amounts() -> None:
    with pytest.raises(InvalidAmount, match="round it first"):
        Money(Decimal("1.001"), "CNY").to_minor()
    assert Money(Decimal("1.001"), "CNY").rounded().to_minor() == 100


def test_zero() -> None:
    z = Money.zero("CNY")
    assert z.amount == 0 and z.currency == "CNY" and not z.is_positive()


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(sorted(MINOR_UNITS)))
def test_minor_units_round_trip(minor: int, currency: str) -> None:
    m = Money.from_minor(minor, currency)
    assert m.to_minor() == minor
    assert Money.of(m.text(), currency) == m


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=6, allow_nan=False, allow_infinity=False))
def test_rounding_never_moves_more_than_half_a_fen(raw: Decimal) -> None:
    r = Money(raw, "CNY").rounded()
    assert abs(r.amount - raw) <= Decimal("0.005")
    assert r.to_minor() == int(r.amount * 100)
    # exactly half a fen away only when the input sat on the midpoint, and then away from zero
    if abs(r.amount - raw) == Decimal("0.005"):
        assert abs(r.amount) > abs(raw)


# ---------------------------------------------------------------- arithmetic within one currency only


def test_same_currency_arithmetic_is_exact() -> None:
    a, b = Money.of("0.10", "CNY"), Money.of("0.20", "CNY")
    assert (a + b) == Money.of("0.30", "CNY")  # 0.1 + 0.2 == 0.3, unlike binary floats
    assert (b - a) == a
    assert -a == Money.of("-0.10", "CNY")
    assert a < b and a <= a and not b < a
    assert Money.of("0.01", "CNY").is_positive()


@given(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=-(10**12), max_value=10**12),
)
def test_addition_matches_integer_minor_units(x: int, y: int) -> None:
    a, b = Money.from_minor(x, "CNY"), Money.from_minor(y, "CNY")
    assert (a + b).to_minor() == x + y
    assert (a - b).to_minor() == x - y
    assert (a + b - b) == a


def test_cross_currency_arithmetic_refused() -> None:
    cny, usd = Money.of("1.00", "CNY"), Money.of("1.00", "USD")
    with pytest.raises(UnsupportedCurrency):
        cny + usd
    with pytest.raises(UnsupportedCurrency):
        cny - usd
    with pytest.raises(UnsupportedCurrency):
        _ = cny < usd
    with pytest.raises(UnsupportedCurrency):
        _ = cny <= usd


def test_adding_a_bare_number_is_refused() -> None:
    with pytest.raises(UnsupportedCurrency):
        Money.of("1.00", "CNY") + Decimal("1.00")  # type: ignore[operator]


def test_money_is_immutable_and_equal_by_value() -> None:
    m = Money.of("1.10", "CNY")
    assert m == Money(Decimal("1.1"), "CNY")
    assert m != Money.of("1.10", "USD")
    assert len({m, Money(Decimal("1.1"), "CNY")}) == 1
    with pytest.raises(AttributeError):
        m.amount = Decimal(2)  # type: ignore[misc]
