"""Notice deposits (通知存款, 银发〔1999〕3号): 1-day and 7-day. Open from a demand account or cash, register and
cancel withdrawal notices, withdraw with or without a notice, and end-of-day notice housekeeping.

Accounting: each notice deposit is its own sub-ledger account under GL 2014. Notice interest is booked when it
is paid (Dr 6411 interest expense, Cr the receiving account or till), not accrued day by day: the rate is only
known on the withdrawal day (the rate posted that day, for the actual days held), so there is nothing fixed to
accrue. The rate rules themselves are pure functions in `notice_rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from corebank import accounts, customers, ledger, products, tellers
from corebank.db import idempotency
from corebank.db.batch import BatchStep
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.deposits import notice_rules as rules
from corebank.deposits.notice_errors import (
    BelowMinimumDeposit,
    NotANoticeProduct,
    NoticeAlreadyRegistered,
    NoticeDepositClosed,
    NoticeDepositNotFound,
    NoticeNotCancellable,
    NoticeNotFound,
    NoticeTermInvalid,
    OwnAccountRequired,
    SweptDepositManagedByAgreement,
)
from corebank.deposits.notice_models import NoticeDeposit, NoticeWithdrawal, WithdrawalNotice
from corebank.deposits.notice_schemas import (
    NoticeCreate,
    NoticeDepositOpen,
    NoticeDepositRead,
    NoticeRead,
)
from corebank.kernel.errors import CurrencyMismatch, InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.ids import with_luhn
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import SYSTEM, Actor, P

# ---------------------------------------------------------------- shared with sweeps


def notice_product(uow: UnitOfWork, code: str, customer_type: str | None = None) -> products.DepositProduct:
    """A notice deposit product on sale (for `customer_type` when given)."""
    product = products.deposit_product(uow, code)
    if product.kind != "notice_deposit" or not product.on_sale:
        raise NotANoticeProduct(f"product {code} is not a notice deposit product on sale")
    if customer_type is not None and customer_type not in product.customer_types:
        raise NotANoticeProduct(f"product {code} is not for {customer_type} customers")
    return product


def create_deposit(
    uow: UnitOfWork,
    *,
    customer_id: int,
    product: products.DepositProduct,
    term: str,
    branch_code: str,
    principal: int,
    opened_by: str,
    interest_from: date,
    swept: bool = False,
    agreement_id: int | None = None,
    source_account_id: int | None = None,
) -> NoticeDeposit:
    """Open the deposit's sub-ledger account under the product's GL (2014) and its row; the caller posts the
    money in. The number is branch + "07" + a serial + a Luhn check digit, never reused."""
    lid = ledger.open_account(
        uow, gl_code=product.gl_code, branch_code=branch_code, currency=product.currency
    )
    number = with_luhn(f"{branch_code}07{next_number(uow, 'notice_deposit', start=100001):09d}")
    dep = NoticeDeposit(
        id=lid,
        number=number,
        customer_id=customer_id,
        product_code=product.code,
        term=term,
        currency=product.currency,
        branch_code=branch_code,
        gl_code=product.gl_code,
        principal=principal,
        status="active",
        swept=swept,
        sweep_agreement_id=agreement_id,
        source_account_id=source_account_id,
        opened_on=uow.business_date,
        interest_from=interest_from,
        opened_by=opened_by,
        closed_on=None,
    )
    uow.session.add(dep)
    uow.session.flush()
    return dep


@dataclass(frozen=True, slots=True)
class Receiver:
    """Where a withdrawal's principal and interest go: a deposit account, or a teller's till (cash)."""

    gl_code: str
    branch_code: str
    account_id: int
    label: str  # the account number, or "cash"
    voucher: str | None = None


def account_receiver(acc: accounts.PostingAccount) -> Receiver:
    """Pay into a deposit account."""
    return Receiver(acc.gl_code, acc.branch_code, acc.id, acc.number)


def till_receiver(uow: UnitOfWork, username: str, currency: str) -> Receiver:
    """Pay out cash from the teller's till, under a voucher number."""
    till = tellers.current_till(uow, username, currency)
    return Receiver(
        chart.TELLER_CASH,
        till.branch_code,
        till.ledger_account_id,
        "cash",
        tellers.voucher_number(uow, till.branch_code),
    )


@dataclass(frozen=True, slots=True)
class Payout:
    """What paying out (part of) a notice deposit did."""

    entry: ledger.PostedEntry
    record: NoticeWithdrawal
    principal: int
    interest: int
    balance_after: int


