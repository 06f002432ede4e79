"""Deposit account use cases: open, read, history and statements, holds, freezes, blocks, reactivation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, case, select, update

from corebank import customers, ledger, products, tellers
from corebank.accounts.errors import (
    AccountClosed,
    AccountDormant,
    AccountFrozen,
    AccountNotFound,
    BelowOpeningMinimum,
    ClassLimitExceeded,
    CreditBlocked,
    DebitBlocked,
    HoldNotFound,
    OneTypeOneAccount,
)
from corebank.accounts.models import AccountHold, DepositAccount
from corebank.accounts.schemas import (
    AccountOpen,
    AccountRead,
    BlockRequest,
    FreezeRequest,
    HoldRead,
    HoldRequest,
    Transaction,
    TransactionPage,
    UnfreezeRequest,
)
from corebank.db.base import table_of
from corebank.db.models import BankState
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidAmount, InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.ids import with_luhn
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.products import ProductNotAvailable
from corebank.security import SYSTEM, Actor, P

FREEZES = ("freeze_partial", "freeze_full")


@dataclass(frozen=True, slots=True)
class PostingAccount:
    """What posting to or from a deposit account needs to know, read in one query."""

    id: int
    number: str
    customer_id: int
    name: str
    currency: str
    branch_code: str
    gl_code: str
    status: str
    debit_blocked: bool
    credit_blocked: bool
    account_class: int
    linked_account_id: int | None


_POSTING_COLS = (
    DepositAccount.id,
    DepositAccount.number,
    DepositAccount.customer_id,
    DepositAccount.name,
    DepositAccount.currency,
    DepositAccount.branch_code,
    DepositAccount.gl_code,
    DepositAccount.status,
    DepositAccount.debit_blocked,
    DepositAccount.credit_blocked,
    DepositAccount.account_class,
    DepositAccount.linked_account_id,
)


_bank_state = table_of(BankState)
# The business date rides along with the accounts: every posting needs it, and this saves a round trip.
_LOAD_FOR_POSTING = select(
    *_POSTING_COLS,
    select(_bank_state.c.business_date).where(_bank_state.c.id == 1).scalar_subquery().label("bank_date"),
).where(DepositAccount.number.in_(bindparam("numbers", expanding=True)))


def load_for_posting(uow: UnitOfWork, numbers: list[str]) -> dict[str, PostingAccount]:
    """The accounts behind `numbers` (one query); AccountNotFound names the first missing one."""
    found = {}
    for r in uow.conn.execute(_LOAD_FOR_POSTING, {"numbers": numbers}):
        row = r._asdict()
        uow.prime_business_date(row.pop("bank_date"))
        found[r.number] = PostingAccount(**row)
    for n in numbers:
        if n not in found:
            raise AccountNotFound(f"no account {n}")
    return found


def check_can_debit(acc: PostingAccount) -> None:
    """Refuse a debit the account's state does not allow, with the precise reason."""
    if acc.status == "closed":
        raise AccountClosed(f"account {acc.number} is closed")
    if acc.status == "frozen":
        raise AccountFrozen(f"account {acc.number} is frozen")
    if acc.status == "dormant":
        raise AccountDormant(f"account {acc.number} is dormant")
    if acc.debit_blocked:
        raise DebitBlocked(f"account {acc.number} may not pay out")


def check_can_credit(acc: PostingAccount) -> None:
    """Refuse a credit the account's state does not allow."""
    if acc.status == "closed":
        raise AccountClosed(f"account {acc.number} is closed")
    if acc.credit_blocked:
        raise CreditBlocked(f"account {acc.number} may not receive")


