"""Direct debits through real end-of-day runs on a bank of its own (from 1 June 2026): a debit scheduled for a
day is collected by that day's end of day and not before; one the account cannot cover fails and is retried
the next day, collected once money arrives; retries stop after the last attempt; a mandate expires after its
last day and its open debits are cancelled; re-running the steps on a day already closed changes nothing."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest

from corebank import eod, tellers
from corebank.kernel.errors import CoreBankError
from corebank.ledger import chart
from corebank.payments import mandates
from corebank.payments.mandate_schemas import (
    CollectionCreate,
    DebitSchedule,
    DirectDebitRead,
    MandateCreate,
    MandateRead,
)
from corebank.security import SYSTEM, Actor
from tests.factories import deposit, new_account, new_customer
from tests.integration.conftest import FRESH_START, FreshBank
from tests.integration.payments.mandate_support import (
    account_id,
    balance,
    entry_legs,
    mandate_state,
    run_steps,
)

pytestmark = pytest.mark.slow
_keys = itertools.count(1)


@pytest.fixture(scope="module")
def accountant(fresh_bank: FreshBank) -> Actor:
    return fresh_bank.add_staff("accountant", "accountant", "0001")


def _till(fb: FreshBank) -> None:
    try:
        fb.bank.run(tellers.open_till, fb.teller, tellers.TillOpen(opening_cash="100.00"))
    except CoreBankError as exc:
        assert exc.code == "TILL_ALREADY_OPEN", exc


def _sign(fb: FreshBank, funds: str | None, expiry: date, per_debit: str = "300.00") -> MandateRead:
    cust = new_customer(fb.bank, fb.teller)
    debtor = new_account(fb.bank, fb.teller, cust.number)
    if funds:
        _till(fb)
        deposit(fb.bank, fb.teller, debtor.number, funds)
    return fb.bank.run(
        mandates.create_mandate,
        fb.teller,
        MandateCreate(
            customer_number=cust.number,
            debtor_account=debtor.number,
            creditor_account=new_account(fb.bank, fb.teller).number,
            limit_per_debit=per_debit,
            limit_per_month="1000.00",
            expiry_date=expiry,
        ),
    )


def _debit(fb: FreshBank, m: MandateRead, debit_id: int) -> DirectDebitRead:
    found = fb.bank.run(mandates.list_debits, fb.teller, m.mandate_id, readonly=True)
    return next(d for d in found if d.debit_id == debit_id)


def _close(fb: FreshBank, expect: date) -> None:
    assert fb.business_date() == expect
    eod.close_day(fb.bank, SYSTEM)


def _schedule(fb: FreshBank, who: Actor, m: MandateRead, amount: str, due: date) -> DirectDebitRead:
    return fb.bank.run(mandates.schedule_debit, who, m.mandate_id, DebitSchedule(amount=amount, due_date=due))


def test_a_scheduled_debit_is_collected_on_its_due_date(fresh_bank: FreshBank, accountant: Actor) -> None:
    fb = fresh_bank
    june1 = FRESH_START
    m = _sign(fb, "1000.00", june1 + timedelta(days=60))
    first = _schedule(fb, accountant, m, "200.00", june1)
    second = _schedule(fb, accountant, m, "100.00", june1 + timedelta(days=1))
    _close(fb, june1)
    got = _debit(fb, m, first.debit_id)
    assert (got.status, got.attempts, got.next_attempt_date) == ("collected", 1, None)
    assert got.entry_id is not None
    assert sorted(entry_legs(fb.bank, got.entry_id)) == sorted(
        [
            (chart.DEMAND_DEPOSITS, account_id(fb.bank, m.debtor_account), 20_000),
            (chart.DEMAND_DEPOSITS, account_id(fb.bank, m.creditor_account), -20_000),
        ]
    )
    assert _debit(fb, m, second.debit_id).status == "scheduled"
    assert balance(fb.bank, m.creditor_account) == 20_000
    # Running the steps again for the day closed changes nothing.
    once = mandate_state(fb.bank)
    run_steps(fb.bank, june1)
    assert mandate_state(fb.bank) == once
    _close(fb, june1 + timedelta(days=1))
    assert _debit(fb, m, second.debit_id).status == "collected"
    assert balance(fb.bank, m.creditor_account) == 30_000
    assert balance(fb.bank, m.debtor_account) == 70_000


def test_insufficient_funds_fail_and_the_next_days_retry_collects(
    fresh_bank: FreshBank, accountant: Actor
) -> None:
    fb = fresh_bank
    june3 = date(2026, 6, 3)
    m = _sign(fb, "50.00", june3 + timedelta(days=60))
    d = fb.bank.run(
        mandates.collect, accountant, m.mandate_id, CollectionCreate(amount="80.00"), f"k{next(_keys)}"
    )
    assert (d.status, d.last_error, d.attempts, d.next_attempt_date) == (
        "failed",
        "INSUFFICIENT_FUNDS",
        1,
        june3 + timedelta(days=1),
    )
    _close(fb, june3)  # the retry is due tomorrow, not today
    assert _debit(fb, m, d.debit_id).attempts == 1
    _till(fb)
    deposit(fb.bank, fb.teller, m.debtor_account, "30.00")
    _close(fb, june3 + timedelta(days=1))
    got = _debit(fb, m, d.debit_id)
    assert (got.status, got.attempts, got.last_error, got.next_attempt_date) == ("collected", 2, None, None)
    assert balance(fb.bank, m.debtor_account) == 0
    assert balance(fb.bank, m.creditor_account) == 8_000


def test_retries_stop_after_the_last_attempt(fresh_bank: FreshBank, accountant: Actor) -> None:
    fb = fresh_bank
    june5 = date(2026, 6, 5)
    m = _sign(fb, None, june5 + timedelta(days=60))
    d = _schedule(fb, accountant, m, "25.00", june5)
    for n in range(3):
        _close(fb, june5 + timedelta(days=n))
        got = _debit(fb, m, d.debit_id)
        assert (got.status, got.attempts, got.last_error) == ("failed", n + 1, "INSUFFICIENT_FUNDS")
    assert got.next_attempt_date is None  # three attempts made: final
    once = mandate_state(fb.bank)
    run_steps(fb.bank, date(2026, 6, 7))
    assert mandate_state(fb.bank) == once
    _close(fb, date(2026, 6, 8))
    assert _debit(fb, m, d.debit_id).attempts == 3


def test_a_mandate_expires_after_its_last_day(fresh_bank: FreshBank, accountant: Actor) -> None:
    fb = fresh_bank
    june9, june10 = date(2026, 6, 9), date(2026, 6, 10)
    m = _sign(fb, None, june10)
    d = _schedule(fb, accountant, m, "10.00", june10)
    _close(fb, june9)
    assert fb.bank.run(mandates.get_mandate, fb.teller, m.mandate_id, readonly=True).status == "active"
    _close(fb, june10)  # the debit fails (no money), then the mandate's last day is over
    got = _debit(fb, m, d.debit_id)
    assert (got.status, got.last_error, got.next_attempt_date) == ("cancelled", "MANDATE_EXPIRED", None)
    assert fb.bank.run(mandates.get_mandate, fb.teller, m.mandate_id, readonly=True).status == "expired"
    before = mandate_state(fb.bank)
    with pytest.raises(CoreBankError) as info:
        fb.bank.run(mandates.collect, accountant, m.mandate_id, CollectionCreate(amount="1.00"), "exp-1")
    assert info.value.code == "MANDATE_EXPIRED"
    assert mandate_state(fb.bank) == before


def _books_balance(fb: FreshBank) -> Any:
    from corebank import ledger

    def read(uow: Any) -> None:
        tb = ledger.trial_balance(uow)
        assert all(d == c for d, c in tb.totals().values()), tb

    fb.bank.run(read, readonly=True)


def test_the_books_balance(fresh_bank: FreshBank) -> None:
    _books_balance(fresh_bank)
