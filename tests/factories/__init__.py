"""Factories that build realistic customers and accounts through the real services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from corebank import accounts, customers
from corebank.bootstrap import Bank
from corebank.customers import make_resident_id
from corebank.db.models import AuditRecord, IdempotencyRecord
from corebank.ledger.models import JournalEntry, JournalLine, LedgerAccount
from corebank.security import Actor

_seq = itertools.count(1)
REGIONS = ("110100", "310100", "440100", "330100", "510100", "420100", "320100", "370100", "610100", "350100")


@dataclass(frozen=True)
class StaffMember:
    username: str
    password: str
    actor: Actor


class Staff(dict[str, StaffMember]):
    """Staff members by username."""


def resident_id(n: int | None = None) -> str:
    """A valid, unique synthetic resident ID."""
    n = next(_seq) if n is None else n
    region = REGIONS[n % len(REGIONS)]
    birth = date(1960 + n % 40, 1 + n % 12, 1 + n % 28)
    return make_resident_id(region, birth, (n * 7) % 1000)


def phone(n: int) -> str:
    return f"139{n % 100000000:08d}"


def new_customer(bank: Bank, actor: Actor, **overrides: Any) -> customers.CustomerRead:
    """An active individual customer with a valid resident ID."""
    n = 100000 + next(_seq)
    cmd = dict(
        type="individual",
        name=f"Test Customer {n}",
        id_type="resident_id",
        id_number=resident_id(n),
        phone=phone(n),
        address="1 Bank Street",
        occupation="engineer",
    )
    cmd.update(overrides)
    return bank.run(customers.open_customer, actor, customers.CustomerCreate(**cmd))


def new_account(
    bank: Bank,
    actor: Actor,
    customer_number: str | None = None,
    *,
    account_class: int = 1,
    product_code: str = "DEMAND_CNY",
    linked: str | None = None,
) -> accounts.AccountRead:
    """An open account (a new customer's Type I demand account unless told otherwise)."""
    if customer_number is None:
        customer_number = new_customer(bank, actor).number
    return bank.run(
        accounts.open_account,
        actor,
        accounts.AccountOpen(
            customer_number=customer_number,
            product_code=product_code,
            account_class=account_class,
            linked_account=linked,
        ),
    )


def deposit(bank: Bank, teller: Actor, number: str, amount: str) -> accounts.CashReceipt:
    """Cash paid in at the counter by `teller` (who must have an open till)."""
    return bank.run(
        accounts.cash_deposit,
        teller,
        number,
        accounts.CashOperation(amount=amount, currency="CNY"),
        f"dep-{next(_seq)}",
    )


def funded_account(bank: Bank, teller: Actor, amount: str = "1000.00") -> accounts.AccountRead:
    """A new account with `amount` paid in."""
    acc = new_account(bank, teller)
    deposit(bank, teller, acc.number, amount)
    return acc


def ledger_state(bank: Bank) -> dict[str, Any]:
    """A fingerprint of everything a refused request must leave untouched."""

    def read(uow: Any) -> dict[str, Any]:
        s = uow.session
        return {
            "entries": s.execute(select(func.count()).select_from(JournalEntry)).scalar(),
            "lines": s.execute(select(func.count()).select_from(JournalLine)).scalar(),
            "balances": tuple(
                s.execute(
                    select(
                        LedgerAccount.id,
                        LedgerAccount.balance,
                        LedgerAccount.held,
                        LedgerAccount.allow_increase,
                        LedgerAccount.allow_decrease,
                    ).order_by(LedgerAccount.id)
                ).all()
            ),
            "idempotency": s.execute(select(func.count()).select_from(IdempotencyRecord)).scalar(),
            "audit": s.execute(select(func.count()).select_from(AuditRecord)).scalar(),
        }

    return bank.run(read, readonly=True)