def consume_class_limit(uow: UnitOfWork, acc: PostingAccount, amount: Money, payee_id: int | None) -> None:
    """Count a Type II/III outflow (cash, or a payment to other than the linked account) against its daily
    and yearly limits (银发〔2018〕16号), in one conditional statement. Type I accounts are not limited."""
    if acc.account_class == 1 or (payee_id is not None and payee_id == acc.linked_account_id):
        return
    s = uow.settings
    day_cap, year_cap = (
        (s.class2_daily_outflow, s.class2_yearly_outflow)
        if acc.account_class == 2
        else (s.class3_daily_outflow, s.class3_yearly_outflow)
    )
    day_cap_m = Money.of(day_cap, acc.currency).to_minor()
    year_cap_m = Money.of(year_cap, acc.currency).to_minor()
    bd = uow.business_date
    a = amount.to_minor()
    t = DepositAccount
    day_now = case((t.out_day == bd, t.out_day_total), else_=0)
    year_now = case((t.out_year == bd.year, t.out_year_total), else_=0)
    done = uow.conn.execute(
        update(t)
        .where(t.id == acc.id, day_now + a <= day_cap_m, year_now + a <= year_cap_m)
        .values(out_day=bd, out_day_total=day_now + a, out_year=bd.year, out_year_total=year_now + a)
    )
    if done.rowcount != 1:
        raise ClassLimitExceeded(
            f"Type {'II' if acc.account_class == 2 else 'III'} account {acc.number}: outflow limit "
            f"{day_cap} a day and {year_cap} a year would be exceeded"
        )


def _account_number(uow: UnitOfWork, branch_code: str) -> str:
    return with_luhn(f"{branch_code}01{next_number(uow, 'account', start=100001):09d}")


def open_account(uow: UnitOfWork, actor: Actor, cmd: AccountOpen) -> AccountRead:
    """Open a deposit account at the actor's branch for an active customer, in the class asked for."""
    actor.require(P.ACCOUNT_OPEN)
    cust = customers.customer_ref(uow, cmd.customer_number)
    terms = products.terms(uow, cmd.product_code)
    if not terms.active or terms.kind != "demand_deposit":
        raise ProductNotAvailable(f"product {cmd.product_code} cannot be opened here")
    if cust.type not in terms.customer_types:
        raise ProductNotAvailable(f"product {cmd.product_code} is not for {cust.type} customers")
    klass = cmd.account_class
    linked_id = None
    if cust.type == "corporate" and klass != 1:
        raise InvalidRequest("corporate accounts have no class II or III")
    if cust.type == "individual" and klass == 1:
        has_type1 = uow.session.execute(
            select(DepositAccount.number).where(
                DepositAccount.customer_id == cust.id,
                DepositAccount.account_class == 1,
                DepositAccount.status != "closed",
            )
        ).first()
        if has_type1:
            raise OneTypeOneAccount(
                f"customer {cust.number} already holds Type I account {has_type1[0]}; "
                "open a Type II or III account instead"
            )
    if klass != 1 and cmd.linked_account:
        linked = load_for_posting(uow, [cmd.linked_account])[cmd.linked_account]
        if linked.customer_id != cust.id or linked.account_class != 1 or linked.status == "closed":
            raise InvalidRequest("the linked account must be the same customer's open Type I account")
        linked_id = linked.id
    opening = Money.of(cmd.opening_deposit or "0", terms.currency)
    if opening.amount < 0:
        raise InvalidAmount("the opening deposit cannot be negative")
    if terms.min_opening_amount > 0:
        paid = opening.to_minor()
        if paid < terms.min_opening_amount:
            raise BelowOpeningMinimum(
                f"product {terms.code} opens with at least {minor_to_text(terms.min_opening_amount, terms.currency)}"
            )
    ceiling = Money.of(uow.settings.class3_max_balance, terms.currency).to_minor() if klass == 3 else None
    floor = -terms.overdraft_limit if terms.allow_overdraft else 0
    lid = ledger.open_account(
        uow,
        gl_code=terms.gl_code,
        branch_code=actor.branch_code,
        currency=terms.currency,
        floor=floor,
        ceiling=ceiling,
    )
    number = _account_number(uow, actor.branch_code)
    acc = DepositAccount(
        id=lid,
        number=number,
        customer_id=cust.id,
        product_code=terms.code,
        account_class=klass,
        linked_account_id=linked_id,
        currency=terms.currency,
        branch_code=actor.branch_code,
        gl_code=terms.gl_code,
        status="active",
        debit_blocked=False,
        credit_blocked=False,
        name=cust.name,
        opened_on=uow.business_date,
        opened_by=actor.username,
        closed_on=None,
        out_day=None,
        out_day_total=0,
        out_year=None,
        out_year_total=0,
    )
    uow.session.add(acc)
    uow.session.flush()
    if opening.is_positive():
        # The opening deposit is cash the teller took at the counter: it goes from the till into the account.
        till = tellers.current_till(uow, actor.username, terms.currency)
        ledger.post(
            uow,
            EntryDraft(
                "cash_deposit",
                (
                    Leg.debit(chart.TELLER_CASH, till.branch_code, opening, till.ledger_account_id),
                    Leg.credit(terms.gl_code, actor.branch_code, opening, lid, "opening deposit"),
                ),
                memo="opening deposit",
                reference=tellers.voucher_number(uow, till.branch_code),
            ),
            by=actor.username,
        )
    uow.audit(
        actor,
        "account.open",
        "account",
        number,
        customer=cust.number,
        product=terms.code,
        account_class=klass,
        opening_deposit=opening.text(),
    )
    uow.publish(
        Event(
            "AccountOpened",
            "account",
            number,
            {"customer": cust.number, "product": terms.code, "branch": actor.branch_code},
        )
    )
    return account_read(uow, acc)