def pay_out(
    uow: UnitOfWork,
    dep: NoticeDeposit,
    product: products.DepositProduct,
    *,
    amount: int,
    balance: int,
    notice: WithdrawalNotice | None,
    to: Receiver,
    by: str,
    kind: str,
    memo: str = "",
) -> Payout:
    """Pay `amount` minor units of principal (plus any remainder under the minimum, see
    `notice_rules.plan_withdrawal`) and its interest to `to`, in one entry: Dr the deposit (principal), Dr 6411
    interest expense (interest), Cr the receiver (both). Interest = principal × rate × days held ÷ 360 at the
    rates posted today, ROUND_HALF_UP to the fen once, booked now (notice interest is never accrued)."""
    today = uow.business_date
    held = rules.days_held(dep.interest_from, today)
    plan = rules.plan_withdrawal(
        amount=amount,
        balance=balance,
        min_balance=product.min_balance,
        held_days=held,
        term=dep.term,
        noticed_amount=notice.amount if notice is not None else None,
        swept=dep.swept,
    )
    notice_rate = (
        products.rate_on(uow, product.code, dep.term, today, amount) if plan.at_notice_rate else None
    )
    demand_rate = products.demand_rate_on(uow, product, today) if plan.at_demand_rate else None
    interest = rules.interest_minor(
        [(plan.at_notice_rate, notice_rate or Decimal(0)), (plan.at_demand_rate, demand_rate or Decimal(0))],
        held,
    )
    cur = dep.currency
    principal = Money.from_minor(plan.principal, cur)
    legs = [Leg.debit(dep.gl_code, dep.branch_code, principal, dep.id, f"to {to.label}")]
    if interest:
        legs.append(
            Leg.debit(
                chart.INTEREST_EXPENSE, dep.branch_code, Money.from_minor(interest, cur), None, dep.number
            )
        )
    legs.append(
        Leg.credit(
            to.gl_code,
            to.branch_code,
            Money.from_minor(plan.principal + interest, cur),
            to.account_id,
            dep.number,
        )
    )
    entry = ledger.post(
        uow,
        EntryDraft(
            "notice_withdrawal" if kind == "withdrawal" else f"notice_{kind}",
            tuple(legs),
            memo=memo
            or f"notice deposit {dep.number}: principal {principal.text()}, interest "
            f"{minor_to_text(interest, cur)}",
            reference=to.voucher,
        ),
        by=by,
    )
    if notice is not None:
        notice.status, notice.closed_on, notice.closed_by = "used", today, by
    after = balance - plan.principal
    if plan.closes:
        ledger.close_account(uow, dep.id)
        dep.status, dep.closed_on = "closed", today
        uow.session.execute(
            update(WithdrawalNotice)
            .where(WithdrawalNotice.deposit_id == dep.id, WithdrawalNotice.status == "registered")
            .values(status="cancelled", closed_on=today, closed_by=by)
        )
    record = NoticeWithdrawal(
        deposit_id=dep.id,
        notice_id=notice.id if notice is not None else None,
        withdrawn_on=today,
        days_held=held,
        at_notice_rate=plan.at_notice_rate,
        notice_rate=str(notice_rate) if notice_rate is not None else "",
        at_demand_rate=plan.at_demand_rate,
        demand_rate=str(demand_rate) if demand_rate is not None else "",
        interest=interest,
        paid_to=to.label,
        entry_id=entry.id,
        kind=kind,
        created_by=by,
    )
    uow.session.add(record)
    uow.session.flush()
    return Payout(entry, record, plan.principal, interest, after)


def balance_of(uow: UnitOfWork, deposit_id: int) -> int:
    """A notice deposit's balance in minor units."""
    return ledger.balances(uow, [deposit_id])[deposit_id].balance


# ---------------------------------------------------------------- reading


def _load(uow: UnitOfWork, number: str) -> NoticeDeposit:
    dep = uow.session.execute(select(NoticeDeposit).where(NoticeDeposit.number == number)).scalar()
    if dep is None:
        raise NoticeDepositNotFound(f"no notice deposit {number}")
    return dep


def _notice_read(n: WithdrawalNotice, dep: NoticeDeposit) -> NoticeRead:
    return NoticeRead(
        id=n.id,
        deposit=dep.number,
        amount=minor_to_text(n.amount, dep.currency),
        withdrawal_date=n.withdrawal_date,
        status=n.status,
        registered_on=n.registered_on,
        closed_on=n.closed_on,
    )


