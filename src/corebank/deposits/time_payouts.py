"""Paying time deposits out: early withdrawal (提前支取, in full or one partial) and withdrawal at or after
maturity, and the booking they share with end of day's maturity (principal out of the deposit, interest out of
interest expense, each interest figure kept as a line of the deposit's interest certificate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from corebank import accounts, ledger, operations, products, tellers
from corebank.accounts import PendingApproval
from corebank.db import idempotency
from corebank.db.uow import UnitOfWork
from corebank.deposits import time_rules as rules
from corebank.deposits import time_store as store
from corebank.deposits.time_errors import (
    BelowMinimum,
    DepositMatured,
    DepositNotMatured,
    EarlyWithdrawalNotAllowed,
    ExceedsPrincipal,
    PartialWithdrawalUsed,
)
from corebank.deposits.time_models import TimeDeposit, TimeDepositInterest, TimeDepositLossReport
from corebank.deposits.time_schemas import (
    EarlyWithdrawal,
    InterestLine,
    MaturityWithdrawal,
    TimeDepositPayout,
)
from corebank.kernel.errors import CurrencyMismatch, InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import Actor, P

DEMAND_GL = (chart.DEMAND_DEPOSITS, chart.CORPORATE_DEPOSITS)
CASH_PAYOUT_KIND = "time_deposit.cash_payout"


@dataclass(frozen=True, slots=True)
class InterestPart:
    """One interest figure to book: on what principal, at which rate, for which period and basis."""

    kind: str
    principal: int
    rate: Decimal
    period_from: date
    period_to: date
    basis: str
    amount: int


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a payment goes: a demand account, or the teller's till (cash)."""

    leg_gl: str
    branch_code: str
    account_id: int
    label: str


def check_own_demand_account(acc: accounts.PostingAccount, customer_id: int, currency: str) -> None:
    """Refuse an account that is not the holder's own open demand account in the deposit's currency."""
    if acc.customer_id != customer_id:
        raise InvalidRequest(f"account {acc.number} is not the deposit holder's")
    if acc.gl_code not in DEMAND_GL:
        raise InvalidRequest(f"account {acc.number} is not a demand account")
    if acc.currency != currency:
        raise CurrencyMismatch(f"account {acc.number} holds {acc.currency}, not {currency}")
    accounts.check_can_credit(acc)


# ---------------------------------------------------------------------------------------------------- payouts


def _destination(
    uow: UnitOfWork, teller: str, td: TimeDeposit, to_account: str | None, cash: bool
) -> Destination:
    if cash == bool(to_account):
        raise InvalidRequest("say where the money goes: to_account, or cash: true (not both)")
    if to_account:
        acc = accounts.load_for_posting(uow, [to_account])[to_account]
        check_own_demand_account(acc, td.customer_id, td.currency)
        return Destination(acc.gl_code, acc.branch_code, acc.id, acc.number)
    till = tellers.current_till(uow, teller, td.currency)
    return Destination(chart.TELLER_CASH, till.branch_code, till.ledger_account_id, "cash")


def book_payment(
    uow: UnitOfWork,
    td: TimeDeposit,
    principal: int,
    parts: list[InterestPart],
    dest: Destination | None,
    *,
    by: str,
    channel: str,
    kind: str,
    memo: str,
    reference: str | None,
    value_date: date | None = None,
) -> ledger.PostedEntry | None:
    """Post `principal` out of the deposit and the interest parts out of interest expense, all to `dest`
    (or, with no destination, the interest into the deposit itself: a rollover with interest). Each interest
    part is recorded as a line of the deposit's interest certificate. None when there is nothing to post."""
    interest = sum(p.amount for p in parts)
    cur = td.currency
    legs: list[Leg] = []
    if principal > 0:
        legs.append(Leg.debit(td.gl_code, td.branch_code, Money.from_minor(principal, cur), td.id, memo))
    if interest > 0:
        legs.append(Leg.debit(chart.INTEREST_EXPENSE, td.branch_code, Money.from_minor(interest, cur)))
    total = principal + interest
    entry = None
    if total > 0:
        credit = (
            Leg.credit(dest.leg_gl, dest.branch_code, Money.from_minor(total, cur), dest.account_id, memo)
            if dest is not None
            else Leg.credit(td.gl_code, td.branch_code, Money.from_minor(total, cur), td.id, memo)
        )
        entry = ledger.post(
            uow,
            EntryDraft(kind, (*legs, credit), memo=memo, reference=reference, value_date=value_date),
            by=by,
            channel=channel,
        )
    for p in parts:
        uow.session.add(
            TimeDepositInterest(
                deposit_id=td.id,
                paid_on=uow.business_date,
                kind=p.kind,
                principal=p.principal,
                annual_rate=str(p.rate),
                period_from=p.period_from,
                period_to=p.period_to,
                basis=p.basis,
                amount=p.amount,
                entry_id=entry.id if entry else None,
            )
        )
    td.interest_paid += interest
    return entry


