"""Direct debit mandates, signed at the counter and collected on demand: a collection posts exactly Dr debtor /
Cr creditor; over the limit per debit or the month's limit, under a revoked mandate, or by someone without
the right it is refused and changes nothing; a debit the account cannot cover is recorded failed with a retry
and posts nothing; a retried request returns the first answer; a mandate must name the customer's own open
account, positive limits and a future expiry."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from corebank import accounts
from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError
from corebank.kernel.ids import with_luhn
from corebank.ledger import chart
from corebank.payments import mandates
from corebank.payments.mandate_schemas import (
    CollectionCreate,
    DebitSchedule,
    MandateCreate,
    MandateRead,
    MandateRevoke,
)
from corebank.security import Actor
from tests.factories import Staff, deposit, funded_account, new_account, new_customer
from tests.integration.payments.mandate_support import account_id, balance, biller, entry_legs, mandate_state


def _refused(code: str, bank: Bank, fn: Any, *args: Any) -> None:
    before = mandate_state(bank)
    with pytest.raises(CoreBankError) as info:
        bank.run(fn, *args)
    assert info.value.code == code, info.value
    assert mandate_state(bank) == before


def _today(bank: Bank) -> date:
    return bank.run(lambda uow: uow.business_date, readonly=True)


def _sign(bank: Bank, teller: Actor, funds: str | None = "1000.00", **over: Any) -> tuple[MandateRead, str]:
    """A customer with an account holding `funds` signs a mandate for a creditor account; returns it and the
    creditor's account number."""
    cust = new_customer(bank, teller)
    debtor = new_account(bank, teller, cust.number)
    if funds:
        deposit(bank, teller, debtor.number, funds)
    creditor = None
    if "biller_code" not in over:
        creditor = over.pop("creditor_account", None) or new_account(bank, teller).number
    fields: dict[str, Any] = dict(
        customer_number=cust.number,
        debtor_account=debtor.number,
        creditor_account=creditor,
        limit_per_debit="300.00",
        limit_per_month="500.00",
        expiry_date=_today(bank) + timedelta(days=365),
    )
    fields.update(over)
    made = bank.run(mandates.create_mandate, teller, MandateCreate(**fields))
    return made, made.creditor_account


