"""Withdrawals from notice deposits (通知存款支取), with the counter's authorization rule for large cash."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from corebank import accounts, operations, products
from corebank.accounts import PendingApproval
from corebank.db import idempotency
from corebank.db.uow import UnitOfWork
from corebank.deposits import notice_rules as rules
from corebank.deposits.notice import (
    Payout,
    account_receiver,
    active_deposit,
    balance_of,
    live_notice,
    pay_out,
    till_receiver,
)
from corebank.deposits.notice_errors import OwnAccountRequired
from corebank.deposits.notice_models import NoticeDeposit
from corebank.deposits.notice_schemas import NoticeWithdrawalCreate, NoticeWithdrawalRead
from corebank.kernel.errors import CurrencyMismatch
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.security import Actor, P

CASH_WITHDRAWAL_KIND = "notice_deposit.cash_withdrawal"


def withdraw_notice_deposit(
    uow: UnitOfWork, actor: Actor, number: str, cmd: NoticeWithdrawalCreate, idempotency_key: str | None
) -> NoticeWithdrawalRead | PendingApproval:
    """Withdraw from a notice deposit (all of it when no amount is given) to a demand account of the same
    customer or in cash. The rate rules are in `notice_rules.plan_withdrawal`: the part covered by today's
    notice earns the notice rate posted today, the rest the demand rate; a remainder under the minimum is paid
    out with it (to the same place) and the deposit closes. Under the minimum withdrawal:
    BELOW_MINIMUM_WITHDRAWAL. Cash at or above the authorization threshold waits for a supervisor (授权)."""
    actor.require(P.DEPOSIT_OPERATE)

    def work() -> dict[str, Any]:
        return _withdraw(uow, actor, actor.username, number, cmd, approved=False)

    body = {"deposit": number, **cmd.model_dump()}
    stored = idempotency.once(uow, f"notice.withdraw:{actor.username}", idempotency_key, body, work)
    if stored.get("status") == "pending_approval":
        return PendingApproval(**stored)
    return NoticeWithdrawalRead(**stored)


def execute_cash_withdrawal(
    uow: UnitOfWork, maker: str, approver: Actor, payload: dict[str, Any]
) -> dict[str, Any]:
    """Approval executor: pay the approved cash withdrawal from the maker's till, with the deposit as it is now."""
    cmd = NoticeWithdrawalCreate(**payload["cmd"])
    return _withdraw(uow, approver, maker, payload["deposit"], cmd, approved=True)


def _withdraw(
    uow: UnitOfWork, actor: Actor, teller: str, number: str, cmd: NoticeWithdrawalCreate, approved: bool
) -> dict[str, Any]:
    dep = active_deposit(uow, actor, number)
    product = products.deposit_product(uow, dep.product_code)
    balance = balance_of(uow, dep.id)
    amount = balance if cmd.amount is None else positive_amount(cmd.amount, dep.currency).to_minor()
    rules.check_withdrawal_amount(amount, balance, product.min_withdrawal)
    if cmd.to_account:
        acc = accounts.load_for_posting(uow, [cmd.to_account])[cmd.to_account]
        accounts.check_can_credit(acc)
        if acc.customer_id != dep.customer_id:
            raise OwnAccountRequired(f"account {acc.number} is not the depositor's")
        if acc.currency != dep.currency:
            raise CurrencyMismatch(f"account {acc.number} holds {acc.currency}")
        to = account_receiver(acc)
    else:
        threshold = Money.of(Decimal(uow.settings.withdrawal_approval_threshold), dep.currency).to_minor()
        if amount >= threshold and not approved:
            pending = operations.request_approval(
                uow,
                actor,
                kind=CASH_WITHDRAWAL_KIND,
                branch_code=dep.branch_code,
                summary=f"cash {minor_to_text(amount, dep.currency)} from notice deposit {number}",
                payload={"deposit": number, "cmd": cmd.model_dump(mode="json")},
            )
            return PendingApproval(approval_id=pending.id, summary=pending.summary).model_dump(mode="json")
        to = till_receiver(uow, teller, dep.currency)
    notice = live_notice(uow, dep)
    due = notice if notice is not None and notice.withdrawal_date == uow.business_date else None
    paid = pay_out(
        uow,
        dep,
        product,
        amount=amount,
        balance=balance,
        notice=due,
        to=to,
        by=teller,
        kind="withdrawal",
        memo=cmd.memo,
    )
    return _withdrawal_read(uow, actor, dep, paid, "notice_deposit.withdraw").model_dump(mode="json")


def _withdrawal_read(
    uow: UnitOfWork, actor: Actor | str, dep: NoticeDeposit, paid: Payout, action: str
) -> NoticeWithdrawalRead:
    cur, r = dep.currency, paid.record
    uow.audit(
        actor,
        action,
        "notice_deposit",
        dep.number,
        principal=minor_to_text(paid.principal, cur),
        interest=minor_to_text(paid.interest, cur),
        days_held=r.days_held,
        notice=r.notice_id,
        paid_to=r.paid_to,
        entry=paid.entry.id,
    )
    uow.publish(
        Event(
            "NoticeDepositWithdrawn",
            "notice_deposit",
            dep.number,
            {"principal": paid.principal, "interest": paid.interest, "currency": cur, "kind": r.kind},
        )
    )
    return NoticeWithdrawalRead(
        deposit=dep.number,
        entry_id=paid.entry.id,
        voucher=paid.entry.reference,
        principal=minor_to_text(paid.principal, cur),
        at_notice_rate=minor_to_text(r.at_notice_rate, cur),
        notice_rate=r.notice_rate,
        at_demand_rate=minor_to_text(r.at_demand_rate, cur),
        demand_rate=r.demand_rate,
        days_held=r.days_held,
        interest=minor_to_text(paid.interest, cur),
        total_paid=minor_to_text(paid.principal + paid.interest, cur),
        currency=cur,
        paid_to=r.paid_to,
        deposit_balance=minor_to_text(paid.balance_after, cur),
        deposit_status=dep.status,
        booking_date=paid.entry.booking_date,
    )
