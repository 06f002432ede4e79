"""Standing orders through real end-of-day runs on a bank of its own (from Monday 1 June 2026): a monthly order
on the 31st pays on 30 June, 31 July and 31 August, exactly Dr payer / Cr payee each time, and ends after its
end date; a weekly order from an empty account fails three Mondays running and is suspended; a cancelled
order never runs; re-running the steps on a day already closed changes nothing; bad orders are refused and
change nothing. The schedule arithmetic (month ends, leap years, weekdays) is checked on its own."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from corebank import eod, tellers
from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError
from corebank.ledger import chart
from corebank.payments import standing_orders
from corebank.payments.mandate_schemas import StandingOrderCreate, StandingOrderRead
from corebank.security import SYSTEM, Actor
from tests.factories import funded_account, new_account
from tests.integration.conftest import FreshBank, _set_business_date
from tests.integration.payments.mandate_support import (
    account_id,
    balance,
    entry_legs,
    mandate_state,
    run_steps,
)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("frequency", "day", "start", "first", "then"),
    [
        ("monthly", 31, date(2026, 6, 1), date(2026, 6, 30), date(2026, 7, 31)),
        ("monthly", 31, date(2027, 1, 31), date(2027, 1, 31), date(2027, 2, 28)),
        ("monthly", 30, date(2028, 2, 1), date(2028, 2, 29), date(2028, 3, 30)),  # a leap year
        ("monthly", 15, date(2026, 12, 16), date(2027, 1, 15), date(2027, 2, 15)),
        ("monthly", 1, date(2026, 6, 1), date(2026, 6, 1), date(2026, 7, 1)),
        ("weekly", 1, date(2026, 6, 1), date(2026, 6, 1), date(2026, 6, 8)),  # 1 June 2026 is a Monday
        ("weekly", 5, date(2026, 6, 6), date(2026, 6, 12), date(2026, 6, 19)),
    ],
)
def test_schedule(frequency: str, day: int, start: date, first: date, then: date) -> None:
    assert standing_orders.first_run(frequency, day, start) == first
    assert standing_orders.next_run(frequency, day, first) == then


def _order(bank: Bank, teller: Actor, **over: Any) -> StandingOrderRead:
    fields: dict[str, Any] = dict(amount="100.00", frequency="monthly")
    fields.update(over)
    return bank.run(standing_orders.create_standing_order, teller, StandingOrderCreate(**fields))


def _get(fb: FreshBank, order_id: int) -> StandingOrderRead:
    return fb.bank.run(standing_orders.get_standing_order, fb.teller, order_id, readonly=True)


def _close(fb: FreshBank, day: date) -> None:
    if fb.business_date() < day:
        # Jump over days on which nothing is due (no tills opened: the vaults would run dry).
        fb.bank.run(_set_business_date, day)
    assert fb.business_date() == day
    eod.close_day(fb.bank, SYSTEM)


def test_standing_orders_over_month_ends(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    bank, teller = fb.bank, fb.teller
    payer = funded_account(bank, teller, "1000.00")
    payee = new_account(bank, teller)
    monthly = _order(
        bank, teller, from_account=payer.number, to_account=payee.number, day=31, end_date=date(2026, 9, 15)
    )
    assert (monthly.next_run_date, monthly.status, monthly.to_name) == (
        date(2026, 6, 30),
        "active",
        payee.name,
    )
    empty = new_account(bank, teller)
    weekly = _order(
        bank, teller, from_account=empty.number, to_account=payee.number, amount="10.00", frequency="weekly"
    )
    assert (weekly.day, weekly.next_run_date) == (1, date(2026, 6, 1))
    dropped = _order(bank, teller, from_account=payer.number, to_account=payee.number, day=1)
    assert dropped.next_run_date == date(2026, 6, 1)
    cancelled = fb.bank.run(standing_orders.cancel_standing_order, teller, dropped.order_id)
    assert (cancelled.status, cancelled.next_run_date) == ("cancelled", None)

    # Three Mondays without money: failed runs, then the order is suspended.
    for n, monday in enumerate((date(2026, 6, 1), date(2026, 6, 8), date(2026, 6, 15)), start=1):
        _close(fb, monday)
        w = _get(fb, weekly.order_id)
        assert (w.failures, w.last_error, w.runs[0].run_date, w.runs[0].status) == (
            n,
            "INSUFFICIENT_FUNDS",
            monday,
            "failed",
        )
        assert w.runs[0].entry_id is None
    assert (w.status, w.next_run_date, len(w.runs)) == ("suspended", None, 3)
    assert balance(bank, payee.number) == 0

    # The monthly order on the 31st: the last day of June, then 31 July and 31 August.
    paid = 0
    for last_day in (date(2026, 6, 30), date(2026, 7, 31), date(2026, 8, 31)):
        _close(fb, date(last_day.year, last_day.month, last_day.day - 1))
        assert _get(fb, monthly.order_id).next_run_date == last_day  # not yet
        _close(fb, last_day)
        paid += 10_000
        o = _get(fb, monthly.order_id)
        run = o.runs[0]
        assert (run.run_date, run.status, run.amount, run.error) == (last_day, "posted", "100.00", None)
        assert run.entry_id is not None
        assert sorted(entry_legs(bank, run.entry_id)) == sorted(
            [
                (chart.DEMAND_DEPOSITS, account_id(bank, payer.number), 10_000),
                (chart.DEMAND_DEPOSITS, account_id(bank, payee.number), -10_000),
            ]
        )
        assert balance(bank, payee.number) == paid
        if last_day.month == 6:
            # Running the steps again for the day closed changes nothing.
            once = mandate_state(bank)
            run_steps(bank, last_day)
            assert mandate_state(bank) == once
    # The next run (30 September) would fall after the end date: the order has ended.
    assert (o.status, o.next_run_date, len(o.runs), o.failures) == ("ended", None, 3, 0)
    assert balance(bank, payer.number) == 100_000 - paid
    assert _get(fb, dropped.order_id).runs == []


def test_bad_orders_are_refused_and_change_nothing(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    bank, teller = fb.bank, fb.teller
    bank.run(tellers.open_till, teller, tellers.TillOpen(opening_cash="100.00"))
    payer = funded_account(bank, teller, "100.00")
    payee = new_account(bank, teller).number
    today = fb.business_date()

    def refused(code: str, actor: Actor | None = None, **over: Any) -> None:
        fields: dict[str, Any] = dict(from_account=payer.number, to_account=payee, amount="10.00")
        fields.update(over)
        before = mandate_state(bank)
        with pytest.raises(CoreBankError) as info:
            bank.run(standing_orders.create_standing_order, actor or teller, StandingOrderCreate(**fields))
        assert info.value.code == code, info.value
        assert mandate_state(bank) == before

    refused("STANDING_ORDER_INVALID", start_date=date(2026, 1, 1))
    refused("STANDING_ORDER_INVALID", frequency="weekly", day=8)
    refused("STANDING_ORDER_INVALID", day=10, start_date=today, end_date=today)  # ends before its first run
    refused("STANDING_ORDER_INVALID", to_bank_code="102100099996", to_account="6222020000000001")  # no name
    refused("SAME_ACCOUNT", to_account=payer.number)
    refused("ACCOUNT_NOT_FOUND", to_account="6200000000000000009")
    refused("INVALID_AMOUNT", amount="0")
    refused("OUT_OF_BRANCH_SCOPE", fb.east_teller)
