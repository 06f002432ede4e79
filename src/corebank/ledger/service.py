"""`post()`: the only way money moves. Plus sub-ledger accounts, reading entries and reversals.

Posting rules (DESIGN.md "The ledger"):
- per currency, debits equal credits exactly, or the entry is refused;
- each sub-ledger account changes by one conditional UPDATE (floor, holds, ceiling and blocks checked in the
  WHERE clause; zero rows = refused), in ascending account id so concurrent postings never deadlock;
- GL control accounts are not updated per posting: their balance is the sum of journal lines since the last
  daily snapshot;
- a posting that touches several branches gets inter-branch lines (系统内往来) so each branch balances.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import (
    Table,
    insert,
    select,
    update,
)

from corebank.db.base import table_of
from corebank.db.fastsql import FastSQL
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import Money, exponent
from corebank.ledger import chart
from corebank.ledger.errors import (
    AlreadyReversed,
    BalanceCeiling,
    CreditBlocked,
    DebitBlocked,
    EntryNotFound,
    InsufficientFunds,
    LedgerAccountNotFound,
    NotReversible,
    UnbalancedEntry,
)
from corebank.ledger.models import JournalEntry, JournalLine, LedgerAccount
from corebank.ledger.reference import _check_refs
from corebank.ledger.schemas import (
    AccountBalance,
    EntryDraft,
    Leg,
    PostedEntry,
    PostedLine,
)

# ---------------------------------------------------------------- sub-ledger accounts


def open_account(
    uow: UnitOfWork,
    *,
    gl_code: str,
    branch_code: str,
    currency: str,
    floor: int = 0,
    ceiling: int | None = None,
) -> int:
    """Open a sub-ledger account under `gl_code` in `branch_code`; return its id. Balance starts at zero."""
    sign, has_sub = _check_refs(uow, gl_code, branch_code)
    if not has_sub:
        raise InvalidRequest(f"GL account {gl_code} keeps no sub-ledger accounts")
    exponent(currency)
    return int(
        uow.conn.execute(
            insert(LedgerAccount)
            .values(
                gl_code=gl_code,
                branch_code=branch_code,
                currency=currency,
                balance=0,
                held=0,
                floor=floor,
                ceiling=ceiling,
                allow_decrease=True,
                allow_increase=True,
                normal_sign=sign,
                opened_on=uow.business_date,
            )
            .returning(LedgerAccount.id)
        ).scalar_one()
    )


def set_movement_rules(
    uow: UnitOfWork,
    account_id: int,
    *,
    allow_increase: bool | None = None,
    allow_decrease: bool | None = None,
    floor: int | None = None,
    ceiling: int | bool | None = False,
) -> None:
    """Change what movements a sub-ledger account accepts (blocks, freezes, overdraft floor, balance cap).
    Pass `ceiling=None` to remove the cap; leave it False to keep it."""
    values: dict[str, Any] = {}
    if allow_increase is not None:
        values["allow_increase"] = allow_increase
    if allow_decrease is not None:
        values["allow_decrease"] = allow_decrease
    if floor is not None:
        values["floor"] = floor
    if ceiling is not False:
        values["ceiling"] = ceiling
    if values:
        done = uow.conn.execute(update(LedgerAccount).where(LedgerAccount.id == account_id).values(**values))
        if done.rowcount != 1:
            raise LedgerAccountNotFound(f"ledger account {account_id} does not exist")


def change_held(uow: UnitOfWork, account_id: int, delta: int) -> int:
    """Add `delta` minor units to the amount held (a hold or partial freeze); return the new held total."""
    stmt = (
        update(LedgerAccount)
        .where(LedgerAccount.id == account_id, LedgerAccount.held + delta >= 0)
        .values(held=LedgerAccount.held + delta)
        .returning(LedgerAccount.held)
    )
    held = uow.conn.execute(stmt).scalar()
    if held is None:
        raise InvalidRequest("the hold cannot go below zero")
    return int(held)


def close_account(uow: UnitOfWork, account_id: int) -> None:
    """Stop all movement on a sub-ledger account whose balance and holds are zero."""
    done = uow.conn.execute(
        update(LedgerAccount)
        .where(LedgerAccount.id == account_id, LedgerAccount.balance == 0, LedgerAccount.held == 0)
        .values(allow_increase=False, allow_decrease=False)
    )
    if done.rowcount != 1:
        raise InvalidRequest("only an account with zero balance and no holds can be closed")


def balances(uow: UnitOfWork, account_ids: list[int]) -> dict[int, AccountBalance]:
    """Current balance, holds and rules of sub-ledger accounts."""
    if not account_ids:
        return {}
    rows = uow.conn.execute(
        select(
            LedgerAccount.id,
            LedgerAccount.currency,
            LedgerAccount.balance,
            LedgerAccount.held,
            LedgerAccount.floor,
            LedgerAccount.ceiling,
            LedgerAccount.allow_increase,
            LedgerAccount.allow_decrease,
            LedgerAccount.branch_code,
            LedgerAccount.gl_code,
        ).where(LedgerAccount.id.in_(account_ids))
    )
    return {
        r.id: AccountBalance(
            r.id,
            r.currency,
            r.balance,
            r.held,
            r.floor,
            r.ceiling,
            bool(r.allow_increase),
            bool(r.allow_decrease),
            r.branch_code,
            r.gl_code,
        )
        for r in rows
    }


# ---------------------------------------------------------------- posting

# A sub-ledger movement: one conditional statement per account, the rules in its WHERE clause (amount typed
# BIGINT: normal_sign is SMALLINT); zero rows back means they refused it. Plain SQL for the hot path, see
# corebank.db.fastsql.
_MOVE_FAST = FastSQL("""
    UPDATE ledger_accounts
       SET balance = balance + normal_sign * CAST(:amt AS BIGINT), last_movement_on = :bd
     WHERE id = :aid AND currency = :cur AND gl_code = :gl AND branch_code = :br
       AND ((normal_sign * CAST(:amt AS BIGINT) >= 0 AND allow_increase
             AND (ceiling IS NULL OR balance + normal_sign * CAST(:amt AS BIGINT) <= ceiling))
         OR (normal_sign * CAST(:amt AS BIGINT) < 0 AND allow_decrease
             AND balance + normal_sign * CAST(:amt AS BIGINT) >= floor + held))
    RETURNING balance, normal_sign
