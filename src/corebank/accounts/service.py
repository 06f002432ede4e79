"""Deposit account use cases: open, read, history and statements, holds, freezes, blocks, reactivation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, case, select, update

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
    OneTypeOneAccount,
)
from corebank.accounts.hooks import cover_shortfall
from corebank.accounts.models import DepositAccount
from corebank.accounts.schemas import (
    AccountOpen,
    AccountRead,
    Transaction,
    TransactionPage,
)
from corebank.db import idempotency
from corebank.db.base import table_of
from corebank.db.models import BankState
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidAmount, InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.ids import with_luhn
from corebank.kernel.money import Money, minor_to_text
from corebank.ledger import EntryDraft, Leg, chart
from corebank.products import ProductNotAvailable
from corebank.security import Actor, P


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
    available: int = 0  # what could be drawn when it was read (balance less floor and holds), minor units


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
_la = ledger.subledger_table()
# The business date and the available balance ride along with the accounts: every posting needs the date,
# a debit the balance (a sweep draws money back before a debit it cannot cover); this saves round trips.
_FREE = _la.c.balance - _la.c.held - _la.c.floor
_AVAILABLE = (
    select(case((and_(_la.c.allow_decrease, _FREE > 0), _FREE), else_=0))
    .where(_la.c.id == DepositAccount.id)
    .scalar_subquery()
)
_LOAD_FOR_POSTING = select(
    *_POSTING_COLS,
    _AVAILABLE.label("available"),
    select(_bank_state.c.business_date).where(_bank_state.c.id == 1).scalar_subquery().label("bank_date"),
    select(_bank_state.c.phase).where(_bank_state.c.id == 1).scalar_subquery().label("bank_phase"),
).where(DepositAccount.number.in_(bindparam("numbers", expanding=True)))


def load_for_posting(uow: UnitOfWork, numbers: list[str]) -> dict[str, PostingAccount]:
    """The accounts behind `numbers` (one query); AccountNotFound names the first missing one."""
    found = {}
    for r in uow.conn.execute(_LOAD_FOR_POSTING, {"numbers": numbers}):
        row = r._asdict()
        uow.prime_business_date(row.pop("bank_date"), row.pop("bank_phase"))
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


def prepare_debit(
    uow: UnitOfWork, payer: PostingAccount, amount: Money, payee_id: int | None, by: str
) -> bool:
    """Before money leaves `payer` for `payee_id` (None: outside the bank): count it against the account
    class's limits, and when the available balance falls short, let a sweep agreement (双利丰) bring its
    notice deposits back first, in this same transaction. Returns whether the available balance now covers
    the amount (when it does not, `ledger.post` refuses the debit with INSUFFICIENT_FUNDS)."""
    consume_class_limit(uow, payer, amount, payee_id)
    shortfall = amount.to_minor() - payer.available
    return shortfall <= 0 or cover_shortfall(uow, payer.id, shortfall, by) >= shortfall


def _account_number(uow: UnitOfWork, branch_code: str) -> str:
    return with_luhn(f"{branch_code}01{next_number(uow, 'account', start=100001):09d}")


def open_account(
    uow: UnitOfWork, actor: Actor, cmd: AccountOpen, idempotency_key: str | None = None
) -> AccountRead:
    """Open a deposit account at the actor's branch for an active customer, in the class asked for.
    Cash paid in at opening moves money, so then an idempotency key is required: a retry returns the
    account first opened instead of opening a second one."""
    actor.require(P.ACCOUNT_OPEN)
    if idempotency_key is None and not cmd.opening_deposit:
        return _open_account(uow, actor, cmd)

    def work() -> dict[str, Any]:
        return _open_account(uow, actor, cmd).model_dump(mode="json")

    scope = f"account.open:{actor.username}"
    return AccountRead(**idempotency.once(uow, scope, idempotency_key, cmd.model_dump(), work))


def _open_account(uow: UnitOfWork, actor: Actor, cmd: AccountOpen) -> AccountRead:
    cust = customers.customer_ref(uow, cmd.customer_number)
    terms = products.terms(uow, cmd.product_code)
    if not terms.active or terms.kind != "demand_deposit":
        raise ProductNotAvailable(f"product {cmd.product_code} cannot be opened here")
    if cust.type not in terms.customer_types:
        raise ProductNotAvailable(f"product {cmd.product_code} is not for {cust.type} customers")
    products.check_sold_on(terms.code, terms.channels, actor.channel)
    klass = cmd.account_class
    if klass not in terms.account_classes:
        raise ProductNotAvailable(f"product {terms.code} is not held in Type {klass} accounts")
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


def load_model(uow: UnitOfWork, actor: Actor, number: str) -> DepositAccount:
    """The account row for this area's own modules (cash and closing)."""
    return _load(uow, actor, number)


def numbers_of(uow: UnitOfWork, ids: list[int]) -> dict[int, str]:
    """Account numbers by internal id."""
    rows = uow.session.execute(
        select(DepositAccount.id, DepositAccount.number).where(DepositAccount.id.in_(ids))
    )
    return {r.id: r.number for r in rows}
