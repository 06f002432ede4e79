"""Counter cash against a deposit account, and closing an account (settling its balance to cash or another
account). Cash moves between the customer's account and the teller's till, with a voucher serial each time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from corebank import ledger, operations, tellers
from corebank.accounts import holds, hooks, service
from corebank.accounts.errors import AccountNotEmpty, SameAccount
from corebank.accounts.schemas import (
    AccountClosedRead,
    CashOperation,
    CashReceipt,
    CloseRequest,
    PendingApproval,
)
from corebank.db import idempotency
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CurrencyMismatch, InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import Actor, P

WITHDRAWAL_KIND = "cash.withdrawal"
CLOSE_KIND = "account.close"


def _receipt(
    uow: UnitOfWork, acc: service.PostingAccount, entry: ledger.PostedEntry, amount: Money
) -> CashReceipt:
    bal = ledger.balances(uow, [acc.id])[acc.id]
    return CashReceipt(
        entry_id=entry.id,
        voucher=entry.reference or "",
        account=acc.number,
        amount=amount.text(),
        currency=acc.currency,
        balance=minor_to_text(bal.balance, acc.currency),
        available_balance=minor_to_text(bal.available, acc.currency),
        booking_date=entry.booking_date,
    )


def cash_deposit(
    uow: UnitOfWork, actor: Actor, number: str, cmd: CashOperation, idempotency_key: str | None
) -> CashReceipt:
    """Cash paid in at the counter: Dr the teller's till, Cr the customer's account (存款). Any branch's account
    may be credited (通存); a cross-branch deposit books inter-branch lines."""
    actor.require(P.CASH_OPERATE)

    def work() -> dict[str, Any]:
        acc = service.load_for_posting(uow, [number])[number]
        service.check_can_credit(acc)
        if cmd.currency != acc.currency:
            raise CurrencyMismatch(f"account {number} holds {acc.currency}, not {cmd.currency}")
        amount = positive_amount(cmd.amount, acc.currency)
        till = tellers.current_till(uow, actor.username, acc.currency)
        voucher = tellers.voucher_number(uow, till.branch_code)
        entry = ledger.post(
            uow,
            EntryDraft(
                "cash_deposit",
                (
                    Leg.debit(chart.TELLER_CASH, till.branch_code, amount, till.ledger_account_id),
                    Leg.credit(acc.gl_code, acc.branch_code, amount, acc.id, cmd.memo),
                ),
                memo=cmd.memo or "cash deposit",
                reference=voucher,
            ),
            by=actor.username,
        )
        uow.audit(
            actor, "cash.deposit", "account", number, amount=amount.text(), entry=entry.id, voucher=voucher
        )
        uow.publish(
            Event(
                "CashDeposited",
                "account",
                number,
                {
                    "amount": amount.to_minor(),
                    "currency": acc.currency,
                    "customer_id": acc.customer_id,
                    "entry": entry.id,
                },
            )
        )
        return _receipt(uow, acc, entry, amount).model_dump(mode="json")

    body = {"account": number, **cmd.model_dump()}
    return CashReceipt(**idempotency.once(uow, f"cash.deposit:{actor.username}", idempotency_key, body, work))


def _withdraw(
    uow: UnitOfWork, teller: str, actor: Actor, acc: service.PostingAccount, amount: Money, memo: str
) -> ledger.PostedEntry:
    service.check_can_debit(acc)
    service.consume_class_limit(uow, acc, amount, None)
    shortfall = amount.to_minor() - acc.available
    if shortfall > 0:
        # A sweep agreement (双利丰) draws its notice deposits back first, in this same transaction.
        hooks.cover_shortfall(uow, acc.id, shortfall, teller)
    till = tellers.current_till(uow, teller, acc.currency)
    voucher = tellers.voucher_number(uow, till.branch_code)
    entry = ledger.post(
        uow,
        EntryDraft(
            "cash_withdrawal",
            (
                Leg.debit(acc.gl_code, acc.branch_code, amount, acc.id, memo),
                Leg.credit(chart.TELLER_CASH, till.branch_code, amount, till.ledger_account_id),
            ),
            memo=memo or "cash withdrawal",
            reference=voucher,
        ),
        by=teller,
    )
    uow.audit(
        actor,
        "cash.withdrawal",
        "account",
        acc.number,
        amount=amount.text(),
        entry=entry.id,
        voucher=voucher,
        teller=teller,
    )
    uow.publish(
        Event(
            "CashWithdrawn",
            "account",
            acc.number,
            {
                "amount": amount.to_minor(),
                "currency": acc.currency,
                "customer_id": acc.customer_id,
                "entry": entry.id,
            },
        )
    )
    return entry


def cash_withdrawal(
    uow: UnitOfWork, actor: Actor, number: str, cmd: CashOperation, idempotency_key: str | None
) -> CashReceipt | PendingApproval:
    """Cash paid out at the counter (取款). At or above the authorization threshold it waits for a supervisor
    (授权) and the answer is a pending approval; the supervisor's approval pays it from the maker's till."""
    actor.require(P.CASH_OPERATE)

    def work() -> dict[str, Any]:
        acc = service.load_for_posting(uow, [number])[number]
        actor.require_branch(acc.branch_code)
        if cmd.currency != acc.currency:
            raise CurrencyMismatch(f"account {number} holds {acc.currency}, not {cmd.currency}")
        amount = positive_amount(cmd.amount, acc.currency)
        service.check_can_debit(acc)
        tellers.current_till(uow, actor.username, acc.currency)
        if amount.amount >= Decimal(uow.settings.withdrawal_approval_threshold):
            # Refuse now what the account cannot cover rather than ask a supervisor to authorize it; posting
            # checks the floor again when the approved withdrawal is paid.
            # Swept deposits (双利丰) come back on demand when the withdrawal is paid, so they count here.
            available = ledger.balances(uow, [acc.id])[acc.id].available + hooks.reserve(uow, acc.id)
            if available < amount.to_minor():
                raise ledger.InsufficientFunds(
                    f"available balance {minor_to_text(available, acc.currency)} {acc.currency} "
                    f"is less than {amount}"
                )
            pending = operations.request_approval(
                uow,
                actor,
                kind=WITHDRAWAL_KIND,
                branch_code=acc.branch_code,
                summary=f"cash withdrawal {amount} from {number}",
                payload={
                    "account": number,
                    "amount": amount.text(),
                    "currency": acc.currency,
                    "memo": cmd.memo,
                },
            )
            return PendingApproval(approval_id=pending.id, summary=pending.summary).model_dump(mode="json")
        entry = _withdraw(uow, actor.username, actor, acc, amount, cmd.memo)
        return _receipt(uow, acc, entry, amount).model_dump(mode="json")

    body = {"account": number, **cmd.model_dump()}
    stored = idempotency.once(uow, f"cash.withdrawal:{actor.username}", idempotency_key, body, work)
    return PendingApproval(**stored) if stored.get("status") == "pending_approval" else CashReceipt(**stored)


def execute_withdrawal(
    uow: UnitOfWork, maker: str, approver: Actor, payload: dict[str, Any]
) -> dict[str, Any]:
    """Approval executor: pay the approved withdrawal from the maker's till."""
    acc = service.load_for_posting(uow, [payload["account"]])[payload["account"]]
    amount = positive_amount(payload["amount"], acc.currency)
    entry = _withdraw(uow, maker, approver, acc, amount, payload.get("memo", ""))
    return _receipt(uow, acc, entry, amount).model_dump(mode="json")


