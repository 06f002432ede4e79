"""Two CoreBanks and the clearing house, in-process: a few hundred payments each way, HVPS and BEPS, with
random rejects by clearing and returns for unknown accounts; afterwards every payment is final and both
banks' books agree with clearing."""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from corebank import bootstrap, ledger, tellers
from corebank.config import Settings
from corebank.payments import clearing_link, interbank
from corebank.payments.interbank_schemas import InterbankCreate
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate
from tests.conftest import START_DATE
from tests.factories import deposit, new_account
from tests.integration.payments.interbank_support import (
    FixedClock,
    central_bank,
    join,
    simulator,
    suspense,
)

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("COREBANK_TEST_DATABASE_URL")),
    reason="the larger two-bank acceptance test runs on PostgreSQL",
)

MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai on START_DATE, a Monday
PAYMENTS_EACH_WAY = 150
ACCOUNTS_PER_BANK = 12


@dataclass
class Member:
    name: str
    bank: bootstrap.Bank
    teller: Actor
    accounts: list[Any] = field(default_factory=list)

    @property
    def code(self) -> str:
        return str(self.bank.settings.bank_code)


def _member(settings: Settings, tmp: Path, name: str, code: str, token: str) -> Member:
    s = settings.model_copy(
        update={
            "database_url": f"sqlite:///{tmp / f'{name}.db'}",
            "bank_code": code,
            "bank_name": f"Bank {name}",
            "clearing_token": token,
            "clearing_url": "http://clearing",
        }
    )
    bank = bootstrap.build(s, FixedClock(MORNING))
    bootstrap.upgrade_db(bank)
    assert bootstrap.initialize(bank, START_DATE).created
    user = bank.run(
        security.create_user,
        SYSTEM,
        UserCreate(
            username=f"teller_{name}", roles=["teller"], branch_code="0001", password="Two-banks-pass-1"
        ),
    )
    teller = make_actor(f"teller_{name}", user.user.id, ("teller",), "0001", bank.branch_tree())
    bank.run(tellers.open_till, teller, tellers.TillOpen(opening_cash="100000.00"))
    m = Member(name, bank, teller)
    for _ in range(ACCOUNTS_PER_BANK):
        acc = new_account(bank, teller)
        deposit(bank, teller, acc.number, "2000000.00")
        m.accounts.append(acc)
    return m


@pytest.fixture(scope="module")
def world(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = Path(tmp_path_factory.mktemp("two-banks"))
    a = _member(settings, tmp, "a", "313100000021", "bank-a-clearing-token")
    b = _member(settings, tmp, "b", "104100000045", "bank-b-clearing-token")
    sim = simulator(tmp, reject_rate=0.05, seed=20260302)
    join(sim, a.bank, "bank-a")
    join(sim, b.bank, "bank-b")
    # Each bank reaches clearing through the simulator's in-process client.
    yield a, b, sim
    a.bank.dispose()
    b.bank.dispose()


def _pay_many(rng: random.Random, payer: Member, payee: Member, n: int) -> None:
    for i in range(n):
        src = rng.choice(payer.accounts)
        dst = rng.choice(payee.accounts)
        unknown = rng.random() < 0.08
        amount = Decimal(
            rng.choice([rng.randint(1, 5000), rng.randint(5000, 49000), rng.randint(50001, 90000)])
        )
        cmd = InterbankCreate(
            from_account=src.number,
            creditor_bank_code=payee.code,
            creditor_account="6200000000000000" if unknown else dst.number,
            creditor_name=dst.name,
            amount=f"{amount}.{rng.randint(0, 99):02d}",
            urgent=rng.random() < 0.1,
        )
        payer.bank.run(interbank.send_interbank, payer.teller, cmd, f"two-banks-{payer.name}-{i}")


def _statuses(m: Member) -> Counter[tuple[str, str]]:
    def read(uow: Any) -> Counter[tuple[str, str]]:
        ib = interbank.ib
        q = select(ib.c.direction, ib.c.status, func.count()).group_by(ib.c.direction, ib.c.status)
        return Counter({(d, s): n for d, s, n in uow.conn.execute(q)})

    return m.bank.run(read, readonly=True)  # type: ignore[no-any-return]


def _unfinished(m: Member) -> int:
    st = _statuses(m)
    return sum(n for (_, s), n in st.items() if s in ("created", "sent", "return_pending"))


def test_two_banks_exchange_payments_and_both_books_agree_with_clearing(world: Any) -> None:
    a, b, sim = world
    rng = random.Random(7)
    start = {m.code: (central_bank(m.bank), sim.balance(m.code)) for m in (a, b)}
    _pay_many(rng, a, b, PAYMENTS_EACH_WAY)
    _pay_many(rng, b, a, PAYMENTS_EACH_WAY)

    for _round in range(8):
        for m in (a, b):
            clearing_link.send_pending(m.bank, sim.client)
        sim.settle_and_deliver()
        if not (_unfinished(a) or _unfinished(b)):
            break
    for m in (a, b):
        st = _statuses(m)
        assert _unfinished(m) == 0, st
        assert st[("out", "created")] + st[("out", "sent")] == 0
        assert st[("out", "rejected")] > 0, "the simulator's random rejects should have hit some payments"
        assert st[("out", "returned")] > 0, "payments to unknown accounts come back"
        assert st[("in", "returned")] > 0 and st[("in", "credited")] > 0
        assert sum(n for (d, _), n in st.items() if d == "out") == PAYMENTS_EACH_WAY
        # Ledger invariants: the books balance, suspense is empty, and the central bank account moved exactly
        # as clearing moved the settlement account.
        assert m.bank.run(lambda uow: ledger.trial_balance(uow).balanced, readonly=True)
        assert suspense(m.bank) == 0
        cb0, sim0 = start[m.code]
        moved_here = Decimal(central_bank(m.bank) - cb0) / 100
        assert moved_here == sim.balance(m.code) - sim0
    # What one bank settled out (less its returns) the other credited (and vice versa).
    assert _statuses(a)[("out", "settled")] == _statuses(b)[("in", "credited")]
    assert _statuses(b)[("out", "settled")] == _statuses(a)[("in", "credited")]
    assert _statuses(a)[("out", "returned")] == _statuses(b)[("in", "returned")]
