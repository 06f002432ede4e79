"""Transfers between accounts of this bank, and their same-day reversal (冲正) under maker-checker."""

from __future__ import annotations

from typing import Any

from corebank import accounts, ledger, operations
from corebank.db import idempotency
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CurrencyMismatch, InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg
from corebank.payments.errors import ReversalWindowClosed, TransferNotFound
from corebank.payments.schemas import ReversalPending, ReversalRequest, TransferCreate, TransferRead
from corebank.security import Actor, P

REVERSAL_KIND = "transfer.reversal"


def transfer(uow: UnitOfWork, actor: Actor, cmd: TransferCreate, idempotency_key: str | None) -> TransferRead:
    """Move money from one account to another at once (转账). The payer must be in the actor's branch scope;
    the payee may be at any branch (inter-branch lines are booked by the ledger)."""
    actor.require(P.TRANSFER_CREATE)
    body = cmd.model_dump()

    def work() -> dict[str, Any]:
        if cmd.from_account == cmd.to_account:
            raise accounts.SameAccount("the payer and payee accounts are the same")
        found = accounts.load_for_posting(uow, [cmd.from_account, cmd.to_account])
        payer, payee = found[cmd.from_account], found[cmd.to_account]
        actor.require_branch(payer.branch_code)
        if cmd.currency != payer.currency or cmd.currency != payee.currency:
            raise CurrencyMismatch(f"both accounts must hold {cmd.currency}")
        amount = positive_amount(cmd.amount, cmd.currency)
        accounts.check_can_debit(payer)
        accounts.check_can_credit(payee)
        accounts.prepare_debit(uow, payer, amount, payee.id, actor.username)
        entry = ledger.post(
            uow,
            EntryDraft(
                "transfer",
                (
                    Leg.debit(payer.gl_code, payer.branch_code, amount, payer.id, f"to {payee.number}"),
                    Leg.credit(payee.gl_code, payee.branch_code, amount, payee.id, f"from {payer.number}"),
                ),
                memo=cmd.memo,
            ),
            by=actor.username,
            channel=actor.channel,
        )
        uow.audit(
            actor,
            "transfer.post",
            "entry",
            entry.id,
            amount=amount.text(),
            payer=payer.number,
            payee=payee.number,
        )
        uow.publish(
            Event(
                "TransferPosted",
                "entry",
                str(entry.id),
                {
                    "from": payer.number,
                    "to": payee.number,
                    "amount": amount.to_minor(),
                    "currency": cmd.currency,
                    "payer_customer": payer.customer_id,
                    "payee_customer": payee.customer_id,
                },
            )
        )
        after = entry.balance_after(payer.id) or 0
        return TransferRead(
            entry_id=entry.id,
            from_account=payer.number,
            to_account=payee.number,
            amount=amount.text(),
            currency=cmd.currency,
            memo=cmd.memo,
            booking_date=entry.booking_date,
            from_balance_after=minor_to_text(after, cmd.currency),
        ).model_dump(mode="json")

    return TransferRead(**idempotency.once(uow, f"transfer:{actor.username}", idempotency_key, body, work))


def _transfer_view(uow: UnitOfWork, actor: Actor, entry_id: int) -> tuple[ledger.PostedEntry, TransferRead]:
    try:
        entry = ledger.get_entry(uow, entry_id)
    except ledger.EntryNotFound:
        raise TransferNotFound(f"no transfer {entry_id}") from None
    if entry.kind != "transfer":
        raise TransferNotFound(f"entry {entry_id} is not a transfer")
    legs = [ln for ln in entry.lines if ln.account_id is not None]
    debit = next(ln for ln in legs if ln.amount > 0)
    credit = next(ln for ln in legs if ln.amount < 0)
    # The actor must have the payer's or the payee's branch in scope to see the transfer.
    if actor.branches is not None and not ({debit.branch_code, credit.branch_code} & actor.branches):
        actor.require_branch(debit.branch_code)
    payer_id, payee_id = int(debit.account_id or 0), int(credit.account_id or 0)
    numbers = accounts.numbers_of(uow, [payer_id, payee_id])
    reversed_by = ledger.reversal_of(uow, entry_id)
    view = TransferRead(
        status="reversed" if reversed_by else "posted",
        entry_id=entry.id,
        from_account=numbers[payer_id],
        to_account=numbers[payee_id],
        amount=minor_to_text(debit.amount, debit.currency),
        currency=debit.currency,
        memo=entry.memo,
        booking_date=entry.booking_date,
        from_balance_after=minor_to_text(debit.balance_after or 0, debit.currency),
        reversed_by=reversed_by,
    )
    return entry, view


def get_transfer(uow: UnitOfWork, actor: Actor, entry_id: int) -> TransferRead:
    """A transfer by its journal entry id."""
    actor.require(P.ACCOUNT_READ)
    return _transfer_view(uow, actor, entry_id)[1]


def request_reversal(uow: UnitOfWork, actor: Actor, entry_id: int, cmd: ReversalRequest) -> ReversalPending:
    """A teller asks to reverse a transfer of today (冲正); a supervisor must approve it."""
    actor.require(P.REVERSAL_REQUEST)
    entry, view = _transfer_view(uow, actor, entry_id)
    _check_reversible(uow, entry, view)
    pending = operations.request_approval(
        uow,
        actor,
        kind=REVERSAL_KIND,
        branch_code=actor.branch_code,
        summary=f"reverse transfer {entry_id}: {view.amount} {view.currency} {view.from_account} -> {view.to_account}",
        payload={"entry_id": entry_id, "reason": cmd.reason},
    )
    return ReversalPending(approval_id=pending.id, entry_id=entry_id, summary=pending.summary)


def _check_reversible(uow: UnitOfWork, entry: ledger.PostedEntry, view: TransferRead) -> None:
    if entry.booking_date != uow.business_date:
        raise ReversalWindowClosed(
            f"transfer {entry.id} was booked on {entry.booking_date}; today is {uow.business_date}"
        )
    if view.reversed_by:
        raise ledger.AlreadyReversed(f"transfer {entry.id} was reversed by entry {view.reversed_by}")


def execute_reversal(uow: UnitOfWork, maker: str, approver: Actor, payload: dict[str, Any]) -> dict[str, Any]:
    """Approval executor: post the mirror entry of the transfer (the payee must still hold the money)."""
    entry_id = int(payload["entry_id"])
    entry, view = _transfer_view(uow, approver, entry_id)
    _check_reversible(uow, entry, view)
    rev = ledger.reverse(uow, entry_id, memo=f"reversal: {payload.get('reason', '')}"[:200], by=maker)
    uow.audit(approver, "transfer.reverse", "entry", entry_id, reversal=rev.id, maker=maker)
    uow.publish(Event("TransferReversed", "entry", str(entry_id), {"reversal": rev.id}))
    if not rev.lines:
        raise InvalidRequest("nothing to reverse")
    return {"entry_id": entry_id, "reversal_entry_id": rev.id}