def test_collection_posts_debtor_to_creditor(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    m, creditor = _sign(bank, teller)
    assert (m.status, m.limit_per_debit, m.limit_per_month, m.month_collected) == (
        "active",
        "300.00",
        "500.00",
        "0.00",
    )
    d = bank.run(mandates.collect, accountant, m.mandate_id, CollectionCreate(amount="120.50"), "dd-1")
    assert (d.status, d.attempts, d.last_error, d.next_attempt_date) == ("collected", 1, None, None)
    assert d.entry_id is not None
    assert balance(bank, m.debtor_account) == 100_000 - 12_050
    assert balance(bank, creditor) == 12_050
    assert sorted(entry_legs(bank, d.entry_id)) == sorted(
        [
            (chart.DEMAND_DEPOSITS, account_id(bank, m.debtor_account), 12_050),
            (chart.DEMAND_DEPOSITS, account_id(bank, creditor), -12_050),
        ]
    )
    got = bank.run(mandates.get_mandate, teller, m.mandate_id, readonly=True)
    assert (got.month_collected, got.month_start) == ("120.50", _today(bank).replace(day=1))
    # A retry with the same key: the first answer again, nothing posted twice.
    before = mandate_state(bank)
    again = bank.run(mandates.collect, accountant, m.mandate_id, CollectionCreate(amount="120.50"), "dd-1")
    assert again == d
    assert mandate_state(bank) == before
    assert [x.debit_id for x in bank.run(mandates.list_debits, teller, m.mandate_id, readonly=True)] == [
        d.debit_id
    ]


def test_limits_per_debit_and_per_month_are_refused(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    m, _creditor = _sign(bank, teller)
    _refused(
        "MANDATE_LIMIT_EXCEEDED",
        bank,
        mandates.collect,
        accountant,
        m.mandate_id,
        CollectionCreate(amount="300.01"),
        "l-1",
    )
    for n, amount in enumerate(("300.00", "150.00")):
        d = bank.run(mandates.collect, accountant, m.mandate_id, CollectionCreate(amount=amount), f"l-ok-{n}")
        assert d.status == "collected"
    # 450.00 collected this month: 50.01 more would pass the 500.00 a month.
    _refused(
        "MANDATE_MONTHLY_LIMIT_EXCEEDED",
        bank,
        mandates.collect,
        accountant,
        m.mandate_id,
        CollectionCreate(amount="50.01"),
        "l-2",
    )
    d = bank.run(mandates.collect, accountant, m.mandate_id, CollectionCreate(amount="50.00"), "l-3")
    assert d.status == "collected"
    assert balance(bank, m.debtor_account) == 100_000 - 50_000
    _refused(
        "MANDATE_LIMIT_EXCEEDED",
        bank,
        mandates.schedule_debit,
        accountant,
        m.mandate_id,
        DebitSchedule(amount="300.01", due_date=_today(bank)),
    )


def test_insufficient_funds_fails_the_debit_and_schedules_a_retry(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    m, creditor = _sign(bank, teller, funds="100.00")
    before = mandate_state(bank)
    d = bank.run(mandates.collect, accountant, m.mandate_id, CollectionCreate(amount="100.01"), "nsf-1")
    assert (d.status, d.last_error, d.attempts) == ("failed", "INSUFFICIENT_FUNDS", 1)
    assert d.next_attempt_date == _today(bank) + timedelta(days=1)
    assert d.entry_id is None
    after = mandate_state(bank)
    # Nothing posted, no balance moved, the month's count untouched; only the debit, its audit and the key.
    for k in ("entries", "lines", "balances"):
        assert after[k] == before[k], k
    assert balance(bank, creditor) == 0
    got = bank.run(mandates.get_mandate, teller, m.mandate_id, readonly=True)
    assert got.month_collected == "0.00"


def test_revoked_mandate_collects_nothing(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    m, _creditor = _sign(bank, teller)
    today = _today(bank)
    scheduled = bank.run(
        mandates.schedule_debit,
        accountant,
        m.mandate_id,
        DebitSchedule(amount="10.00", due_date=today + timedelta(days=3)),
    )
    assert (scheduled.status, scheduled.next_attempt_date) == ("scheduled", today + timedelta(days=3))
    revoked = bank.run(mandates.revoke_mandate, teller, m.mandate_id, MandateRevoke(reason="moved house"))
    assert (revoked.status, revoked.revoked_by, revoked.revoke_reason) == ("revoked", "teller", "moved house")
    debits = bank.run(mandates.list_debits, teller, m.mandate_id, readonly=True)
    assert [(x.status, x.last_error) for x in debits] == [("cancelled", "MANDATE_REVOKED")]
    _refused(
        "MANDATE_NOT_ACTIVE",
        bank,
        mandates.collect,
        accountant,
        m.mandate_id,
        CollectionCreate(amount="1.00"),
        "rv-1",
    )
    _refused("MANDATE_NOT_ACTIVE", bank, mandates.revoke_mandate, teller, m.mandate_id, MandateRevoke())
    _refused(
        "MANDATE_NOT_ACTIVE",
        bank,
        mandates.schedule_debit,
        accountant,
        m.mandate_id,
        DebitSchedule(amount="1.00", due_date=today),
    )


def test_who_may_sign_and_collect(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    m, _creditor = _sign(bank, teller)
    _refused(
        "PERMISSION_DENIED",
        bank,
        mandates.collect,
        teller,
        m.mandate_id,
        CollectionCreate(amount="1.00"),
        "w-1",
    )
    _refused("OUT_OF_BRANCH_SCOPE", bank, mandates.get_mandate, staff["east_teller"].actor, m.mandate_id)
    _refused(
        "MANDATE_NOT_FOUND", bank, mandates.collect, accountant, 10**9, CollectionCreate(amount="1.00"), "w-2"
    )
    assert m.mandate_id in [x.mandate_id for x in bank.run(mandates.list_mandates, accountant, readonly=True)]
    assert m.mandate_id not in [
        x.mandate_id for x in bank.run(mandates.list_mandates, staff["east_teller"].actor, readonly=True)
    ]


def test_signing_refusals_change_nothing(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    cust = new_customer(bank, teller)
    own = new_account(bank, teller, cust.number).number
    other = funded_account(bank, teller).number
    creditor = new_account(bank, teller).number
    today = _today(bank)

    def cmd(**over: Any) -> MandateCreate:
        fields: dict[str, Any] = dict(
            customer_number=cust.number,
            debtor_account=own,
            creditor_account=creditor,
            limit_per_debit="100.00",
            limit_per_month="300.00",
            expiry_date=today + timedelta(days=30),
        )
        fields.update(over)
        return MandateCreate(**fields)

    sign = mandates.create_mandate
    _refused("MANDATE_DEBTOR_NOT_CUSTOMERS", bank, sign, teller, cmd(debtor_account=other))
    _refused("MANDATE_INVALID", bank, sign, teller, cmd(expiry_date=today))
    _refused("MANDATE_INVALID", bank, sign, teller, cmd(limit_per_month="99.99"))
    _refused("MANDATE_INVALID", bank, sign, teller, cmd(start_date=today - timedelta(days=1)))
    _refused("MANDATE_INVALID", bank, sign, teller, cmd(creditor_account=None))
    _refused("INVALID_AMOUNT", bank, sign, teller, cmd(limit_per_debit="0.00"))
    _refused("SAME_ACCOUNT", bank, sign, teller, cmd(creditor_account=own))
    _refused("PERMISSION_DENIED", bank, sign, accountant, cmd())
    _refused("OUT_OF_BRANCH_SCOPE", bank, sign, staff["east_teller"].actor, cmd())
    bank.run(
        accounts.freeze,
        staff["supervisor"].actor,
        own,
        accounts.FreezeRequest(kind="full", reason="court order", authority="court"),
    )
    _refused("ACCOUNT_FROZEN", bank, sign, teller, cmd())


def test_mandate_for_a_biller_checks_the_reference(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    power, settlement = biller(bank, accountant, teller)
    ref = with_luhn("555000111")
    wrong = ref[:-1] + str((int(ref[-1]) + 1) % 10)
    with pytest.raises(CoreBankError) as info:
        _sign(bank, teller, biller_code=power.code, creditor_reference=wrong)
    assert info.value.code == "BILLER_REFERENCE_INVALID"
    made, credited = _sign(bank, teller, biller_code=power.code, creditor_reference=ref)
    assert (made.biller_code, made.creditor_account, made.creditor_reference) == (power.code, settlement, ref)
    assert credited == settlement
    d = bank.run(mandates.collect, accountant, made.mandate_id, CollectionCreate(amount="66.60"), "bill-dd-1")
    assert d.status == "collected" and d.creditor_reference == ref
    assert balance(bank, settlement) == 6_660