def close_deposit(uow: UnitOfWork, td: TimeDeposit) -> None:
    td.principal = 0
    td.status = "closed"
    td.closed_on = uow.business_date
    ledger.close_account(uow, td.id)
    for r in uow.session.execute(
        select(TimeDepositLossReport).where(
            TimeDepositLossReport.deposit_id == td.id, TimeDepositLossReport.status == "active"
        )
    ).scalars():
        r.status, r.closed_on, r.closed_by = "settled", uow.business_date, "system"


def _payout(
    uow: UnitOfWork,
    actor: Actor,
    teller: str,
    td: TimeDeposit,
    principal: int,
    parts: list[InterestPart],
    dest: Destination,
    memo: str,
    action: str,
) -> TimeDepositPayout:
    voucher = tellers.voucher_number(uow, dest.branch_code if dest.label == "cash" else actor.branch_code)
    entry = book_payment(
        uow,
        td,
        principal,
        parts,
        dest,
        by=teller,
        channel=actor.channel,
        kind=f"time_deposit_{action}",
        memo=memo or f"time deposit {td.certificate_number} {action.replace('_', ' ')}",
        reference=voucher,
    )
    assert entry is not None  # principal > 0 always
    td.principal -= principal
    if td.principal == 0:
        close_deposit(uow, td)
    interest = sum(p.amount for p in parts)
    cur = td.currency
    uow.audit(
        actor,
        f"time_deposit.{action}",
        "time_deposit",
        td.certificate_number,
        principal=minor_to_text(principal, cur),
        interest=minor_to_text(interest, cur),
        paid_to=dest.label,
        entry=entry.id,
        voucher=voucher,
        teller=teller,
    )
    uow.publish(
        Event(
            "TimeDepositWithdrawn",
            "time_deposit",
            td.certificate_number,
            {"principal": principal, "interest": interest, "currency": cur, "entry": entry.id},
        )
    )
    return TimeDepositPayout(
        certificate_number=td.certificate_number,
        principal_paid=minor_to_text(principal, cur),
        interest=minor_to_text(interest, cur),
        total=minor_to_text(principal + interest, cur),
        currency=cur,
        paid_to=dest.label,
        entry_id=entry.id,
        voucher=voucher,
        remaining_principal=minor_to_text(td.principal, cur),
        deposit_status=td.status,
        booking_date=entry.booking_date,
        interest_lines=[
            InterestLine(
                paid_on=uow.business_date,
                kind=p.kind,
                principal=minor_to_text(p.principal, cur),
                annual_rate=str(p.rate),
                period_from=p.period_from,
                period_to=p.period_to,
                basis=p.basis,
                amount=minor_to_text(p.amount, cur),
            )
            for p in parts
        ],
    )