""")
_INSERT_ENTRY_FAST = FastSQL("""
    INSERT INTO journal_entries
           (booking_date, value_date, kind, memo, reference, reverses_id, created_by, channel, created_at)
    VALUES (:booking_date, :value_date, :kind, :memo, :reference, :reverses_id, :created_by, :channel, :created_at)
    RETURNING id
""")
_INSERT_LINES_FAST = FastSQL("""
    INSERT INTO journal_lines (entry_id, line_no, gl_code, branch_code, account_id, currency, amount,
                               balance_after, booking_date, value_date, narrative)
    VALUES (:entry_id, :line_no, :gl_code, :branch_code, :account_id, :currency, :amount,
            :balance_after, :booking_date, :value_date, :narrative)
""")


def post(uow: UnitOfWork, draft: EntryDraft, *, by: str, channel: str = "counter") -> PostedEntry:
    """Post a balanced entry and return it. Refuses an unbalanced entry, a non-positive leg, a sub-ledger GL
    leg without its account, and any movement past an account's floor, holds, ceiling or blocks."""
    if len(draft.legs) < 2:
        raise UnbalancedEntry("an entry needs at least two legs")
    lines: list[dict[str, Any]] = []
    per_currency: dict[str, int] = defaultdict(int)
    per_branch: dict[tuple[str, str], int] = defaultdict(int)
    for leg in draft.legs:
        _validate_leg(uow, leg)
        signed = leg.signed_minor()
        per_currency[leg.amount.currency] += signed
        per_branch[(leg.branch_code, leg.amount.currency)] += signed
        lines.append(
            _line(leg.gl_code, leg.branch_code, leg.account_id, leg.amount.currency, signed, leg.narrative)
        )
    unbalanced = {c: v for c, v in per_currency.items() if v != 0}
    if unbalanced:
        raise UnbalancedEntry(f"debits and credits differ by {unbalanced} (minor units)")
    # Each branch must balance on its own: the inter-branch account takes up the difference (系统内往来).
    for (branch, currency), net in sorted(per_branch.items()):
        if net != 0:
            lines.append(_line(chart.INTER_BRANCH, branch, None, currency, -net, "inter-branch"))
    return _write(uow, draft.kind, draft.memo, draft.reference, draft.value_date, None, lines, by, channel)


def _validate_leg(uow: UnitOfWork, leg: Leg) -> None:
    if not isinstance(leg.amount, Money) or not leg.amount.is_positive():
        raise InvalidRequest("every leg amount must be a positive Money")
    if leg.amount.rounded() != leg.amount:
        raise InvalidRequest(f"{leg.amount} is finer than the currency's minor unit; round it before posting")
    _sign, has_sub = _check_refs(uow, leg.gl_code, leg.branch_code)
    if has_sub and leg.account_id is None:
        raise InvalidRequest(f"GL account {leg.gl_code} is posted only through its sub-ledger accounts")
    if not has_sub and leg.account_id is not None:
        raise InvalidRequest(f"GL account {leg.gl_code} keeps no sub-ledger accounts")