def deposit_read(uow: UnitOfWork, dep: NoticeDeposit) -> NoticeDepositRead:
    """A notice deposit with its balance and notices."""
    cust = customers.customer_names(uow, [dep.customer_id]).get(dep.customer_id, ("", ""))
    notices = uow.session.execute(
        select(WithdrawalNotice).where(WithdrawalNotice.deposit_id == dep.id).order_by(WithdrawalNotice.id)
    ).scalars()
    return NoticeDepositRead(
        number=dep.number,
        customer_number=cust[0],
        product_code=dep.product_code,
        term=dep.term,
        notice_days=rules.notice_days(dep.term),
        currency=dep.currency,
        branch_code=dep.branch_code,
        principal=minor_to_text(dep.principal, dep.currency),
        balance=minor_to_text(balance_of(uow, dep.id), dep.currency),
        status=dep.status,
        swept=dep.swept,
        sweep_agreement_id=dep.sweep_agreement_id,
        opened_on=dep.opened_on,
        interest_from=dep.interest_from,
        closed_on=dep.closed_on,
        notices=[_notice_read(n, dep) for n in notices],
    )


def get_notice_deposit(uow: UnitOfWork, actor: Actor, number: str) -> NoticeDepositRead:
    """A notice deposit by its number, if in the actor's branch scope."""
    actor.require(P.ACCOUNT_READ)
    dep = _load(uow, number)
    actor.require_branch(dep.branch_code)
    return deposit_read(uow, dep)


# ---------------------------------------------------------------- opening


def open_notice_deposit(
    uow: UnitOfWork, actor: Actor, cmd: NoticeDepositOpen, idempotency_key: str | None
) -> NoticeDepositRead:
    """Open a 1-day or 7-day notice deposit (通知存款) from the customer's demand account or from cash paid into
    the teller's till; at least the product's minimum (NOTICE_CNY 50,000; CORP_NOTICE_CNY 500,000)."""
    actor.require(P.DEPOSIT_OPERATE)

    def work() -> dict[str, Any]:
        term = rules.term_code(cmd.notice_days, cmd.term)
        product = notice_product(uow, cmd.product_code)
        products.check_sold_on(product.code, product.channels, actor.channel)
        if term not in product.terms:
            raise NoticeTermInvalid(f"product {product.code} does not offer the term {term}")
        if cmd.currency != product.currency:
            raise CurrencyMismatch(f"product {product.code} is in {product.currency}, not {cmd.currency}")
        amount = positive_amount(cmd.amount, product.currency)
        if amount.to_minor() < product.min_opening_amount:
            raise BelowMinimumDeposit(
                f"product {product.code} opens with at least "
                f"{minor_to_text(product.min_opening_amount, product.currency)} {product.currency}"
            )
        if cmd.from_account:
            src = accounts.load_for_posting(uow, [cmd.from_account])[cmd.from_account]
            actor.require_branch(src.branch_code)
            accounts.check_can_debit(src)
            if src.currency != product.currency:
                raise CurrencyMismatch(f"account {src.number} holds {src.currency}")
            # Buying the customer's own deposit product is not an outflow under the Type II/III limits
            # (银发〔2018〕16号), so no class limit is consumed; the product says which classes may hold it.
            if src.account_class not in product.account_classes:
                raise NotANoticeProduct(
                    f"a Type {src.account_class} account cannot hold product {product.code}"
                )
            cust_number = customers.customer_names(uow, [src.customer_id])[src.customer_id][0]
            if cmd.customer_number and cmd.customer_number != cust_number:
                raise OwnAccountRequired(f"account {src.number} is not customer {cmd.customer_number}'s")
            cust = customers.customer_ref(uow, cust_number)
            branch, source_id, voucher = src.branch_code, src.id, None
            debit = Leg.debit(src.gl_code, src.branch_code, amount, src.id, "to notice deposit")
        else:
            if not cmd.customer_number:
                raise InvalidRequest("say whose deposit it is (customer_number), or pay from_account")
            cust = customers.customer_ref(uow, cmd.customer_number)
            till = tellers.current_till(uow, actor.username, product.currency)
            branch, source_id = till.branch_code, None
            voucher = tellers.voucher_number(uow, till.branch_code)
            debit = Leg.debit(chart.TELLER_CASH, till.branch_code, amount, till.ledger_account_id)
        notice_product(uow, product.code, cust.type)
        dep = create_deposit(
            uow,
            customer_id=cust.id,
            product=product,
            term=term,
            branch_code=branch,
            principal=amount.to_minor(),
            opened_by=actor.username,
            interest_from=uow.business_date,
            source_account_id=source_id,
        )
        entry = ledger.post(
            uow,
            EntryDraft(
                "notice_deposit_open",
                (debit, Leg.credit(product.gl_code, branch, amount, dep.id, "opening")),
                memo=cmd.memo or f"notice deposit {dep.number} ({term})",
                reference=voucher,
            ),
            by=actor.username,
        )
        uow.audit(
            actor,
            "notice_deposit.open",
            "notice_deposit",
            dep.number,
            customer=cust.number,
            product=product.code,
            term=term,
            amount=amount.text(),
            source=cmd.from_account or "cash",
            entry=entry.id,
        )
        uow.publish(
            Event(
                "NoticeDepositOpened",
                "notice_deposit",
                dep.number,
                {
                    "customer": cust.number,
                    "amount": amount.to_minor(),
                    "currency": product.currency,
                    "term": term,
                },
            )
        )
        return deposit_read(uow, dep).model_dump(mode="json")

    stored = idempotency.once(uow, f"notice.open:{actor.username}", idempotency_key, cmd.model_dump(), work)
    return NoticeDepositRead(**stored)


