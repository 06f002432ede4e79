"""One value type for money: a Decimal amount and its ISO 4217 currency.

Never use floating point in an accounting system: 0.1 + 0.2 is not 0.3 in binary floating point, and a bank
must balance to exactly zero. `Money` refuses floats outright; amounts are stored as integer minor units.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from corebank.kernel.errors import InvalidAmount, UnsupportedCurrency

# ISO 4217 minor-unit exponents for the currencies a product may hold. Rounding happens in one place: here.
MINOR_UNITS: dict[str, int] = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "GBP": 2, "JPY": 0}
ROUNDING = ROUND_HALF_UP  # 四舍五入
# Far above any real single amount, below what a BIGINT of minor units holds (a bigger one crashes the insert).
MAX_MINOR = 10**18


def exponent(currency: str) -> int:
    """Decimal places of `currency`'s minor unit; raise UnsupportedCurrency for an unknown code."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise UnsupportedCurrency(f"currency {currency!r} is not supported") from None


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency. Arithmetic across currencies is refused."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        # bool is an int subclass: True would silently become one yuan.
        if isinstance(self.amount, float | bool) or not isinstance(self.amount, Decimal | int):
            raise InvalidAmount("money amounts must be Decimal or int, never float")
        exponent(self.currency)
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", Decimal(self.amount))
        if not self.amount.is_finite():
            raise InvalidAmount("money amounts must be finite")

    @classmethod
    def of(cls, text: str | Decimal | int, currency: str) -> Money:
        """Parse an exact amount; refuse floats, non-numbers and more decimals than the currency has."""
        if isinstance(text, float | bool):
            raise InvalidAmount('amount must be a decimal string such as "100.00", not a float')
        try:
            value = Decimal(text.strip()) if isinstance(text, str) else Decimal(text)
        except (InvalidOperation, ValueError):
            raise InvalidAmount(f"amount {text!r} is not a number") from None
        if not value.is_finite():
            raise InvalidAmount(f"amount {text!r} is not a finite number")
        places = exponent(currency)
        if abs(value.scaleb(places)) >= MAX_MINOR:
            raise InvalidAmount(f"amount {text!r} is larger than any amount the bank accepts")
        exp = value.as_tuple().exponent
        if isinstance(exp, int) and -exp > places:
            raise InvalidAmount(f"amount {text!r} has more than {places} decimal places for {currency}")
        return cls(value, currency)

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        """Build from integer minor units (fen for CNY)."""
        return cls(Decimal(minor).scaleb(-exponent(currency)), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in `currency`."""
        return cls.from_minor(0, currency)

    def rounded(self) -> Money:
        """Round half up to the currency's minor unit."""
        quantum = Decimal(1).scaleb(-exponent(self.currency))
        return Money(self.amount.quantize(quantum, rounding=ROUNDING), self.currency)

    def to_minor(self) -> int:
        """Integer minor units; the amount must already be at the currency's precision."""
        scaled = self.amount.scaleb(exponent(self.currency))
        if scaled != scaled.to_integral_value():
            raise InvalidAmount(f"{self} is finer than the minor unit of {self.currency}; round it first")
        return int(scaled)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money) or other.currency != self.currency:
            raise UnsupportedCurrency("cannot combine amounts of different currencies")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def is_positive(self) -> bool:
        """True when strictly above zero."""
        return self.amount > 0

    def text(self) -> str:
        """The amount as a decimal string at the currency's precision, e.g. "100.00"."""
        quantum = Decimal(1).scaleb(-exponent(self.currency))
        return str(self.amount.quantize(quantum, rounding=ROUNDING))

    def __str__(self) -> str:
        return f"{self.text()} {self.currency}"


def minor_to_text(minor: int, currency: str) -> str:
    """Integer minor units as a decimal string, e.g. 10050 CNY -> "100.50"."""
    return Money.from_minor(minor, currency).text()


def positive_amount(text: str, currency: str) -> Money:
    """Parse a request amount that must be above zero, at the currency's precision."""
    money = Money.of(text, currency)
    if not money.is_positive():
        raise InvalidAmount(f"amount must be greater than zero, got {text!r}")
    return money