def _line(
    gl: str, branch: str, account_id: int | None, currency: str, amount: int, narrative: str
) -> dict[str, Any]:
    return {
        "gl_code": gl,
        "branch_code": branch,
        "account_id": account_id,
        "currency": currency,
        "amount": amount,
        "narrative": narrative[:120],
    }


def _write(
    uow: UnitOfWork,
    kind: str,
    memo: str,
    reference: str | None,
    value_date: date | None,
    reverses_id: int | None,
    lines: list[dict[str, Any]],
    by: str,
    channel: str,
) -> PostedEntry:
    bd = uow.business_date
    uow.check_bookings_open()
    vd = value_date or bd
    # Sub-ledger movements first, one conditional statement per account in ascending id order.
    net: dict[int, dict[str, Any]] = {}
    for ln in lines:
        if ln["account_id"] is not None:
            acc = net.setdefault(
                ln["account_id"],
                {"amt": 0, "cur": ln["currency"], "gl": ln["gl_code"], "br": ln["branch_code"]},
            )
            acc["amt"] += ln["amount"]
    final: dict[int, tuple[int, int]] = {}
    for aid in sorted(net):
        p = net[aid]
        row = _MOVE_FAST.execute(uow, {"aid": aid, "bd": bd, **p}).fetchone()
        if row is None:
            _explain_refusal(uow, aid, p)
        final[aid] = (int(row[0]), int(row[1]))
    entry_id = _insert_entry(uow, bd, vd, kind, memo, reference, reverses_id, by, channel)
    # Running balance per line, walking back from each account's final balance.
    running = {aid: bal for aid, (bal, _s) in final.items()}
    after: list[int | None] = [None] * len(lines)
    for i in range(len(lines) - 1, -1, -1):
        aid = lines[i]["account_id"]
        if aid is not None:
            after[i] = running[aid]
            running[aid] -= final[aid][1] * lines[i]["amount"]
    rows = [
        {
            **ln,
            "entry_id": entry_id,
            "line_no": i + 1,
            "balance_after": after[i],
            "booking_date": bd,
            "value_date": vd,
        }
        for i, ln in enumerate(lines)
    ]
    _INSERT_LINES_FAST.executemany(uow, rows)
    return PostedEntry(
        id=entry_id,
        booking_date=bd,
        value_date=vd,
        kind=kind,
        memo=memo,
        reference=reference,
        reverses_id=reverses_id,
        created_by=by,
        lines=tuple(
            PostedLine(
                r["line_no"],
                r["gl_code"],
                r["branch_code"],
                r["account_id"],
                r["currency"],
                r["amount"],
                r["balance_after"],
            )
            for r in rows
        ),
    )


def _insert_entry(
    uow: UnitOfWork,
    bd: date,
    vd: date,
    kind: str,
    memo: str,
    reference: str | None,
    reverses_id: int | None,
    by: str,
    channel: str,
) -> int:
    """Write a journal entry's header; return its id."""
    row = _INSERT_ENTRY_FAST.execute(
        uow,
        {
            "booking_date": bd,
            "value_date": vd,
            "kind": kind,
            "memo": memo[:200],
            "reference": reference,
            "reverses_id": reverses_id,
            "created_by": by,
            "channel": channel,
            "created_at": uow.now,
        },
    ).fetchone()
    return int(row[0])


def _explain_refusal(uow: UnitOfWork, account_id: int, p: dict[str, Any]) -> None:
    acc = balances(uow, [account_id]).get(account_id)
    if acc is None or acc.currency != p["cur"] or acc.gl_code != p["gl"] or acc.branch_code != p["br"]:
        raise LedgerAccountNotFound(f"no ledger account {account_id} in {p['cur']} under {p['gl']}/{p['br']}")
    sign = uow.conn.execute(
        select(LedgerAccount.normal_sign).where(LedgerAccount.id == account_id)
    ).scalar_one()
    natural = sign * p["amt"]
    if natural < 0:
        if not acc.allow_decrease:
            raise DebitBlocked("the account may not be debited (frozen, debit-blocked or closed)")
        raise InsufficientFunds(
            f"available balance {Money.from_minor(acc.available, acc.currency)} is less than "
            f"{Money.from_minor(-natural, acc.currency)}"
        )
    if not acc.allow_increase:
        raise CreditBlocked("the account may not be credited (credit-blocked or closed)")
    raise BalanceCeiling("the account's balance limit would be exceeded")


# ---------------------------------------------------------------- reading entries, reversing


