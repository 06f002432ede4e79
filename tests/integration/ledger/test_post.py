"""`ledger.post`, the only way money moves, on real accounts in a real database: balance, floors, holds,
blocks, ceilings, inter-branch lines, reversals (冲正) and the daily GL snapshot."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from corebank import accounts, ledger
from corebank.bootstrap import Bank
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.ledger.errors import NotReversible
from corebank.ledger.models import GLDailyBalance, JournalLine
from corebank.security import Actor
from tests.factories import Staff, deposit, funded_account, ledger_state, new_account, new_customer
from tests.integration.conftest import FreshBank

CNY = "CNY"


def cny(text: str) -> Money:
    return Money.of(text, CNY)


def ref(bank: Bank, number: str) -> accounts.PostingAccount:
    """The ledger side of a deposit account (its ledger account id, GL and branch)."""
    return bank.run(lambda uow: accounts.load_for_posting(uow, [number])[number], readonly=True)  # type: ignore[no-any-return]


def balance_of(bank: Bank, account_id: int) -> ledger.AccountBalance:
    return bank.run(lambda uow: ledger.balances(uow, [account_id])[account_id], readonly=True)  # type: ignore[no-any-return]


def post(bank: Bank, *legs: Leg, kind: str = "test_posting", memo: str = "") -> ledger.PostedEntry:
    return bank.run(ledger.post, EntryDraft(kind, legs, memo=memo), by="ledger-test", channel="system")  # type: ignore[no-any-return]


def incoming(acc: accounts.PostingAccount, amount: str) -> tuple[Leg, Leg]:
    """Money arriving from the central bank (clearing) into a customer account."""
    return (
        Leg.debit(chart.DUE_FROM_CENTRAL_BANK, acc.branch_code, cny(amount)),
        Leg.credit(acc.gl_code, acc.branch_code, cny(amount), acc.id),
    )


def outgoing(acc: accounts.PostingAccount, amount: str) -> tuple[Leg, Leg]:
    """Money leaving a customer account to the central bank."""
    return (
        Leg.debit(acc.gl_code, acc.branch_code, cny(amount), acc.id),
        Leg.credit(chart.DUE_FROM_CENTRAL_BANK, acc.branch_code, cny(amount)),
    )


def whole_bank_balanced(bank: Bank) -> None:
    def check(uow: Any) -> None:
        assert ledger.trial_balance(uow).balanced
        for code in ledger.branch_tree(uow):
            assert ledger.trial_balance(uow, branch_code=code).balanced, code

    bank.run(check, readonly=True)


@pytest.fixture
def teller(staff: Staff) -> Actor:
    return staff["teller"].actor


@pytest.fixture
def supervisor(staff: Staff) -> Actor:
    return staff["supervisor"].actor


# ---------------------------------------------------------------- balanced entries


def test_balanced_entry_posts_lines_and_moves_the_account(bank: Bank, teller: Actor) -> None:
    acc = ref(bank, funded_account(bank, teller, "250.00").number)
    entry = post(bank, *incoming(acc, "100.00"), memo="incoming clearing")
    assert entry.id > 0 and entry.kind == "test_posting" and entry.reverses_id is None
    assert [(ln.gl_code, ln.amount, ln.account_id) for ln in entry.lines] == [
        (chart.DUE_FROM_CENTRAL_BANK, 10000, None),
        (chart.DEMAND_DEPOSITS, -10000, acc.id),
    ]
    assert entry.balance_after(acc.id) == 35000
    assert balance_of(bank, acc.id).balance == 35000
    # what is read back is what was written
    again = bank.run(ledger.get_entry, entry.id, readonly=True)
    assert again.lines == entry.lines and again.memo == "incoming clearing"
    assert again.booking_date == again.value_date == entry.booking_date
    lines = bank.run(lambda uow: ledger.account_lines(uow, acc.id), readonly=True)
    assert (
        lines[0]["entry_id"] == entry.id
        and lines[0]["amount"] == 10000
        and lines[0]["balance_after"] == 35000
    )
    whole_bank_balanced(bank)


def test_unbalanced_entry_refused_and_nothing_written(bank: Bank, teller: Actor) -> None:
    acc = ref(bank, funded_account(bank, teller, "100.00").number)
    before = ledger_state(bank)
    with pytest.raises(ledger.UnbalancedEntry):
        post(
            bank,
            Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0001", cny("100.00")),
            Leg.credit(acc.gl_code, acc.branch_code, cny("99.99"), acc.id),
        )
    assert ledger_state(bank) == before


def test_entry_balanced_only_across_currencies_is_refused(bank: Bank) -> None:
    before = ledger_state(bank)
    with pytest.raises(ledger.UnbalancedEntry):
        post(
            bank,
            Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0001", Money.of("100.00", "CNY")),
            Leg.credit(chart.PAID_IN_CAPITAL, "0001", Money.of("100.00", "USD")),
        )
    assert ledger_state(bank) == before


def test_single_leg_entry_refused(bank: Bank) -> None:
    before = ledger_state(bank)
    with pytest.raises(ledger.UnbalancedEntry):
        post(bank, Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0001", cny("1.00")))
    assert ledger_state(bank) == before


@pytest.mark.parametrize(
    "amount", [Money.zero(CNY), Money.of("-5.00", CNY), Money(cny("1.00").amount / 8, CNY)]
)
def test_zero_negative_and_sub_fen_legs_refused(bank: Bank, teller: Actor, amount: Money) -> None:
    acc = ref(bank, funded_account(bank, teller, "100.00").number)
    before = ledger_state(bank)
    with pytest.raises(InvalidRequest):
        post(
            bank,
            Leg.debit(acc.gl_code, acc.branch_code, amount, acc.id),
            Leg.credit(chart.DUE_FROM_CENTRAL_BANK, "0001", amount),
        )
    assert ledger_state(bank) == before


def test_subledger_gl_posted_only_through_its_accounts(bank: Bank, teller: Actor) -> None:
    acc = ref(bank, funded_account(bank, teller, "100.00").number)
    before = ledger_state(bank)
    with pytest.raises(InvalidRequest, match="only through its sub-ledger accounts"):
        post(
            bank,
            Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0001", cny("10.00")),
            Leg.credit(chart.DEMAND_DEPOSITS, "0001", cny("10.00")),  # no account id
        )
    with pytest.raises(InvalidRequest, match="keeps no sub-ledger accounts"):
        post(
            bank,
            Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0001", cny("10.00"), acc.id),
            Leg.credit(acc.gl_code, acc.branch_code, cny("10.00"), acc.id),
        )
    with pytest.raises(InvalidRequest, match="not in the chart"):
        post(
            bank,
            Leg.debit("9999", "0001", cny("1.00")),
            Leg.credit(chart.PAID_IN_CAPITAL, "0001", cny("1.00")),
        )
    with pytest.raises(InvalidRequest, match="does not exist"):
        post(
            bank,
            Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0999", cny("1.00")),
            Leg.credit(chart.PAID_IN_CAPITAL, "0999", cny("1.00")),
        )
    assert ledger_state(bank) == before


def test_leg_naming_the_wrong_gl_or_branch_for_its_account_is_refused(bank: Bank, teller: Actor) -> None:
    acc = ref(bank, funded_account(bank, teller, "100.00").number)
    before = ledger_state(bank)
    with pytest.raises(ledger.errors.LedgerAccountNotFound):
        post(
            bank,
            Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0002", cny("10.00")),
            Leg.credit(acc.gl_code, "0002", cny("10.00"), acc.id),  # the account is kept at 0001
        )
    with pytest.raises(ledger.errors.LedgerAccountNotFound):
        post(
            bank,
            Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0001", Money.of("10.00", "USD")),
            Leg.credit(acc.gl_code, acc.branch_code, Money.of("10.00", "USD"), acc.id),  # a CNY account
        )
    assert ledger_state(bank) == before


# ---------------------------------------------------------------- floors, holds, blocks, ceilings


def test_floor_refuses_an_overdraft_by_one_fen(bank: Bank, teller: Actor) -> None:
    acc = ref(bank, funded_account(bank, teller, "100.00").number)
    before = ledger_state(bank)
    with pytest.raises(ledger.InsufficientFunds):
        post(bank, *outgoing(acc, "100.01"))
    assert ledger_state(bank) == before
    entry = post(bank, *outgoing(acc, "100.00"))
    assert entry.balance_after(acc.id) == 0
    assert balance_of(bank, acc.id).balance == 0


def test_refusal_on_a_later_account_rolls_back_the_earlier_one(bank: Bank, teller: Actor) -> None:
    # Accounts are moved in ascending id order: the payee (lower id) is credited before the payer (higher id)
    # is refused, and the whole entry must still vanish.
    payee = ref(bank, funded_account(bank, teller, "10.00").number)
    payer = ref(bank, funded_account(bank, teller, "50.00").number)
    assert payee.id < payer.id
    before = ledger_state(bank)
    with pytest.raises(ledger.InsufficientFunds):
        post(
            bank,
            Leg.debit(payer.gl_code, payer.branch_code, cny("50.01"), payer.id),
            Leg.credit(payee.gl_code, payee.branch_code, cny("50.01"), payee.id),
        )
    assert ledger_state(bank) == before
    assert balance_of(bank, payee.id).balance == 1000


def test_holds_reduce_what_may_be_drawn(bank: Bank, teller: Actor) -> None:
    number = funded_account(bank, teller, "100.00").number
    acc = ref(bank, number)
    hold = bank.run(
        accounts.place_hold, teller, number, accounts.HoldRequest(amount="60.00", reason="cheque")
    )
    bal = balance_of(bank, acc.id)
    assert (bal.balance, bal.held, bal.available) == (10000, 6000, 4000)
    with pytest.raises(ledger.InsufficientFunds):
        post(bank, *outgoing(acc, "40.01"))
    post(bank, *outgoing(acc, "40.00"))
    assert balance_of(bank, acc.id).available == 0
    bank.run(accounts.release_hold, teller, number, hold.id, "cheque cleared")
    bal = balance_of(bank, acc.id)
    assert (bal.balance, bal.held, bal.available) == (6000, 0, 6000)
    post(bank, *outgoing(acc, "60.00"))


def test_debit_blocked_after_full_freeze_but_credits_still_arrive(
    bank: Bank, teller: Actor, supervisor: Actor
) -> None:
    number = funded_account(bank, teller, "100.00").number
    acc = ref(bank, number)
    frozen = bank.run(
        accounts.freeze,
        supervisor,
        number,
        accounts.FreezeRequest(
            kind="full", reason="court order", authority="Chaoyang court", document_no="J-1"
        ),
    )
    before = ledger_state(bank)
    with pytest.raises(ledger.DebitBlocked):
        post(bank, *outgoing(acc, "0.01"))
    assert ledger_state(bank) == before
    assert balance_of(bank, acc.id).available == 0
    post(bank, *incoming(acc, "5.00"))  # a frozen account still receives
    bank.run(
        accounts.unfreeze, supervisor, number, accounts.UnfreezeRequest(freeze_id=frozen.id, reason="lifted")
    )
    post(bank, *outgoing(acc, "105.00"))
    assert balance_of(bank, acc.id).balance == 0


def test_credit_blocked_account_refuses_credits(bank: Bank, teller: Actor, supervisor: Actor) -> None:
    number = funded_account(bank, teller, "100.00").number
    acc = ref(bank, number)
    bank.run(
        accounts.set_blocks, supervisor, number, accounts.BlockRequest(credit_blocked=True, reason="KYC")
    )
    before = ledger_state(bank)
    with pytest.raises(ledger.CreditBlocked):
        post(bank, *incoming(acc, "1.00"))
    assert ledger_state(bank) == before
    post(bank, *outgoing(acc, "30.00"))  # it may still pay
    bank.run(
        accounts.set_blocks, supervisor, number, accounts.BlockRequest(credit_blocked=False, reason="done")
    )
    post(bank, *incoming(acc, "1.00"))
    assert balance_of(bank, acc.id).balance == 7100


def test_type_iii_account_balance_ceiling(bank: Bank, teller: Actor) -> None:
    cust = new_customer(bank, teller)
    type1 = new_account(bank, teller, cust.number)
    type3 = ref(bank, new_account(bank, teller, cust.number, account_class=3, linked=type1.number).number)
    assert balance_of(bank, type3.id).ceiling == 200000
    post(bank, *incoming(type3, "2000.00"))
    before = ledger_state(bank)
    with pytest.raises(ledger.BalanceCeiling):
        post(bank, *incoming(type3, "0.01"))
    assert ledger_state(bank) == before
    post(bank, *outgoing(type3, "0.01"))
    post(bank, *incoming(type3, "0.01"))
    assert balance_of(bank, type3.id).balance == 200000


# ---------------------------------------------------------------- running balance on lines


def test_balance_after_walks_each_line_of_an_account(bank: Bank, teller: Actor) -> None:
    a = ref(bank, funded_account(bank, teller, "10.00").number)
    b = ref(bank, funded_account(bank, teller, "20.00").number)
    entry = post(
        bank,
        Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0001", cny("6.00")),
        Leg.credit(a.gl_code, a.branch_code, cny("1.00"), a.id),
        Leg.credit(b.gl_code, b.branch_code, cny("2.00"), b.id),
        Leg.credit(a.gl_code, a.branch_code, cny("3.00"), a.id),
    )
    after = [(ln.account_id, ln.balance_after) for ln in entry.lines]
    assert after == [(None, None), (a.id, 1100), (b.id, 2200), (a.id, 1400)]
    assert entry.balance_after(a.id) == 1400
    assert balance_of(bank, a.id).balance == 1400
    stored = bank.run(ledger.get_entry, entry.id, readonly=True)
    assert [ln.balance_after for ln in stored.lines] == [None, 1100, 2200, 1400]


# ---------------------------------------------------------------- inter-branch (系统内往来)


def _per_branch_sums(entry: ledger.PostedEntry) -> dict[tuple[str, str], int]:
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for ln in entry.lines:
        sums[(ln.branch_code, ln.currency)] += ln.amount
    return dict(sums)


def test_cross_branch_transfer_books_inter_branch_lines_so_each_branch_balances(
    bank: Bank, staff: Staff
) -> None:
    head = ref(bank, funded_account(bank, staff["teller"].actor, "500.00").number)
    east = ref(bank, funded_account(bank, staff["east_teller"].actor, "10.00").number)
    assert (head.branch_code, east.branch_code) == ("0001", "0002")
    entry = post(
        bank,
        Leg.debit(head.gl_code, head.branch_code, cny("123.45"), head.id),
        Leg.credit(east.gl_code, east.branch_code, cny("123.45"), east.id),
        kind="transfer",
    )
    inter = sorted((ln.branch_code, ln.amount) for ln in entry.lines if ln.gl_code == chart.INTER_BRANCH)
    # head office owes east branch: 0001 credits its inter-branch account, 0002 debits its own
    assert inter == [("0001", -12345), ("0002", 12345)]
    assert all(ln.account_id is None for ln in entry.lines if ln.gl_code == chart.INTER_BRANCH)
    assert _per_branch_sums(entry) == {("0001", CNY): 0, ("0002", CNY): 0}

    def books(uow: Any) -> tuple[ledger.TrialBalance, ledger.TrialBalance, ledger.TrialBalance]:
        return (
            ledger.trial_balance(uow, branch_code="0001"),
            ledger.trial_balance(uow, branch_code="0002"),
            ledger.trial_balance(uow),
        )

    ho, eb, whole = bank.run(books, readonly=True)
    assert ho.balanced and eb.balanced and whole.balanced
    assert any(r.gl_code == chart.INTER_BRANCH for r in ho.rows)
    assert any(r.gl_code == chart.INTER_BRANCH for r in eb.rows)
    # the two branches' inter-branch accounts cancel out in the consolidated books
    assert not [r for r in whole.rows if r.gl_code == chart.INTER_BRANCH and (r.debit or r.credit)]


def test_same_branch_posting_needs_no_inter_branch_lines(bank: Bank, teller: Actor) -> None:
    a = ref(bank, funded_account(bank, teller, "50.00").number)
    b = ref(bank, funded_account(bank, teller, "50.00").number)
    entry = post(
        bank,
        Leg.debit(a.gl_code, a.branch_code, cny("20.00"), a.id),
        Leg.credit(b.gl_code, b.branch_code, cny("20.00"), b.id),
    )
    assert len(entry.lines) == 2
    assert all(ln.gl_code != chart.INTER_BRANCH for ln in entry.lines)


# ---------------------------------------------------------------- reversal (冲正)


def test_reversal_mirrors_the_entry_and_links_back(bank: Bank, staff: Staff) -> None:
    head = ref(bank, funded_account(bank, staff["teller"].actor, "300.00").number)
    east = ref(bank, funded_account(bank, staff["east_teller"].actor, "0.01").number)
    original = post(
        bank,
        Leg.debit(head.gl_code, head.branch_code, cny("75.50"), head.id),
        Leg.credit(east.gl_code, east.branch_code, cny("75.50"), east.id),
        kind="transfer",
    )
    rev = bank.run(ledger.reverse, original.id, memo="keyed to the wrong payee", by="supervisor")
    assert rev.reverses_id == original.id and rev.kind == "reversal"
    assert rev.value_date == original.value_date
    assert sorted((ln.gl_code, ln.branch_code, ln.account_id, -ln.amount) for ln in rev.lines) == sorted(
        (ln.gl_code, ln.branch_code, ln.account_id, ln.amount) for ln in original.lines
    )
    assert bank.run(ledger.reversal_of, original.id, readonly=True) == rev.id
    assert balance_of(bank, head.id).balance == 30000
    assert balance_of(bank, east.id).balance == 1
    assert rev.balance_after(head.id) == 30000 and rev.balance_after(east.id) == 1
    whole_bank_balanced(bank)

    before = ledger_state(bank)
    with pytest.raises(ledger.AlreadyReversed):
        bank.run(ledger.reverse, original.id, memo="again", by="supervisor")
    with pytest.raises(NotReversible):
        bank.run(ledger.reverse, rev.id, memo="undo the undo", by="supervisor")
    with pytest.raises(ledger.EntryNotFound):
        bank.run(ledger.reverse, 10**12, memo="nothing", by="supervisor")
    assert ledger_state(bank) == before


def test_reversal_obeys_the_floor_of_the_account_it_debits(bank: Bank, teller: Actor) -> None:
    a = ref(bank, funded_account(bank, teller, "100.00").number)
    b = ref(bank, new_account(bank, teller).number)
    original = post(
        bank,
        Leg.debit(a.gl_code, a.branch_code, cny("100.00"), a.id),
        Leg.credit(b.gl_code, b.branch_code, cny("100.00"), b.id),
    )
    post(bank, *outgoing(b, "0.01"))  # the payee spent a fen
    before = ledger_state(bank)
    with pytest.raises(ledger.InsufficientFunds):
        bank.run(ledger.reverse, original.id, memo="too late", by="supervisor")
    assert ledger_state(bank) == before
    assert bank.run(ledger.reversal_of, original.id, readonly=True) is None


# ---------------------------------------------------------------- GL balances, snapshots, trial balance by date


def _lines_through(fb: FreshBank, day: date) -> dict[tuple[str, str, str], int]:
    """GL balances computed the slow way: every journal line booked up to `day`."""

    def read(uow: Any) -> dict[tuple[str, str, str], int]:
        rows = uow.session.execute(
            select(
                JournalLine.gl_code,
                JournalLine.branch_code,
                JournalLine.currency,
                func.sum(JournalLine.amount),
            )
            .where(JournalLine.booking_date <= day)
            .group_by(JournalLine.gl_code, JournalLine.branch_code, JournalLine.currency)
        )
        return {(r[0], r[1], r[2]): int(r[3]) for r in rows if r[3]}

    return fb.bank.run(read, readonly=True)  # type: ignore[no-any-return]


def _gl_at(fb: FreshBank, day: date, branch: str | None = None) -> dict[tuple[str, str, str], int]:
    rows = fb.bank.run(lambda uow: ledger.gl_balances(uow, day, branch), readonly=True)
    return {(g, b, c): v for g, b, c, v in rows if v}


def _snapshot(fb: FreshBank, day: date) -> int:
    return fb.bank.run(ledger.snapshot_gl_balances, day)  # type: ignore[no-any-return]


def _snapshot_rows(fb: FreshBank, day: date) -> list[GLDailyBalance]:
    return fb.bank.run(  # type: ignore[no-any-return]
        lambda uow: (
            uow.session.execute(select(GLDailyBalance).where(GLDailyBalance.business_date == day))
            .scalars()
            .all()
        ),
        readonly=True,
    )


def _day_of_business(fb: FreshBank, amount: str) -> None:
    a = funded_account(fb.bank, fb.teller, amount)
    b = funded_account(fb.bank, fb.east_teller, "1.00")
    pa, pb = ref(fb.bank, a.number), ref(fb.bank, b.number)
    post(
        fb.bank,
        Leg.debit(pa.gl_code, pa.branch_code, cny("1.50"), pa.id),
        Leg.credit(pb.gl_code, pb.branch_code, cny("1.50"), pb.id),
    )


def test_snapshot_then_gl_balances_and_trial_balance_equal_the_sum_of_lines(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    day1 = fb.business_date()
    _day_of_business(fb, "800.00")
    by_lines_day1 = _lines_through(fb, day1)
    assert _gl_at(fb, day1) == by_lines_day1  # before any snapshot: straight from the lines
    tb_day1 = fb.bank.run(lambda uow: ledger.trial_balance(uow, day1), readonly=True)

    # end of day: the date moves first, then the books of the day that ended are closed
    day2 = day1 + timedelta(days=1)
    fb.move_to(day2)
    assert _snapshot(fb, day1) > 0
    rows = _snapshot_rows(fb, day1)
    assert {(r.gl_code, r.branch_code, r.currency): r.balance for r in rows if r.balance} == by_lines_day1
    for r in rows:
        assert r.day_debit >= 0 and r.day_credit >= 0
    # the snapshot balances per branch too (inter-branch lines included)
    per_branch: dict[str, int] = defaultdict(int)
    for r in rows:
        per_branch[r.branch_code] += r.balance
    assert set(per_branch.values()) == {0}
    assert _gl_at(fb, day1) == by_lines_day1

    # the next business day: new postings on top of the snapshot
    _day_of_business(fb, "333.33")
    by_lines_day2 = _lines_through(fb, day2)
    assert by_lines_day2 != by_lines_day1
    assert _gl_at(fb, day2) == by_lines_day2  # snapshot of day 1 + lines of day 2
    assert _gl_at(fb, day1) == by_lines_day1  # day 1 still reads as it closed
    for branch in ("0001", "0002"):
        assert _gl_at(fb, day2, branch) == {k: v for k, v in by_lines_day2.items() if k[1] == branch}
    assert fb.bank.run(lambda uow: ledger.trial_balance(uow, day1), readonly=True).rows == tb_day1.rows

    # closing day 2: the day's debits and credits are the day's lines, the balance carries day 1 forward
    fb.move_to(day2 + timedelta(days=1))
    _snapshot(fb, day2)
    rows2 = {(r.gl_code, r.branch_code, r.currency): r for r in _snapshot_rows(fb, day2)}
    assert {k: r.balance for k, r in rows2.items() if r.balance} == by_lines_day2

    def day_moves(uow: Any) -> dict[tuple[str, str, str], tuple[int, int]]:
        rows = uow.session.execute(
            select(
                JournalLine.gl_code, JournalLine.branch_code, JournalLine.currency, JournalLine.amount
            ).where(JournalLine.booking_date == day2)
        )
        out: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        for g, b, c, amt in rows:
            out[(g, b, c)][0 if amt > 0 else 1] += abs(amt)
        return {k: (v[0], v[1]) for k, v in out.items()}

    moves = fb.bank.run(day_moves, readonly=True)
    for key, r in rows2.items():
        assert (r.day_debit, r.day_credit) == moves.get(key, (0, 0)), key
    assert _gl_at(fb, day2) == by_lines_day2

    # re-running a day's snapshot replaces it rather than doubling it
    _snapshot(fb, day2)
    assert len(_snapshot_rows(fb, day2)) == len(rows2)
    assert _gl_at(fb, day2) == by_lines_day2

    def books(uow: Any) -> list[bool]:
        return [
            ledger.trial_balance(uow, d, b).balanced for d in (day1, day2) for b in (None, "0001", "0002")
        ]

    assert all(fb.bank.run(books, readonly=True))


def test_snapshot_of_the_open_business_date_is_refused(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    today = fb.business_date()
    before = _snapshot_rows(fb, today)
    with pytest.raises(InvalidRequest, match="still open"):
        _snapshot(fb, today)
    with pytest.raises(InvalidRequest, match="still open"):
        _snapshot(fb, today + timedelta(days=3))
    assert _snapshot_rows(fb, today) == before == []


def test_subledgers_agree_with_their_control_accounts_after_snapshots(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    today = fb.business_date()
    _day_of_business(fb, "42.42")
    # end of day: switch the date first, then close the books of the day that ended
    fb.move_to(today + timedelta(days=1))
    _snapshot(fb, today)
    _day_of_business(fb, "17.00")
    deposit(fb.bank, fb.teller, funded_account(fb.bank, fb.teller, "5.00").number, "0.05")

    def compare(uow: Any) -> tuple[dict[Any, int], dict[Any, int]]:
        sub = {(g, b, c): v for g, b, c, v in ledger.subledger_totals(uow) if v}
        gl = {k: v for k, v in ((tuple(r[:3]), r[3]) for r in ledger.gl_balances(uow, uow.business_date))}
        return sub, {k: gl.get(k, 0) for k in sub}

    sub, gl = fb.bank.run(compare, readonly=True)
    assert {k[0] for k in sub} >= {chart.VAULT_CASH, chart.TELLER_CASH, chart.DEMAND_DEPOSITS}
    assert sub == gl