def close_account(
    uow: UnitOfWork, actor: Actor, number: str, cmd: CloseRequest, idempotency_key: str | None
) -> AccountClosedRead | PendingApproval:
    """Close an account (销户). With no balance it closes at once; a balance is settled to cash or to another
    account, which a supervisor must authorize first."""
    actor.require(P.ACCOUNT_CLOSE)

    def work() -> dict[str, Any]:
        acc = service.load_model(uow, actor, number)
        holds.ensure_open(acc)
        if holds.list_holds(uow, actor, number):
            raise AccountNotEmpty(f"account {number} has active holds or freezes; release them first")
        # Interest to the day before closing is credited first, so it is part of what is settled.
        hooks.pay_closing_interest(uow, acc.id, actor.username)
        bal = ledger.balances(uow, [acc.id])[acc.id].balance
        if bal < 0:
            raise AccountNotEmpty(f"account {number} is overdrawn by {minor_to_text(-bal, acc.currency)}")
        if bal == 0:
            return _finish_close(uow, actor, number, cmd, None).model_dump(mode="json")
        if cmd.settle_to == "none":
            raise AccountNotEmpty(
                f"account {number} holds {minor_to_text(bal, acc.currency)} {acc.currency}; "
                "settle it to cash or to another account"
            )
        if cmd.settle_to == "account":
            if not cmd.to_account:
                raise InvalidRequest("say which account receives the balance (to_account)")
            if cmd.to_account == number:
                raise SameAccount("the balance cannot be settled to the account being closed")
            target = service.load_for_posting(uow, [cmd.to_account])[cmd.to_account]
            service.check_can_credit(target)
        else:
            tellers.current_till(uow, actor.username, acc.currency)
        pending = operations.request_approval(
            uow,
            actor,
            kind=CLOSE_KIND,
            branch_code=acc.branch_code,
            summary=f"close {number}, settling {minor_to_text(bal, acc.currency)} {acc.currency} to {cmd.settle_to}",
            payload={"account": number, **cmd.model_dump()},
        )
        return PendingApproval(approval_id=pending.id, summary=pending.summary).model_dump(mode="json")

    body = {"account": number, **cmd.model_dump()}
    stored = idempotency.once(uow, f"account.close:{actor.username}", idempotency_key, body, work)
    return (
        PendingApproval(**stored)
        if stored.get("status") == "pending_approval"
        else AccountClosedRead(**stored)
    )