def _prepare_early(
    uow: UnitOfWork, actor: Actor, certificate_number: str, cmd: EarlyWithdrawal, verified: bool
) -> tuple[TimeDeposit, int, list[InterestPart]]:
    """Check an early withdrawal and work out its interest: (deposit, principal part, interest parts)."""
    td = store.find(uow, actor, certificate_number, for_update=True)
    store.ensure_not_closed(td)
    today = uow.business_date
    if td.status != "active" or today >= td.maturity_date:
        raise DepositMatured(
            f"time deposit {certificate_number} matured on {td.maturity_date}: use the withdrawal"
        )
    if cmd.all == (cmd.amount is not None):
        raise InvalidRequest("give the amount to withdraw, or all: true (not both)")
    if not verified:
        store.check_may_move(uow, actor, td, cmd.id_number)
    product = products.deposit_product(uow, td.product_code)
    if product.early_withdrawal == "not_allowed":
        raise EarlyWithdrawalNotAllowed(f"product {product.code} allows no withdrawal before maturity")
    part = td.principal if cmd.all else positive_amount(str(cmd.amount), td.currency).to_minor()
    if part > td.principal:
        raise ExceedsPrincipal(f"the deposit holds {minor_to_text(td.principal, td.currency)} {td.currency}")
    if part < td.principal:
        if td.partial_withdrawals >= product.max_partial_withdrawals:
            raise PartialWithdrawalUsed(
                f"time deposit {certificate_number} allows {product.max_partial_withdrawals} partial "
                "early withdrawal(s) and has used them; withdraw all of it instead"
            )
        minimum = product.min_balance or product.min_opening_amount
        if td.principal - part < minimum:
            raise BelowMinimum(
                f"what stays ({minor_to_text(td.principal - part, td.currency)}) would be under the "
                f"minimum {minor_to_text(minimum, td.currency)} {td.currency}"
            )
    demand = products.demand_rate_on(uow, product, today)
    days = (today - td.term_start).days
    interest = rules.early_withdrawal_interest(part, demand, td.term_start, today)
    return (
        td,
        part,
        [InterestPart("early_withdrawal", part, demand, td.term_start, today, f"{days}D", interest)],
    )


def _maturity_parts(uow: UnitOfWork, td: TimeDeposit, product: products.DepositProduct) -> list[InterestPart]:
    """The term's interest at its fixed rate, and demand interest for the days since maturity (posted rate
    of today), each rounded on its own."""
    today = uow.business_date
    rate = Decimal(td.annual_rate)
    term = InterestPart(
        "maturity",
        td.principal,
        rate,
        td.term_start,
        td.maturity_date,
        rules.term_code(td.term_months),
        rules.term_interest(td.principal, rate, td.term_months),
    )
    if today <= td.maturity_date:
        return [term]
    demand = products.demand_rate_on(uow, product, today)
    extra = InterestPart(
        "past_maturity",
        td.principal,
        demand,
        td.maturity_date,
        today,
        f"{(today - td.maturity_date).days}D",
        rules.past_maturity_interest(td.principal, demand, td.maturity_date, today),
    )
    return [term, extra]


def _prepare_maturity(
    uow: UnitOfWork, actor: Actor, certificate_number: str, cmd: MaturityWithdrawal, verified: bool
) -> tuple[TimeDeposit, int, list[InterestPart]]:
    """Check a withdrawal at or after maturity: (deposit, its whole principal, term and past-maturity interest)."""
    td = store.find(uow, actor, certificate_number, for_update=True)
    store.ensure_not_closed(td)
    if td.status == "active" and uow.business_date < td.maturity_date:
        raise DepositNotMatured(
            f"time deposit {certificate_number} matures on {td.maturity_date}: use the early withdrawal"
        )
    if not verified:
        store.check_may_move(uow, actor, td, cmd.id_number)
    product = products.deposit_product(uow, td.product_code)
    return td, td.principal, _maturity_parts(uow, td, product)


