"""Property: random deposits, withdrawals and end-of-day runs keep the ledger's invariants, and demand interest
follows an independent model to the fen — each account's product is the sum of its closing balances, the
accrual booked at settlement is the sum of the daily accruals (rounded once), each account is paid its
product × the settlement day's rate ÷ 360, and interest expense ends equal to the interest paid."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from corebank import accounts, eod, ledger, tellers
from corebank.deposits.demand import accrual_micro, interest_on_product
from corebank.deposits.models import InterestAccumulator
from corebank.kernel.errors import CoreBankError
from corebank.ledger import chart
from corebank.ledger.models import JournalEntry, JournalLine
from corebank.products.models import ProductRate
from corebank.security import SYSTEM
from corebank.security.service import verify_audit_chain
from tests.factories import deposit, new_account
from tests.integration.conftest import FreshBank

pytestmark = pytest.mark.slow

RATE_CHANGE = date(2026, 6, 8)
RATES = {False: Decimal("0.35"), True: Decimal("0.40")}  # before / from RATE_CHANGE
N_ACCOUNTS = 3


class Model:
    """What the bank should hold, computed without the bank."""

    def __init__(self) -> None:
        self.balance: dict[int, int] = defaultdict(int)
        self.product: dict[int, int] = defaultdict(int)
        self.accrued_micro = 0
        self.interest_paid = 0
        self.settled = False


@pytest.fixture(scope="module")
def book(fresh_bank: FreshBank) -> tuple[FreshBank, list[tuple[str, int]], Model]:
    fb = fresh_bank

    def add_rate(uow: Any) -> None:
        uow.session.add(
            ProductRate(
                product_code="DEMAND_CNY",
                term="demand",
                min_amount=0,
                annual_rate=str(RATES[True]),
                effective_date=RATE_CHANGE,
                created_by="test",
                approved_by="test",
                created_at=uow.now,
            )
        )

    fb.bank.run(add_rate)
    accs = []  # the fresh bank's teller already has today's till
    for _ in range(N_ACCOUNTS):
        a = new_account(fb.bank, fb.teller)
        accs.append(
            (a.number, fb.bank.run(lambda uow, n=a.number: accounts.load_for_posting(uow, [n])[n].id))
        )
    return fb, accs, Model()


def _invariants(fb: FreshBank, day: date) -> None:
    def read(uow: Any) -> tuple[Any, ...]:
        per_entry = uow.session.execute(
            select(JournalLine.entry_id, JournalLine.currency, func.sum(JournalLine.amount))
            .group_by(JournalLine.entry_id, JournalLine.currency)
            .having(func.sum(JournalLine.amount) != 0)
        ).all()
        tb = ledger.trial_balance(uow, as_of=day)
        control = {
            (g, b, c): v
            for g, b, c, v in ledger.gl_balances(uow, day)
            if g in (chart.DEMAND_DEPOSITS, chart.TELLER_CASH, chart.VAULT_CASH)
        }
        subs = {
            (g, b, c): v
            for g, b, c, v in ledger.subledger_totals(uow)
            if g in (chart.DEMAND_DEPOSITS, chart.TELLER_CASH, chart.VAULT_CASH)
        }
        return per_entry, tb.balanced, control, subs

    per_entry, balanced, control, subs = fb.bank.run(read, readonly=True)
    assert per_entry == []
    assert balanced
    assert {k: v for k, v in control.items() if v} == {k: v for k, v in subs.items() if v}
    assert fb.bank.run(verify_audit_chain, readonly=True).ok


ops = st.lists(
    st.one_of(
        st.tuples(st.just("deposit"), st.integers(0, N_ACCOUNTS - 1), st.integers(1, 2_000_000)),
        st.tuples(st.just("withdraw"), st.integers(0, N_ACCOUNTS - 1), st.integers(1, 500_000)),
        st.tuples(st.just("eod"), st.just(0), st.just(0)),
    ),
    min_size=4,
    max_size=10,
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops)
def test_random_days_keep_the_books_and_the_interest_model(
    book: tuple[FreshBank, list[tuple[str, int]], Model], ops: list[tuple[str, int, int]]
) -> None:
    _play(book, ops)


def test_the_random_days_reach_a_settlement_and_it_matches_the_model(
    book: tuple[FreshBank, list[tuple[str, int]], Model],
) -> None:
    fb, _accs, model = book
    while not model.settled:
        assert fb.business_date() <= date(2026, 6, 20)
        _play(book, [("deposit", 0, 1234), ("eod", 0, 0)])
    assert model.settled


def _play(book: tuple[FreshBank, list[tuple[str, int]], Model], ops: list[tuple[str, int, int]]) -> None:
    fb, accs, model = book
    _till(fb)
    for op, i, fen in [*ops, ("eod", 0, 0)]:
        number, aid = accs[i]
        amount = f"{fen // 100}.{fen % 100:02d}"
        if op == "deposit":
            deposit(fb.bank, fb.teller, number, amount)
            model.balance[aid] += fen
        elif op == "withdraw":
            try:
                fb.bank.run(
                    accounts.cash_withdrawal,
                    fb.teller,
                    number,
                    accounts.CashOperation(amount=amount, currency="CNY"),
                    f"w-{uuid.uuid4().hex}",
                )
                model.balance[aid] -= fen
            except CoreBankError as exc:
                assert exc.code == "INSUFFICIENT_FUNDS"  # the account, or the till, is short: nothing moved
        else:
            day = fb.business_date()
            rate = RATES[day >= RATE_CHANGE]
            for _n, a in accs:
                model.product[a] += model.balance[a]
            model.accrued_micro += accrual_micro(sum(model.balance[a] for _n, a in accs), rate)
            eod.close_day(fb.bank, SYSTEM)
            _invariants(fb, day)
            products = fb.bank.run(
                lambda uow: {a: uow.session.get(InterestAccumulator, a).accumulated for _n, a in accs},
                readonly=True,
            )
            if day == date(2026, 6, 20):
                _check_settlement(fb, accs, model, rate)
            else:
                assert products == {a: model.product[a] for _n, a in accs}
            _till(fb)
    for number, aid in accs:
        bal = fb.bank.run(lambda uow, a=aid: ledger.balances(uow, [a])[a].balance, readonly=True)
        assert bal == model.balance[aid], number


def _till(fb: FreshBank) -> None:
    try:
        fb.bank.run(tellers.open_till, fb.teller, tellers.TillOpen(opening_cash="20000.00"))
    except CoreBankError as exc:
        assert exc.code == "TILL_ALREADY_OPEN", exc


def _check_settlement(fb: FreshBank, accs: list[tuple[str, int]], model: Model, rate: Decimal) -> None:
    paid = {a: interest_on_product(model.product[a], rate) for _n, a in accs}

    def read(uow: Any) -> tuple[dict[int, int], int, int]:
        credited = dict(
            uow.session.execute(
                select(JournalLine.account_id, -func.sum(JournalLine.amount))
                .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                .where(JournalEntry.kind == "interest_settlement", JournalLine.account_id.in_(list(paid)))
                .group_by(JournalLine.account_id)
            ).all()
        )

        def expense(kind: str) -> int:
            return int(
                uow.session.execute(
                    select(func.coalesce(func.sum(JournalLine.amount), 0))
                    .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                    .where(JournalEntry.kind == kind, JournalLine.gl_code == chart.INTEREST_EXPENSE)
                ).scalar()
            )

        return credited, expense("interest_accrual"), expense("interest_true_up")

    credited, accrued, trued = fb.bank.run(read, readonly=True)
    assert credited == {a: v for a, v in paid.items() if v > 0}
    exact = (Decimal(model.accrued_micro) / 1_000_000).quantize(Decimal(1), ROUND_HALF_UP)
    assert accrued == int(exact)  # what was booked day by day is the exact accrual, rounded once
    assert accrued + trued == sum(paid.values())  # and after the true-up, expense = interest paid
    for _n, a in accs:
        model.balance[a] += paid[a]
        model.product[a] = 0
    model.accrued_micro = 0
    model.settled = True