def _finish_close(
    uow: UnitOfWork,
    actor: Actor,
    number: str,
    cmd: CloseRequest,
    settle: tuple[str, Money, ledger.PostedEntry] | None,
) -> AccountClosedRead:
    acc = service.load_model(uow, actor, number)
    ledger.close_account(uow, acc.id)
    acc.status, acc.closed_on = "closed", uow.business_date
    uow.audit(
        actor,
        "account.close",
        "account",
        number,
        reason=cmd.reason,
        settled_to=settle[0] if settle else "none",
    )
    uow.publish(Event("AccountClosed", "account", number, {}))
    return AccountClosedRead(
        account=service.account_read(uow, acc),
        settled_amount=settle[1].text() if settle else "0.00",
        settled_to=settle[0] if settle else "none",
        entry_id=settle[2].id if settle else None,
        voucher=settle[2].reference if settle else None,
    )


def execute_close(uow: UnitOfWork, maker: str, approver: Actor, payload: dict[str, Any]) -> dict[str, Any]:
    """Approval executor: settle the whole balance as asked, then close the account."""
    cmd = CloseRequest(**{k: v for k, v in payload.items() if k != "account"})
    number = payload["account"]
    acc = service.load_for_posting(uow, [number])[number]
    service.check_can_debit(acc)
    hooks.pay_closing_interest(uow, acc.id, maker)
    bal = ledger.balances(uow, [acc.id])[acc.id].balance
    if bal <= 0:
        return _finish_close(uow, approver, number, cmd, None).model_dump(mode="json")
    amount = Money.from_minor(bal, acc.currency)
    if cmd.settle_to == "account":
        target = service.load_for_posting(uow, [str(cmd.to_account)])[str(cmd.to_account)]
        service.check_can_credit(target)
        if target.currency != acc.currency:
            raise CurrencyMismatch("the receiving account holds another currency")
        entry = ledger.post(
            uow,
            EntryDraft(
                "close_settlement",
                (
                    Leg.debit(acc.gl_code, acc.branch_code, amount, acc.id, "closing balance"),
                    Leg.credit(
                        target.gl_code, target.branch_code, amount, target.id, f"from closed {number}"
                    ),
                ),
                memo=f"closing {number}",
                reference=None,
            ),
            by=maker,
        )
        dest = target.number
    else:
        till = tellers.current_till(uow, maker, acc.currency)
        entry = ledger.post(
            uow,
            EntryDraft(
                "close_settlement",
                (
                    Leg.debit(acc.gl_code, acc.branch_code, amount, acc.id, "closing balance in cash"),
                    Leg.credit(chart.TELLER_CASH, till.branch_code, amount, till.ledger_account_id),
                ),
                memo=f"closing {number}",
                reference=tellers.voucher_number(uow, till.branch_code),
            ),
            by=maker,
        )
        dest = "cash"
    return _finish_close(uow, approver, number, cmd, (dest, amount, entry)).model_dump(mode="json")
