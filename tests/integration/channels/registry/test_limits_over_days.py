"""Limits across business dates: the daily limit and count start again each business date, the yearly limit
adds up every day of the calendar year and starts again in January."""

from __future__ import annotations

from datetime import date

import pytest

from corebank.channels import limits
from corebank.channels.limit_schemas import LimitRuleSet
from corebank.kernel.errors import CoreBankError
from corebank.kernel.money import Money
from tests.integration.channels.registry.support import check, customer_id, manager, used
from tests.integration.conftest import FreshBank


def test_daily_resets_each_business_date_and_yearly_adds_up_to_january(fresh_bank: FreshBank) -> None:
    bank = fresh_bank.bank
    bank.run(
        limits.set_limit_rule,
        manager(fresh_bank),
        LimitRuleSet(channel="phone", tx_type="bill_payment", daily="600.00", yearly="1000.00", count=1),
    )
    _, cid = customer_id(bank, fresh_bank.teller)
    check(bank, cid, "phone", "bill_payment", "600.00")
    with pytest.raises(CoreBankError) as exc:
        check(bank, cid, "phone", "bill_payment", "0.01")
    assert exc.value.extra["limit"] == "daily"

    fresh_bank.move_to(date(2026, 6, 2))
    assert used(bank, cid, "phone", "bill_payment") == (0, 0)
    check(bank, cid, "phone", "bill_payment", "100.00")
    with pytest.raises(CoreBankError) as exc:
        check(bank, cid, "phone", "bill_payment", "1.00")
    assert exc.value.extra["limit"] == "count"

    fresh_bank.move_to(date(2026, 6, 3))
    with pytest.raises(CoreBankError) as exc:
        check(bank, cid, "phone", "bill_payment", "300.01")  # 700 used this year of 1,000
    assert (exc.value.extra["limit"], exc.value.extra["allowed"], exc.value.extra["remaining"]) == (
        "yearly",
        "1000.00",
        "300.00",
    )
    assert used(bank, cid, "phone", "bill_payment") == (0, 0)
    check(bank, cid, "phone", "bill_payment", "300.00")
    mine = bank.run(
        limits.effective_limits, cid, "phone", tier="standard", account_class=1, strength="sms", readonly=True
    )
    assert [(r.tx_type, r.used_this_year, r.remaining_today) for r in mine] == [
        ("bill_payment", "1000.00", "0.00")
    ]

    # A reversal gives back the latest use (today's) ...
    bank.run(
        lambda uow: limits.release(
            uow, customer_id=cid, channel="phone", tx_type="bill_payment", amount=Money.of("200.00", "CNY")
        )
    )
    assert used(bank, cid, "phone", "bill_payment") == (10000, 0)
    check(bank, cid, "phone", "bill_payment", "200.00")  # 1,000 again this year
    with pytest.raises(CoreBankError):
        check(bank, cid, "phone", "bill_payment", "0.01")

    # ... and a new calendar year starts the yearly limit again.
    fresh_bank.move_to(date(2027, 1, 4))
    check(bank, cid, "phone", "bill_payment", "400.00")
    assert used(bank, cid, "phone", "bill_payment") == (40000, 1)