# ---------------------------------------------------------------- notices


def live_notice(uow: UnitOfWork, dep: NoticeDeposit) -> WithdrawalNotice | None:
    """The deposit's registered notice whose date has not passed (end of day lapses the others)."""
    return uow.session.execute(
        select(WithdrawalNotice).where(
            WithdrawalNotice.deposit_id == dep.id,
            WithdrawalNotice.status == "registered",
            WithdrawalNotice.withdrawal_date >= uow.business_date,
        )
    ).scalar()


def active_deposit(uow: UnitOfWork, actor: Actor, number: str) -> NoticeDeposit:
    dep = _load(uow, number)
    actor.require_branch(dep.branch_code)
    if dep.status != "active":
        raise NoticeDepositClosed(f"notice deposit {number} is {dep.status}")
    if dep.swept:
        raise SweptDepositManagedByAgreement(
            f"notice deposit {number} belongs to sweep agreement {dep.sweep_agreement_id}"
        )
    return dep


def register_notice(uow: UnitOfWork, actor: Actor, number: str, cmd: NoticeCreate) -> NoticeRead:
    """Register a withdrawal notice (支取通知): an amount (at least the minimum withdrawal, or the whole balance)
    and a date at least 1 or 7 days ahead. One registered notice per deposit at a time."""
    actor.require(P.DEPOSIT_OPERATE)
    dep = active_deposit(uow, actor, number)
    product = products.deposit_product(uow, dep.product_code)
    if live_notice(uow, dep) is not None:
        raise NoticeAlreadyRegistered(f"notice deposit {number} has a registered notice already")
    amount = positive_amount(cmd.amount, dep.currency).to_minor()
    today = uow.business_date
    rules.check_notice(
        amount, balance_of(uow, dep.id), product.min_withdrawal, cmd.withdrawal_date, today, dep.term
    )
    n = WithdrawalNotice(
        deposit_id=dep.id,
        amount=amount,
        withdrawal_date=cmd.withdrawal_date,
        status="registered",
        registered_on=today,
        registered_by=actor.username,
        registered_at=uow.now,
        closed_on=None,
        closed_by=None,
    )
    uow.session.add(n)
    uow.session.flush()
    uow.audit(
        actor,
        "notice_deposit.notice",
        "notice_deposit",
        number,
        notice=n.id,
        amount=minor_to_text(amount, dep.currency),
        withdrawal_date=str(cmd.withdrawal_date),
    )
    return _notice_read(n, dep)


def cancel_notice(uow: UnitOfWork, actor: Actor, number: str, notice_id: int) -> NoticeRead:
    """Cancel a registered notice, up to its withdrawal date."""
    actor.require(P.DEPOSIT_OPERATE)
    dep = active_deposit(uow, actor, number)
    n = uow.session.get(WithdrawalNotice, notice_id)
    if n is None or n.deposit_id != dep.id:
        raise NoticeNotFound(f"notice deposit {number} has no notice {notice_id}")
    today = uow.business_date
    if n.status != "registered" or n.withdrawal_date < today:
        raise NoticeNotCancellable(f"notice {notice_id} is {n.status} for {n.withdrawal_date}")
    n.status, n.closed_on, n.closed_by = "cancelled", today, actor.username
    uow.audit(actor, "notice_deposit.notice_cancel", "notice_deposit", number, notice=n.id)
    return _notice_read(n, dep)


# ---------------------------------------------------------------- end of day


def lapse_notices(uow: UnitOfWork, day: date) -> int:
    """End-of-day housekeeping: a registered notice whose withdrawal date is the closing day or earlier passed
    unused, so it lapses. One set-based statement; running it again for the same day changes nothing."""
    done = uow.conn.execute(
        update(WithdrawalNotice)
        .where(WithdrawalNotice.status == "registered", WithdrawalNotice.withdrawal_date <= day)
        .values(status="lapsed", closed_on=day, closed_by=SYSTEM.username)
    )
    if done.rowcount:
        uow.audit(SYSTEM, "notice_deposit.notices_lapsed", "business_date", str(day), count=done.rowcount)
    return int(done.rowcount)


EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep("deposits.lapse_notices", "Notice deposits: lapse unused notices", run=lapse_notices),
)
