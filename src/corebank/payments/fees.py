"""Counter interbank transfer fees (手续费), by amount band, from the setting `interbank_fee_bands`.

The setting reads "10000=5,100000=10,500000=15,1000000=20,above=0.002%:200": a fixed fee (CNY) for amounts
up to each bound, then a percentage of the amount capped at a maximum above the last bound. E-channel
transfers are free; a waived customer (VIP tier) pays nothing.

The fees actually charged come from the fee table in products (`products.fee_schedule.quote`), loaded from this
setting at init; the parser lives there and is re-exported here, and `interbank_fee` computes the setting's fee
directly (what the table holds by default).
"""

from __future__ import annotations

from corebank.kernel.money import Money
from corebank.products.fee_schedule import FeeBands, parse_fee_bands

__all__ = ["COUNTER_CHANNELS", "FeeBands", "fee_channel", "interbank_fee", "parse_fee_bands"]

# Staff channels pay the counter fee (the counter, and staff at the command line); every other channel
# (internet, mobile, open API ...) is an e-channel.
COUNTER_CHANNELS = frozenset({"counter", "teller", "cli"})


def fee_channel(channel: str) -> str:
    """The channel the fee table knows an actor's channel by: staff at the counter or the command line pay the
    counter's fees."""
    return "counter" if channel in COUNTER_CHANNELS else channel


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
