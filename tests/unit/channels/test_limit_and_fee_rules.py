"""The pure parts of limits and fees: the default settings parsed, the most specific limit row per field, and a
fee from fixed amount, rate and cap with half-up rounding."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from corebank.channels import limits
from corebank.config import Settings
from corebank.kernel.errors import CoreBankError
from corebank.kernel.money import Money
from corebank.products import fee_schedule


def test_the_default_limits_are_domains() -> None:
    rows = {(d.channel, d.tx_type): d for d in limits.parse_limit_defaults(Settings().channel_limit_defaults)}
    assert rows[("internet", "transfer")].single == Decimal(50000)
    assert rows[("mobile", "transfer")].daily == Decimal(200000)
    assert (rows[("atm", "withdrawal")].single, rows[("atm", "withdrawal")].daily) == (2500, 20000)
    assert (rows[("atm", "transfer")].single, rows[("atm", "transfer")].daily) == (None, 50000)


def test_default_rows_are_in_minor_units_for_every_customer() -> None:
    row = next(r for r in limits.default_limit_rows("atm/withdrawal: single=2500, count=10", "CNY"))
    assert row == {
        "channel": "atm",
        "tx_type": "withdrawal",
        "tier": "*",
        "account_class": 0,
        "strength": "*",
        "single_max": 250000,
        "daily_max": None,
        "yearly_max": None,
        "daily_count": 10,
        "currency": "CNY",
    }


@pytest.mark.parametrize(
    "text",
    [
        "internet transfer: single=1",
        "internet/transfer single=1",
        "teller/transfer: single=1",
        "internet/wire: single=1",
        "internet/transfer: weekly=1",
        "internet/transfer: single=x",
        "internet/transfer: single=-1",
        "internet/transfer: count=1.5",
        "internet/transfer: single=1, single=2",
    ],
)
def test_a_malformed_limit_setting_is_refused(text: str) -> None:
    with pytest.raises(CoreBankError):
        limits.parse_limit_defaults(text)


def _row(tier: str = "*", cls: int = 0, strength: str = "*", **values: int | None) -> SimpleNamespace:
    fields = {"single_max": None, "daily_max": None, "yearly_max": None, "daily_count": None, **values}
    return SimpleNamespace(tier=tier, account_class=cls, strength=strength, **fields)


def test_per_field_the_most_specific_row_that_sets_it_wins() -> None:
    rows = [
        _row(single_max=50_000, daily_max=200_000, daily_count=20),
        _row(tier="vip", single_max=100_000),
        _row(cls=3, single_max=2_000),
        _row(tier="vip", cls=3, daily_max=5_000),
        _row(strength="password", single_max=1_000),
    ]
    assert limits._pick(rows) == {
        "single_max": 1_000,
        "daily_max": 5_000,
        "yearly_max": None,
        "daily_count": 20,
    }
    assert limits._pick(rows[:2]) == {
        "single_max": 100_000,
        "daily_max": 200_000,
        "yearly_max": None,
        "daily_count": 20,
    }
    assert limits._pick(rows[:3])["single_max"] == 2_000  # the account class beats the tier


@pytest.mark.parametrize(
    ("amount", "fixed", "rate", "cap", "fee"),
    [
        ("10000.00", 500, "0", None, "5.00"),
        ("2000000.00", 0, "0.00002", 20000, "40.00"),
        ("50000000.00", 0, "0.00002", 20000, "200.00"),  # capped
        ("1234567.89", 0, "0.00002", 20000, "24.69"),  # 24.6913578 rounded half up
        ("1234.50", 0, "0.001", None, "1.23"),  # 1.2345 -> 1.23
        ("1235.00", 0, "0.001", None, "1.24"),  # 1.235 -> 1.24, half up
        ("100.00", 200, "0.01", 250, "2.50"),  # fixed plus rate, capped
    ],
)
def test_a_fee_is_fixed_plus_rate_rounded_half_up_and_capped(
    amount: str, fixed: int, rate: str, cap: int | None, fee: str
) -> None:
    assert fee_schedule._fee_of(Money.of(amount, "CNY"), fixed, rate, cap).text() == fee


def test_the_default_fee_rows_follow_the_setting() -> None:
    rows = fee_schedule.default_fee_rows(Settings().interbank_fee_bands, "CNY")
    counter = [
        (r["band_upto"], r["fixed_fee"], r["rate"], r["cap"]) for r in rows if r["channel"] == "counter"
    ]
    assert counter == [
        (1_000_000, 500, "0", None),
        (10_000_000, 1_000, "0", None),
        (50_000_000, 1_500, "0", None),
        (100_000_000, 2_000, "0", None),
        (None, 0, "0.00002", 20_000),
    ]
    assert {(r["channel"], r["tier"], r["fixed_fee"]) for r in rows if r["channel"] != "counter"} == {
        ("internet", "*", 0),
        ("mobile", "*", 0),
        ("open_api", "*", 0),
        ("*", "vip", 0),
    }