def get_entry(uow: UnitOfWork, entry_id: int) -> PostedEntry:
    """A posted entry with its lines."""
    e = uow.session.get(JournalEntry, entry_id)
    if e is None:
        raise EntryNotFound(f"journal entry {entry_id} does not exist")
    lines = uow.session.execute(
        select(JournalLine).where(JournalLine.entry_id == entry_id).order_by(JournalLine.line_no)
    ).scalars()
    return PostedEntry(
        id=e.id,
        booking_date=e.booking_date,
        value_date=e.value_date,
        kind=e.kind,
        memo=e.memo,
        reference=e.reference,
        reverses_id=e.reverses_id,
        created_by=e.created_by,
        lines=tuple(
            PostedLine(
                ln.line_no,
                ln.gl_code,
                ln.branch_code,
                ln.account_id,
                ln.currency,
                ln.amount,
                ln.balance_after,
            )
            for ln in lines
        ),
    )


def reversal_of(uow: UnitOfWork, entry_id: int) -> int | None:
    """The id of the entry that reversed `entry_id`, if any."""
    return uow.conn.execute(select(JournalEntry.id).where(JournalEntry.reverses_id == entry_id)).scalar()


def reverse(uow: UnitOfWork, entry_id: int, *, memo: str, by: str, channel: str = "counter") -> PostedEntry:
    """Post the mirror image of an entry (冲正), linked to it. An entry is reversed at most once, and a
    reversal is not itself reversed; the mirror obeys the same floors and blocks as any posting."""
    original = get_entry(uow, entry_id)
    if original.reverses_id is not None:
        raise NotReversible("a reversal cannot itself be reversed; post a new entry instead")
    if reversal_of(uow, entry_id) is not None:
        raise AlreadyReversed(f"journal entry {entry_id} is already reversed")
    lines = [
        _line(ln.gl_code, ln.branch_code, ln.account_id, ln.currency, -ln.amount, "reversal")
        for ln in original.lines
    ]
    return _write(
        uow,
        "reversal",
        memo or f"reversal of entry {entry_id}",
        original.reference,
        original.value_date,
        entry_id,
        lines,
        by,
        channel,
    )


def account_lines(
    uow: UnitOfWork,
    account_id: int,
    *,
    before_id: int | None = None,
    limit: int = 50,
    from_date: date | None = None,
    to_date: date | None = None,
    ascending: bool = False,
    after_id: int | None = None,
) -> list[dict[str, Any]]:
    """A sub-ledger account's lines with running balance, newest first by default (cursor = line id)."""
    q = (
        select(
            JournalLine.id,
            JournalLine.entry_id,
            JournalLine.amount,
            JournalLine.balance_after,
            JournalLine.booking_date,
            JournalLine.value_date,
            JournalLine.currency,
            JournalLine.narrative,
            JournalEntry.kind,
            JournalEntry.memo,
            JournalEntry.reference,
            JournalEntry.reverses_id,
            JournalEntry.channel,
            JournalEntry.created_at,
            LedgerAccount.normal_sign,
        )
        .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
        .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
        .where(JournalLine.account_id == account_id)
    )
    if before_id is not None:
        q = q.where(JournalLine.id < before_id)
    if after_id is not None:
        q = q.where(JournalLine.id > after_id)
    if from_date is not None:
        q = q.where(JournalLine.booking_date >= from_date)
    if to_date is not None:
        q = q.where(JournalLine.booking_date <= to_date)
    q = q.order_by(JournalLine.id.asc() if ascending else JournalLine.id.desc()).limit(limit)
    out = []
    for r in uow.conn.execute(q):
        natural = r.normal_sign * r.amount
        out.append(
            {
                "line_id": r.id,
                "entry_id": r.entry_id,
                "booking_date": r.booking_date,
                "value_date": r.value_date,
                "currency": r.currency,
                "amount": natural,
                "balance_after": r.balance_after,
                "kind": r.kind,
                "memo": r.memo,
                "reference": r.reference,
                "reverses_id": r.reverses_id,
                "channel": r.channel,
                "created_at": r.created_at,
            }
        )
    return out


def journal_lines_table() -> Table:
    """The journal lines table, for other areas' set-based end-of-day reads (read only)."""
    return table_of(JournalLine)


def journal_entries_table() -> Table:
    """The journal entries table (kind, reversal link), for other areas' set-based end-of-day reads (read only)."""
    return table_of(JournalEntry)


def subledger_table() -> Table:
    """The sub-ledger accounts table, for other areas' set-based end-of-day reads (read only: balances change
    through `post()` and `credit_many()` alone)."""
    return table_of(LedgerAccount)
