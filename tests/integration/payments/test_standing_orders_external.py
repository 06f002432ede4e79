"""A standing order to an account at another bank, on a bank of its own: its end-of-day run moves the money
from the payer to clearing suspense (Dr payer / Cr 1011) and records an outbound interbank payment funded by
that entry, for the sender to send; a run the payer cannot cover records a failed run and no payment."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from corebank import eod
from corebank.ledger import chart
from corebank.payments import standing_orders
from corebank.payments.interbank_models import InterbankPayment
from corebank.payments.mandate_schemas import StandingOrderCreate, StandingOrderRead
from corebank.security import SYSTEM
from tests.factories import funded_account, new_account
from tests.integration.conftest import FreshBank
from tests.integration.payments.mandate_support import account_id, balance, entry_legs

pytestmark = pytest.mark.slow
OTHER_BANK = "102100099996"


def _order(fb: FreshBank, payer: str, amount: str) -> StandingOrderRead:
    return fb.bank.run(
        standing_orders.create_standing_order,
        fb.teller,
        StandingOrderCreate(
            from_account=payer,
            to_account="6222020000001234",
            to_bank_code=OTHER_BANK,
            to_name="Zhao Landlord",
            amount=amount,
            day=2,
            memo="rent",
        ),
    )


def test_a_run_to_another_bank_goes_through_clearing_suspense(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    payer = funded_account(fb.bank, fb.teller, "1000.00")
    empty = new_account(fb.bank, fb.teller)
    rent = _order(fb, payer.number, "50.00")
    short = _order(fb, empty.number, "50.00")
    assert (rent.to_bank_code, rent.next_run_date) == (OTHER_BANK, date(2026, 6, 2))
    eod.close_day(fb.bank, SYSTEM)  # 1 June: nothing due
    eod.close_day(fb.bank, SYSTEM)  # 2 June
    got = fb.bank.run(standing_orders.get_standing_order, fb.teller, rent.order_id, readonly=True)
    run = got.runs[0]
    assert (run.status, run.run_date, got.next_run_date) == ("posted", date(2026, 6, 2), date(2026, 7, 2))
    assert run.entry_id is not None and run.interbank_payment_id is not None
    assert sorted(entry_legs(fb.bank, run.entry_id), key=str) == sorted(
        [
            (chart.DEMAND_DEPOSITS, account_id(fb.bank, payer.number), 5_000),
            (chart.CLEARING_SUSPENSE, None, -5_000),
        ],
        key=str,
    )
    assert balance(fb.bank, payer.number) == 95_000

    def payment(uow: Any) -> InterbankPayment:
        p = uow.session.execute(
            select(InterbankPayment).where(InterbankPayment.id == run.interbank_payment_id)
        ).scalar_one()
        uow.session.expunge(p)
        return p

    p = fb.bank.run(payment, readonly=True)
    assert (p.direction, p.status, p.amount, p.creditor_bank_code, p.creditor_account, p.creditor_name) == (
        "out",
        "created",
        5_000,
        OTHER_BANK,
        "6222020000001234",
        "Zhao Landlord",
    )
    assert (p.funding_entry_id, p.account_id, p.debtor_account) == (
        run.entry_id,
        account_id(fb.bank, payer.number),
        payer.number,
    )
    failed = fb.bank.run(standing_orders.get_standing_order, fb.teller, short.order_id, readonly=True)
    assert (failed.runs[0].status, failed.runs[0].error, failed.runs[0].interbank_payment_id) == (
        "failed",
        "INSUFFICIENT_FUNDS",
        None,
    )
    assert (failed.failures, failed.status) == (1, "active")
