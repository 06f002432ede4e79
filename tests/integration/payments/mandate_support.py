"""Helpers the biller, mandate and standing order tests share: balances, billers with settlement accounts,
a fingerprint of the mandate tables, and running this area's end-of-day steps for a day."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import func, select

from corebank import accounts, ledger
from corebank.bootstrap import Bank
from corebank.payments import billers, mandate_jobs
from corebank.payments.mandate_models import Biller, DirectDebit, Mandate, StandingOrder, StandingOrderRun
from corebank.payments.mandate_schemas import BillerCreate, BillerRead
from corebank.security import Actor
from tests.factories import ledger_state, new_account

_codes = itertools.count(1)


def balance(bank: Bank, number: str) -> int:
    """The account's balance in minor units."""

    def read(uow: Any) -> int:
        acc = accounts.load_for_posting(uow, [number])[number]
        return int(ledger.balances(uow, [acc.id])[acc.id].balance)

    return bank.run(read, readonly=True)


def biller(
    bank: Bank,
    operator: Actor,
    teller: Actor,
    *,
    pattern: str = r"[0-9]{10}",
    check_digit: str = "luhn",
    min_amount: str = "1.00",
    max_amount: str | None = "5000.00",
    category: str = "utilities",
) -> tuple[BillerRead, str]:
    """A biller registered by `operator`, paid into a new settlement account that `teller` opens."""
    settlement = new_account(bank, teller).number
    code = f"BILLER{next(_codes)}X{settlement[-4:]}"
    read = bank.run(
        billers.register_biller,
        operator,
        BillerCreate(
            code=code,
            name=f"Utility {code}",
            category=category,
            settlement_account=settlement,
            reference_pattern=pattern,
            check_digit=check_digit,
            min_amount=min_amount,
            max_amount=max_amount,
        ),
    )
    return read, settlement


def mandate_state(bank: Bank) -> dict[str, Any]:
    """Everything a refused request must leave untouched: the ledger fingerprint and the area's tables."""

    def read(uow: Any) -> dict[str, Any]:
        s = uow.session

        def rows(model: Any) -> list[tuple[Any, ...]]:
            table = model.__table__
            return [tuple(r) for r in s.execute(select(table).order_by(table.c.id))]

        return {
            "billers": s.execute(select(func.count()).select_from(Biller)).scalar(),
            "mandates": rows(Mandate),
            "debits": rows(DirectDebit),
            "orders": rows(StandingOrder),
            "runs": rows(StandingOrderRun),
        }

    return {**ledger_state(bank), **bank.run(read, readonly=True)}


def run_steps(bank: Bank, day: date) -> None:
    """This area's end-of-day steps for `day`, as the runner runs them (each chunk its own transaction)."""
    for step in mandate_jobs.EOD_STEPS:
        if step.run is not None:
            bank.run(step.run, day, eod=True)
            continue
        assert step.chunk is not None and step.upper_bound is not None
        hi = bank.run(step.upper_bound, day, readonly=True)
        bank.run(step.chunk, day, 0, hi, eod=True)


def entry_legs(bank: Bank, entry_id: int) -> list[tuple[str, int | None, int]]:
    """(GL code, account id, signed minor amount) of each line of a journal entry, inter-branch lines left out."""

    def read(uow: Any) -> list[tuple[str, int | None, int]]:
        e = ledger.get_entry(uow, entry_id)
        return [
            (ln.gl_code, ln.account_id, ln.amount)
            for ln in e.lines
            if ln.gl_code != ledger.chart.INTER_BRANCH
        ]

    return bank.run(read, readonly=True)


def account_id(bank: Bank, number: str) -> int:
    """The ledger id of a deposit account."""
    return bank.run(lambda uow: accounts.load_for_posting(uow, [number])[number].id, readonly=True)