def _settle(
    uow: UnitOfWork,
    actor: Actor,
    teller: str,
    prepared: tuple[TimeDeposit, int, list[InterestPart]],
    cmd: EarlyWithdrawal | MaturityWithdrawal,
    action: str,
    approved: bool,
) -> dict[str, Any]:
    """Pay out what was prepared; cash at or above the authorization threshold first waits for a supervisor
    (授权), and the answer is then the pending approval."""
    td, principal, parts = prepared
    dest = _destination(uow, teller, td, cmd.to_account, cmd.cash)
    total = Money.from_minor(principal + sum(p.amount for p in parts), td.currency)
    if cmd.cash and not approved and total.amount >= Decimal(uow.settings.withdrawal_approval_threshold):
        pending = operations.request_approval(
            uow,
            actor,
            kind=CASH_PAYOUT_KIND,
            branch_code=td.branch_code,
            summary=f"time deposit {td.certificate_number} {action.replace('_', ' ')}: {total} in cash",
            payload={
                "certificate": td.certificate_number,
                "action": action,
                "cmd": cmd.model_dump(mode="json", exclude={"id_number"}),
            },
        )
        return PendingApproval(approval_id=pending.id, summary=pending.summary).model_dump(mode="json")
    if action == "early_withdrawal" and principal < td.principal:
        td.partial_withdrawals += 1
    return _payout(uow, actor, teller, td, principal, parts, dest, cmd.memo, action).model_dump(mode="json")


def _answer(stored: dict[str, Any]) -> TimeDepositPayout | PendingApproval:
    return (
        PendingApproval(**stored)
        if stored.get("status") == "pending_approval"
        else TimeDepositPayout(**stored)
    )


def early_withdrawal(
    uow: UnitOfWork, actor: Actor, certificate_number: str, cmd: EarlyWithdrawal, idempotency_key: str | None
) -> TimeDepositPayout | PendingApproval:
    """Withdraw before maturity (提前支取, 储蓄管理条例 art. 24–25), in full or one partial: the part withdrawn earns
    the demand rate posted today for the days held (÷ 360); the rest keeps its rate, principal and maturity
    and must stay at or above the product's minimum. Paid to the holder's demand account or in cash (at or
    above the authorization threshold, after a supervisor approves)."""
    actor.require(P.DEPOSIT_OPERATE)

    def work() -> dict[str, Any]:
        prepared = _prepare_early(uow, actor, certificate_number, cmd, verified=False)
        return _settle(uow, actor, actor.username, prepared, cmd, "early_withdrawal", approved=False)

    body = {"certificate": certificate_number, **cmd.model_dump(exclude={"id_number"})}
    scope = f"time_deposit.early_withdrawal:{actor.username}"
    return _answer(idempotency.once(uow, scope, idempotency_key, body, work))


def withdraw_at_maturity(
    uow: UnitOfWork,
    actor: Actor,
    certificate_number: str,
    cmd: MaturityWithdrawal,
    idempotency_key: str | None,
) -> TimeDepositPayout | PendingApproval:
    """Withdraw a deposit that has matured (held with instruction `none`, or on its maturity day before end
    of day): principal, the term's interest, and demand interest for the days left past maturity."""
    actor.require(P.DEPOSIT_OPERATE)

    def work() -> dict[str, Any]:
        prepared = _prepare_maturity(uow, actor, certificate_number, cmd, verified=False)
        return _settle(uow, actor, actor.username, prepared, cmd, "withdrawal", approved=False)

    body = {"certificate": certificate_number, **cmd.model_dump(exclude={"id_number"})}
    scope = f"time_deposit.withdrawal:{actor.username}"
    return _answer(idempotency.once(uow, scope, idempotency_key, body, work))


def execute_cash_payout(
    uow: UnitOfWork, maker: str, approver: Actor, payload: dict[str, Any]
) -> dict[str, Any]:
    """Approval executor: pay the approved cash withdrawal from the maker's till, re-checking the deposit as it
    is now (the maker checked the holder's identity when asking)."""
    cert, action = payload["certificate"], payload["action"]
    if action == "early_withdrawal":
        early = EarlyWithdrawal(**payload["cmd"])
        prepared = _prepare_early(uow, approver, cert, early, verified=True)
        return _settle(uow, approver, maker, prepared, early, action, approved=True)
    at_maturity = MaturityWithdrawal(**payload["cmd"])
    prepared = _prepare_maturity(uow, approver, cert, at_maturity, verified=True)
    return _settle(uow, approver, maker, prepared, at_maturity, action, approved=True)
