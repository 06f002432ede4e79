"""The ledger invariants (DESIGN.md) held under random sequences of banking operations, and under concurrency:
every entry balances; the trial balance is zero per currency, bank-wide and per branch; sub-ledgers add up to
their control accounts; no balance passes its floor; a retry posts nothing twice; the audit chain verifies.

The state machine also keeps its own model of each account it opened (balance, holds, freezes) and predicts
the outcome of every command from the banking rules; the bank must agree, refusal for refusal, fen for fen."""

from __future__ import annotations

import random
import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from corebank import accounts, ledger, operations, payments, tellers
from corebank.accounts.errors import AccountFrozen
from corebank.bootstrap import Bank
from corebank.db.models import IdempotencyRecord
from corebank.ledger.models import GLAccount, JournalEntry, JournalLine, LedgerAccount
from corebank.security import Actor
from corebank.security.service import verify_audit_chain
from tests.factories import Staff, new_account

CNY = "CNY"


def money_text(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def key() -> str:
    return f"prop-{uuid.uuid4().hex}"


def outcome(command: str, error: type[Exception] | None, cross_branch: bool = False) -> str:
    """A label for hypothesis statistics: which command, how it ended, across branches or not."""
    return f"{command}: {error.__name__ if error else 'done'}{' (cross-branch)' if cross_branch else ''}"


# ---------------------------------------------------------------- the invariants, checked in one read


def check_invariants(uow: Any) -> None:
    """Every invariant DESIGN.md names, over the whole bank."""
    s = uow.session
    unbalanced = s.execute(
        select(JournalLine.entry_id, JournalLine.currency, func.sum(JournalLine.amount))
        .group_by(JournalLine.entry_id, JournalLine.currency)
        .having(func.sum(JournalLine.amount) != 0)
    ).all()
    assert unbalanced == [], f"entries that do not balance: {unbalanced}"

    assert ledger.trial_balance(uow).balanced
    for branch in ledger.branch_tree(uow):
        tb = ledger.trial_balance(uow, branch_code=branch)
        assert tb.balanced, f"branch {branch} does not balance: {tb.totals()}"

    # Sub-ledger totals come signed debit-positive (balance x normal sign), as GL balances are.
    with_sub = set(s.execute(select(GLAccount.code).where(GLAccount.has_subledger.is_(True))).scalars())
    gl = {(g, b, c): v for g, b, c, v in ledger.gl_balances(uow, uow.business_date) if g in with_sub}
    sub = {(g, b, c): v for g, b, c, v in ledger.subledger_totals(uow)}
    for k in set(gl) | set(sub):
        assert gl.get(k, 0) == sub.get(k, 0), (
            f"control account {k}: GL {gl.get(k, 0)} != sub-ledgers {sub.get(k, 0)}"
        )

    below = s.execute(
        select(LedgerAccount.id, LedgerAccount.balance, LedgerAccount.floor).where(
            LedgerAccount.balance < LedgerAccount.floor
        )
    ).all()
    assert below == [], f"balances below their floor: {below}"

    audit = verify_audit_chain(uow)
    assert audit.ok, audit.detail


def counts(uow: Any) -> tuple[int, int, int]:
    s = uow.session
    return (
        s.execute(select(func.count()).select_from(JournalEntry)).scalar_one(),
        s.execute(select(func.count()).select_from(JournalLine)).scalar_one(),
        s.execute(select(func.count()).select_from(IdempotencyRecord)).scalar_one(),
    )


# ---------------------------------------------------------------- the model


@dataclass
class Acc:
    number: str
    ledger_id: int
    branch: str
    balance: int = 0
    holds: dict[int, int] = field(default_factory=dict)  # hold id -> amount
    freezes: set[int] = field(default_factory=set)  # active full-freeze ids

    @property
    def held(self) -> int:
        return sum(self.holds.values())

    @property
    def frozen(self) -> bool:
        return bool(self.freezes)

    @property
    def available(self) -> int:
        return 0 if self.frozen else max(self.balance - self.held, 0)


@dataclass
class Done:
    """A request that succeeded, kept to retry it and (for transfers) to reverse it."""

    kind: str
    key: str
    actor: Actor
    args: tuple[Any, ...]
    result: Any
    amount: int
    src: str | None
    dst: str
    reversed: bool = False


THRESHOLD = 5000000  # withdrawals at or above 50,000.00 wait for a supervisor; this machine stays below
picks = st.integers(min_value=0, max_value=10**6)
# An amount is either any sum, or one placed on the edge the rules draw: all that is available, one fen more,
# the whole balance (which holds make unavailable), half.
sizes = st.one_of(
    st.integers(min_value=1, max_value=400000),
    st.sampled_from(["available", "one_fen_over", "balance", "half"]),
)


def size(spec: int | str, acc: Acc) -> int:
    """The amount `spec` names for `acc` (never below one fen)."""
    if isinstance(spec, int):
        return spec
    amount = {
        "available": acc.available,
        "one_fen_over": acc.available + 1,
        "balance": acc.balance,
        "half": acc.available // 2,
    }[spec]
    return max(amount, 1)


class LedgerMachine(RuleBasedStateMachine):
    """Random counter work on a handful of fresh accounts of the shared bank."""

    def __init__(self, bank: Bank, staff: Staff) -> None:
        super().__init__()
        self.bank = bank
        self.teller = staff["teller"].actor
        self.east = staff["east_teller"].actor
        self.supervisor = staff["supervisor"].actor
        self.accs: list[Acc] = []
        self.done: list[Done] = []

    # ------------------------------------------------------------ helpers

    def counter_for(self, acc: Acc) -> Actor:
        return self.teller if acc.branch == "0001" else self.east

    def pick(self, i: int) -> Acc:
        return self.accs[i % len(self.accs)]

    def till(self, actor: Actor) -> int:
        def q(uow: Any) -> int:
            t = tellers.current_till(uow, actor.username, CNY)
            return ledger.balances(uow, [t.ledger_account_id])[t.ledger_account_id].balance

        return self.bank.run(q, readonly=True)  # type: ignore[no-any-return]

    def expect(self, error: type[Exception] | None, fn: Any, *args: Any) -> Any:
        """Run a command and hold its outcome to the model's prediction."""
        if error is None:
            return self.bank.run(fn, *args)
        with pytest.raises(error):
            self.bank.run(fn, *args)
        return None

    # ------------------------------------------------------------ rules

    @initialize(
        head=st.integers(min_value=10000, max_value=1000000),
        east=st.integers(min_value=10000, max_value=1000000),
    )
    def two_funded_accounts(self, head: int, east: int) -> None:
        # one account in each branch from the start, so that cross-branch work happens in every example
        self.open_account("0001", head)
        self.open_account("0002", east)

    @rule(
        branch=st.sampled_from(["0001", "0002"]),
        funds=st.one_of(st.just(0), st.integers(min_value=10000, max_value=1000000)),
    )
    def open_account(self, branch: str, funds: int) -> None:
        actor = self.teller if branch == "0001" else self.east
        number = new_account(self.bank, actor).number
        ref = self.bank.run(lambda uow: accounts.load_for_posting(uow, [number])[number], readonly=True)
        acc = Acc(number, ref.id, branch)
        self.accs.append(acc)
        if funds:
            self.cash_deposit_to(acc, funds, actor)

    def cash_deposit_to(self, acc: Acc, amount: int, actor: Actor) -> None:
        k, op = key(), accounts.CashOperation(amount=money_text(amount))
        receipt = self.expect(None, accounts.cash_deposit, actor, acc.number, op, k)
        acc.balance += amount
        assert receipt.balance == money_text(acc.balance)
        self.done.append(Done("deposit", k, actor, (acc.number, op), receipt, amount, None, acc.number))

    @precondition(lambda self: self.accs)
    @rule(i=picks, amount=st.integers(min_value=1, max_value=400000), at_east=st.booleans())
    def cash_deposit(self, i: int, amount: int, at_east: bool) -> None:
        # any counter takes cash for any branch's account (通存)
        self.cash_deposit_to(self.pick(i), amount, self.east if at_east else self.teller)

    @precondition(lambda self: self.accs)
    @rule(i=picks, spec=sizes)
    def cash_withdrawal(self, i: int, spec: int | str) -> None:
        acc = self.pick(i)
        amount = min(size(spec, acc), THRESHOLD - 1)
        actor = self.counter_for(acc)
        op = accounts.CashOperation(amount=money_text(amount))
        if acc.frozen:
            error: type[Exception] | None = AccountFrozen
        elif amount > acc.available or amount > self.till(actor):
            error = ledger.InsufficientFunds
        else:
            error = None
        event(outcome("cash withdrawal", error))
        receipt = self.expect(error, accounts.cash_withdrawal, actor, acc.number, op, key())
        if error is None:
            assert isinstance(receipt, accounts.CashReceipt)
            acc.balance -= amount
            assert receipt.balance == money_text(acc.balance)

    @precondition(lambda self: self.accs)
    @rule(i=picks, j=picks, spec=sizes)
    def transfer(self, i: int, j: int, spec: int | str) -> None:
        # j picks among the other accounts: paying oneself is refused before anything else (SameAccount)
        src = self.pick(i)
        dst = self.pick(i + 1 + j % (len(self.accs) - 1)) if len(self.accs) > 1 else src
        amount = size(spec, src)
        actor = self.counter_for(src)
        cmd = payments.TransferCreate(
            from_account=src.number, to_account=dst.number, amount=money_text(amount)
        )
        if src is dst:
            error: type[Exception] | None = accounts.SameAccount
        elif src.frozen:
            error = AccountFrozen
        elif amount > src.available:
            error = ledger.InsufficientFunds
        else:
            error = None
        k = key()
        event(outcome("transfer", error, src.branch != dst.branch))
        result = self.expect(error, payments.transfer, actor, cmd, k)
        if error is None:
            src.balance -= amount
            dst.balance += amount
            assert result.from_balance_after == money_text(src.balance)
            self.done.append(Done("transfer", k, actor, (cmd,), result, amount, src.number, dst.number))

    @precondition(lambda self: self.accs)
    @rule(i=picks, spec=sizes)
    def place_hold(self, i: int, spec: int | str) -> None:
        acc = self.pick(i)
        amount = size(spec, acc)
        h = self.expect(
            None,
            accounts.place_hold,
            self.teller,
            acc.number,
            accounts.HoldRequest(amount=money_text(amount), reason="p"),
        )
        acc.holds[h.id] = amount

    @precondition(lambda self: any(a.holds for a in self.accs))
    @rule(i=picks)
    def release_hold(self, i: int) -> None:
        held = [(a, hid) for a in self.accs for hid in sorted(a.holds)]
        acc, hold_id = held[i % len(held)]
        self.expect(None, accounts.release_hold, self.teller, acc.number, hold_id, "released")
        del acc.holds[hold_id]

    @precondition(lambda self: self.accs)
    @rule(i=picks)
    def freeze(self, i: int) -> None:
        acc = self.pick(i)
        f = self.expect(
            None,
            accounts.freeze,
            self.supervisor,
            acc.number,
            accounts.FreezeRequest(kind="full", reason="p"),
        )
        acc.freezes.add(f.id)

    @precondition(lambda self: any(a.freezes for a in self.accs))
    @rule(i=picks)
    def unfreeze(self, i: int) -> None:
        frozen = [(a, fid) for a in self.accs for fid in sorted(a.freezes)]
        acc, freeze_id = frozen[i % len(frozen)]
        cmd = accounts.UnfreezeRequest(freeze_id=freeze_id, reason="lifted")
        self.expect(None, accounts.unfreeze, self.supervisor, acc.number, cmd)
        acc.freezes.discard(freeze_id)

    @precondition(lambda self: any(d.kind == "transfer" and not d.reversed for d in self.done))
    @rule(i=picks)
    def reverse_transfer(self, i: int) -> None:
        candidates = [d for d in self.done if d.kind == "transfer" and not d.reversed]
        d = candidates[i % len(candidates)]
        by_number = {a.number: a for a in self.accs}
        payer, payee = by_number[str(d.src)], by_number[d.dst]
        pending = self.expect(
            None,
            payments.request_reversal,
            self.teller,
            d.result.entry_id,
            payments.ReversalRequest(reason="p"),
        )
        # the mirror debits the payee: it must not be frozen and must still hold the money above its holds
        if payee.frozen:
            error: type[Exception] | None = ledger.DebitBlocked
        elif payee.balance - d.amount < payee.held:
            error = ledger.InsufficientFunds
        else:
            error = None
        event(outcome("reversal", error, payer.branch != payee.branch))
        self.expect(error, operations.approve, self.supervisor, pending.approval_id)
        if error is None:
            payer.balance += d.amount
            payee.balance -= d.amount
            d.reversed = True
        else:
            self.expect(None, operations.reject, self.supervisor, pending.approval_id, "cannot reverse")

    @precondition(lambda self: self.done)
    @rule(i=picks)
    def retry(self, i: int) -> None:
        d = self.done[i % len(self.done)]
        before = self.bank.run(counts, readonly=True)
        if d.kind == "transfer":
            again = self.bank.run(payments.transfer, d.actor, *d.args, d.key)
        else:
            again = self.bank.run(accounts.cash_deposit, d.actor, *d.args, d.key)
        assert again == d.result  # the first answer, word for word
        assert self.bank.run(counts, readonly=True) == before  # and nothing posted twice

    # ------------------------------------------------------------ after every step

    @invariant()
    def books_hold(self) -> None:
        def check(uow: Any) -> None:
            check_invariants(uow)
            if self.accs:
                actual = ledger.balances(uow, [a.ledger_id for a in self.accs])
                for a in self.accs:
                    got = actual[a.ledger_id]
                    assert (got.balance, got.held, got.available) == (a.balance, a.held, a.available), a

        self.bank.run(check, readonly=True)


def test_ledger_invariants_hold_under_random_counter_work(bank: Bank, staff: Staff) -> None:
    run_state_machine_as_test(
        lambda: LedgerMachine(bank, staff),
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


# ---------------------------------------------------------------- concurrency


def test_concurrent_transfers_conserve_money_and_keep_the_books(bank: Bank, staff: Staff) -> None:
    teller = staff["teller"].actor
    numbers = []
    for _ in range(4):
        n = new_account(bank, teller).number
        bank.run(accounts.cash_deposit, teller, n, accounts.CashOperation(amount="1000.00"), key())
        numbers.append(n)
    ids = bank.run(
        lambda uow: {n: a.id for n, a in accounts.load_for_posting(uow, numbers).items()}, readonly=True
    )
    start = bank.run(lambda uow: ledger.balances(uow, list(ids.values())), readonly=True)
    assert all(b.balance == 100000 for b in start.values())

    posted: list[tuple[str, str, int, int]] = []
    refused: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rnd = random.Random(seed)
        for _ in range(25):
            src, dst = rnd.sample(numbers, 2)
            amount = rnd.randint(1, 40000)
            cmd = payments.TransferCreate(from_account=src, to_account=dst, amount=money_text(amount))
            try:
                t = bank.run(payments.transfer, teller, cmd, key())
            except ledger.InsufficientFunds:
                with lock:
                    refused.append(amount)
            except BaseException as exc:
                with lock:
                    failures.append(exc)
            else:
                with lock:
                    posted.append((src, dst, amount, t.entry_id))

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(posted) + len(refused) == 100
    assert len({p[3] for p in posted}) == len(posted)  # each transfer its own entry

    expected = {n: 100000 for n in numbers}
    for src, dst, amount, _entry in posted:
        expected[src] -= amount
        expected[dst] += amount
    end = bank.run(lambda uow: ledger.balances(uow, list(ids.values())), readonly=True)
    assert {n: end[ids[n]].balance for n in numbers} == expected
    assert sum(end[i].balance for i in ids.values()) == 400000  # money is conserved
    assert all(end[i].balance >= 0 for i in ids.values())

    def lines_of_our_accounts(uow: Any) -> dict[int, int]:
        rows = uow.session.execute(
            select(JournalLine.account_id, func.count())
            .where(JournalLine.account_id.in_(list(ids.values())))
            .group_by(JournalLine.account_id)
        )
        return {r[0]: r[1] for r in rows}

    per_account = bank.run(lines_of_our_accounts, readonly=True)
    moved: dict[str, int] = defaultdict(int)
    for src, dst, _a, _e in posted:
        moved[src] += 1
        moved[dst] += 1
    assert {ids[n]: 1 + moved[n] for n in numbers} == per_account  # the deposit plus each transfer leg
    bank.run(check_invariants, readonly=True)


def test_concurrent_retries_of_one_request_post_it_once(bank: Bank, staff: Staff) -> None:
    teller = staff["teller"].actor
    src = new_account(bank, teller).number
    dst = new_account(bank, teller).number
    bank.run(accounts.cash_deposit, teller, src, accounts.CashOperation(amount="100.00"), key())
    cmd = payments.TransferCreate(from_account=src, to_account=dst, amount="60.00")
    k = key()
    results: list[Any] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        try:
            r: Any = bank.run(payments.transfer, teller, cmd, k)
        except BaseException as exc:
            r = exc
        with lock:
            results.append(r)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, payments.TransferRead) for r in results), results
    assert len({r.entry_id for r in results}) == 1
    got = bank.run(lambda uow: accounts.load_for_posting(uow, [src, dst]), readonly=True)
    bal = bank.run(lambda uow: ledger.balances(uow, [got[src].id, got[dst].id]), readonly=True)
    assert (bal[got[src].id].balance, bal[got[dst].id].balance) == (4000, 6000)
    bank.run(check_invariants, readonly=True)
