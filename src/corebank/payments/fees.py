"""Counter interbank transfer fees (手续费), by amount band, from the setting `interbank_fee_bands`.

The setting reads "10000=5,100000=10,500000=15,1000000=20,above=0.002%:200": a fixed fee (CNY) for amounts
up to each bound, then a percentage of the amount capped at a maximum above the last bound. E-channel
transfers are free; a waived customer (VIP tier) pays nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import Money

# Staff channels pay the counter fee (the counter, and staff at the command line); every other channel
# (internet, mobile, open API ...) is an e-channel.
COUNTER_CHANNELS = frozenset({"counter", "teller", "cli"})


@dataclass(frozen=True, slots=True)
class FeeBands:
    bands: tuple[tuple[Decimal, Decimal], ...]  # (up to and including this amount, fixed fee), ascending
    above_rate: Decimal  # a fraction of the amount (0.002 % = 0.00002)
    above_cap: Decimal


def _dec(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidRequest(f"interbank_fee_bands: {what} {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise InvalidRequest(f"interbank_fee_bands: {what} {text!r} must be zero or more")
    return value


def parse_fee_bands(text: str) -> FeeBands:
    """Parse the setting; a malformed one is refused with the reason (never a silent zero fee)."""
    bands: list[tuple[Decimal, Decimal]] = []
    rate: Decimal | None = None
    cap = Decimal(0)
    for part in (p.strip() for p in text.split(",") if p.strip()):
        key, sep, value = part.partition("=")
        if not sep:
            raise InvalidRequest(f"interbank_fee_bands: {part!r} is not bound=fee")
        if key.strip() == "above":
            pct, _, cap_text = value.partition(":")
            if not pct.strip().endswith("%"):
                raise InvalidRequest(f"interbank_fee_bands: above={value!r} must be percent%:cap")
            rate = _dec(pct.strip()[:-1], "percentage") / 100
            cap = _dec(cap_text, "cap") if cap_text.strip() else Decimal(0)
        else:
            bands.append((_dec(key, "bound"), _dec(value, "fee")))
    if [b for b, _ in bands] != sorted({b for b, _ in bands}):
        raise InvalidRequest("interbank_fee_bands: bounds must rise")
    if rate is None:
        raise InvalidRequest("interbank_fee_bands: no 'above=percent%:cap' band")
    return FeeBands(tuple(bands), rate, cap)


def interbank_fee(amount: Money, channel: str, bands: FeeBands, *, waived: bool = False) -> Money:
    """The fee for an interbank transfer of `amount` on `channel`: the band's fixed fee at the counter, the
    capped percentage above the last band (rounded half up to the fen), zero on e-channels or when waived."""
    zero = Money.zero(amount.currency)
    if waived or channel not in COUNTER_CHANNELS:
        return zero
    for bound, fee in bands.bands:
        if amount.amount <= bound:
            return Money.of(fee, amount.currency)
    fee = amount.amount * bands.above_rate
    if bands.above_cap:
        fee = min(fee, bands.above_cap)
    return Money(fee, amount.currency).rounded()