def _load(uow: UnitOfWork, actor: Actor, number: str) -> DepositAccount:
    acc = uow.session.execute(select(DepositAccount).where(DepositAccount.number == number)).scalar()
    if acc is None:
        raise AccountNotFound(f"no account {number}")
    actor.require_branch(acc.branch_code)
    return acc


def account_read(uow: UnitOfWork, acc: DepositAccount) -> AccountRead:
    """An account with its balances."""
    bal = ledger.balances(uow, [acc.id])[acc.id]
    cust = customers.customer_names(uow, [acc.customer_id]).get(acc.customer_id, ("", ""))
    cur = acc.currency
    return AccountRead(
        number=acc.number,
        customer_number=cust[0],
        name=acc.name,
        product_code=acc.product_code,
        account_class=acc.account_class,
        currency=cur,
        branch_code=acc.branch_code,
        status=acc.status,
        debit_blocked=acc.debit_blocked,
        credit_blocked=acc.credit_blocked,
        balance=minor_to_text(bal.balance, cur),
        available_balance=minor_to_text(bal.available, cur),
        held=minor_to_text(bal.held, cur),
        overdraft_limit=minor_to_text(-bal.floor, cur),
        opened_on=acc.opened_on,
        closed_on=acc.closed_on,
    )


def get_account(uow: UnitOfWork, actor: Actor, number: str) -> AccountRead:
    """An account with ledger and available balance, if in the actor's branch scope."""
    actor.require(P.ACCOUNT_READ)
    return account_read(uow, _load(uow, actor, number))


def accounts_of_customer(uow: UnitOfWork, actor: Actor, customer_number: str) -> list[AccountRead]:
    """A customer's accounts within the actor's branch scope."""
    actor.require(P.ACCOUNT_READ)
    cust = customers.customer_ref(uow, customer_number, must_be_active=False)
    q = select(DepositAccount).where(DepositAccount.customer_id == cust.id)
    if actor.branches is not None:
        q = q.where(DepositAccount.branch_code.in_(actor.branches))
    return [account_read(uow, a) for a in uow.session.execute(q.order_by(DepositAccount.id)).scalars()]


def _tx(row: dict[str, Any]) -> Transaction:
    cur = row["currency"]
    return Transaction(
        line_id=row["line_id"],
        entry_id=row["entry_id"],
        booking_date=row["booking_date"],
        value_date=row["value_date"],
        kind=row["kind"],
        memo=row["memo"],
        reference=row["reference"],
        amount=minor_to_text(row["amount"], cur),
        balance_after=None if row["balance_after"] is None else minor_to_text(row["balance_after"], cur),
        channel=row["channel"],
        reverses_entry=row["reverses_id"],
        created_at=row["created_at"],
    )


def history(
    uow: UnitOfWork,
    actor: Actor,
    number: str,
    *,
    cursor: str | None = None,
    limit: int = 50,
    from_date: date | None = None,
    to_date: date | None = None,
) -> TransactionPage:
    """Movements newest first with the running balance; pass `next_cursor` back for the next page."""
    actor.require(P.ACCOUNT_READ)
    acc = _load(uow, actor, number)
    before = None
    if cursor:
        if not cursor.isdigit():
            raise InvalidRequest("the cursor is not one this API returned")
        before = int(cursor)
    limit = max(1, min(limit, uow.settings.page_size_max))
    rows = ledger.account_lines(
        uow, acc.id, before_id=before, limit=limit + 1, from_date=from_date, to_date=to_date
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return TransactionPage(
        account=number,
        currency=acc.currency,
        items=[_tx(r) for r in rows],
        next_cursor=str(rows[-1]["line_id"]) if more and rows else None,
    )


def statement_chunk(
    uow: UnitOfWork,
    actor: Actor,
    number: str,
    *,
    from_date: date | None,
    to_date: date | None,
    after_line: int | None,
    size: int = 1000,
) -> list[Transaction]:
    """One chunk of a statement, oldest first (the CSV export reads chunk after chunk, memory bounded)."""
    actor.require(P.ACCOUNT_READ)
    acc = _load(uow, actor, number)
    if after_line is None:
        uow.audit(
            actor, "account.statement", "account", number, from_date=str(from_date), to_date=str(to_date)
        )
    rows = ledger.account_lines(
        uow, acc.id, after_id=after_line, limit=size, from_date=from_date, to_date=to_date, ascending=True
    )
    return [_tx(r) for r in rows]


# ---------------------------------------------------------------- holds, freezes, blocks


def _sync_rules(uow: UnitOfWork, acc: DepositAccount) -> None:
    """Carry the account's state into the ledger's movement rules, so posting enforces it race-free."""
    ledger.set_movement_rules(
        uow,
        acc.id,
        allow_decrease=acc.status == "active" and not acc.debit_blocked,
        allow_increase=acc.status in ("active", "dormant", "frozen") and not acc.credit_blocked,
    )


def _hold_read(h: AccountHold, number: str, currency: str) -> HoldRead:
    return HoldRead(
        id=h.id,
        account=number,
        kind=h.kind,
        amount=minor_to_text(h.amount, currency),
        reason=h.reason,
        authority=h.authority,
        document_no=h.document_no,
        expires_on=h.expires_on,
        status=h.status,
        placed_by=h.placed_by,
        placed_at=h.placed_at,
        released_by=h.released_by,
        released_at=h.released_at,
    )


def _not_closed(acc: DepositAccount) -> None:
    if acc.status == "closed":
        raise AccountClosed(f"account {acc.number} is closed")


def freeze(uow: UnitOfWork, actor: Actor, number: str, cmd: FreezeRequest) -> HoldRead:
    """Freeze an account fully (全部冻结: nothing may leave) or by an amount (部分冻结)."""
    actor.require(P.ACCOUNT_FREEZE)
    acc = _load(uow, actor, number)
    _not_closed(acc)
    amount = 0
    if cmd.kind == "partial":
        if not cmd.amount:
            raise InvalidRequest("a partial freeze needs an amount")
        amount = positive_amount(cmd.amount, acc.currency).to_minor()
    elif cmd.amount:
        raise InvalidRequest("a full freeze takes no amount")
    if cmd.expires_on is not None and cmd.expires_on <= uow.business_date:
        raise InvalidRequest("a freeze must expire after today")
    h = AccountHold(
        account_id=acc.id,
        kind=f"freeze_{cmd.kind}",
        amount=amount,
        reason=cmd.reason,
        authority=cmd.authority,
        document_no=cmd.document_no,
        expires_on=cmd.expires_on,
        status="active",
        placed_by=actor.username,
        placed_at=uow.now,
        released_by=None,
        released_at=None,
    )
    uow.session.add(h)
    uow.session.flush()
    if amount:
        ledger.change_held(uow, acc.id, amount)
    else:
        acc.status = "frozen"
        _sync_rules(uow, acc)
    uow.audit(
        actor,
        "account.freeze",
        "account",
        number,
        kind=cmd.kind,
        amount=amount,
        reason=cmd.reason,
        authority=cmd.authority,
        document_no=cmd.document_no,
        hold_id=h.id,
    )
    uow.publish(Event("AccountFrozen", "account", number, {"kind": cmd.kind, "amount": amount}))
    return _hold_read(h, number, acc.currency)


def _release(uow: UnitOfWork, actor: Actor, acc: DepositAccount, h: AccountHold, reason: str) -> None:
    h.status, h.released_by, h.released_at = "released", actor.username, uow.now
    if h.amount:
        ledger.change_held(uow, acc.id, -h.amount)
    if h.kind == "freeze_full":
        still = uow.session.execute(
            select(AccountHold.id).where(
                AccountHold.account_id == acc.id,
                AccountHold.kind == "freeze_full",
                AccountHold.status == "active",
                AccountHold.id != h.id,
            )
        ).first()
        if not still:
            acc.status = "active"
            _sync_rules(uow, acc)
    uow.audit(actor, f"account.release_{h.kind}", "account", acc.number, hold_id=h.id, reason=reason)


def unfreeze(uow: UnitOfWork, actor: Actor, number: str, cmd: UnfreezeRequest) -> HoldRead:
    """Lift a freeze (name it when several are active)."""
    actor.require(P.ACCOUNT_FREEZE)
    acc = _load(uow, actor, number)
    q = select(AccountHold).where(
        AccountHold.account_id == acc.id, AccountHold.status == "active", AccountHold.kind.in_(FREEZES)
    )
    if cmd.freeze_id is not None:
        q = q.where(AccountHold.id == cmd.freeze_id)
    found = uow.session.execute(q).scalars().all()
    if not found:
        raise HoldNotFound(f"account {number} has no such active freeze")
    if len(found) > 1:
        raise InvalidRequest(f"account {number} has {len(found)} active freezes; say which (freeze_id)")
    _release(uow, actor, acc, found[0], cmd.reason)
    uow.publish(Event("AccountUnfrozen", "account", number, {"hold_id": found[0].id}))
    return _hold_read(found[0], number, acc.currency)


def place_hold(uow: UnitOfWork, actor: Actor, number: str, cmd: HoldRequest) -> HoldRead:
    """Hold an amount (止付): it stays in the balance but is not available."""
    actor.require(P.ACCOUNT_HOLD)
    acc = _load(uow, actor, number)
    _not_closed(acc)
    amount = positive_amount(cmd.amount, acc.currency).to_minor()
    if cmd.expires_on is not None and cmd.expires_on <= uow.business_date:
        raise InvalidRequest("a hold must expire after today")
    h = AccountHold(
        account_id=acc.id,
        kind="hold",
        amount=amount,
        reason=cmd.reason,
        authority="",
        document_no="",
        expires_on=cmd.expires_on,
        status="active",
        placed_by=actor.username,
        placed_at=uow.now,
        released_by=None,
        released_at=None,
    )
    uow.session.add(h)
    uow.session.flush()
    ledger.change_held(uow, acc.id, amount)
    uow.audit(actor, "account.hold", "account", number, amount=amount, reason=cmd.reason, hold_id=h.id)
    return _hold_read(h, number, acc.currency)


def release_hold(uow: UnitOfWork, actor: Actor, number: str, hold_id: int, reason: str) -> HoldRead:
    """Release a hold (freezes are lifted with `unfreeze`)."""
    actor.require(P.ACCOUNT_HOLD)
    acc = _load(uow, actor, number)
    h = uow.session.get(AccountHold, hold_id)
    if h is None or h.account_id != acc.id or h.status != "active" or h.kind != "hold":
        raise HoldNotFound(f"account {number} has no active hold {hold_id}")
    _release(uow, actor, acc, h, reason)
    return _hold_read(h, number, acc.currency)


def list_holds(uow: UnitOfWork, actor: Actor, number: str, *, active_only: bool = True) -> list[HoldRead]:
    """Holds and freezes on an account."""
    actor.require(P.ACCOUNT_READ)
    acc = _load(uow, actor, number)
    q = select(AccountHold).where(AccountHold.account_id == acc.id)
    if active_only:
        q = q.where(AccountHold.status == "active")
    return [
        _hold_read(h, number, acc.currency) for h in uow.session.execute(q.order_by(AccountHold.id)).scalars()
    ]


def expire_holds(uow: UnitOfWork, business_date: date) -> int:
    """End-of-day step: release holds and freezes whose expiry date has come (set-based per account)."""
    rows = uow.session.execute(
        select(AccountHold.id, AccountHold.account_id, AccountHold.amount, AccountHold.kind).where(
            AccountHold.status == "active",
            AccountHold.expires_on.is_not(None),
            AccountHold.expires_on <= business_date,
        )
    ).all()
    for r in rows:
        acc = uow.session.get(DepositAccount, r.account_id)
        h = uow.session.get(AccountHold, r.id)
        if acc is not None and h is not None:
            _release(uow, SYSTEM, acc, h, "expired")
            h.status = "expired"
    return len(rows)


def set_blocks(uow: UnitOfWork, actor: Actor, number: str, cmd: BlockRequest) -> AccountRead:
    """Set or lift debit-blocked (只收不付) and credit-blocked (只付不收)."""
    actor.require(P.ACCOUNT_FREEZE)
    acc = _load(uow, actor, number)
    _not_closed(acc)
    if cmd.debit_blocked is not None:
        acc.debit_blocked = cmd.debit_blocked
    if cmd.credit_blocked is not None:
        acc.credit_blocked = cmd.credit_blocked
    _sync_rules(uow, acc)
    uow.audit(
        actor,
        "account.blocks",
        "account",
        number,
        debit_blocked=acc.debit_blocked,
        credit_blocked=acc.credit_blocked,
        reason=cmd.reason,
    )
    return account_read(uow, acc)


def reactivate(uow: UnitOfWork, actor: Actor, number: str, reason: str) -> AccountRead:
    """Bring a dormant account back to active (the customer showed ID at the counter)."""
    actor.require(P.ACCOUNT_HOLD)
    acc = _load(uow, actor, number)
    if acc.status != "dormant":
        raise InvalidRequest(f"account {number} is {acc.status}, not dormant")
    acc.status = "active"
    _sync_rules(uow, acc)
    uow.audit(actor, "account.reactivate", "account", number, reason=reason)
    return account_read(uow, acc)


def load_model(uow: UnitOfWork, actor: Actor, number: str) -> DepositAccount:
    """The account row for this area's own modules (cash and closing)."""
    return _load(uow, actor, number)


def sync_rules(uow: UnitOfWork, acc: DepositAccount) -> None:
    """Public twin of `_sync_rules` for this area's cash module."""
    _sync_rules(uow, acc)


def numbers_of(uow: UnitOfWork, ids: list[int]) -> dict[int, str]:
    """Account numbers by internal id."""
    rows = uow.session.execute(
        select(DepositAccount.id, DepositAccount.number).where(DepositAccount.id.in_(ids))
    )
    return {r.id: r.number for r in rows}
