"""The customer's transfers and bill payments on the e-channels.

A transfer goes within the bank (the payments area's `transfer`) or to another bank (`send_interbank`), from
one of the customer's own accounts, to an account they name or a saved payee. Before any money moves, in one
transaction: the channel is open, the payer account is theirs, a transfer over the signing threshold carries a
one-time code bound to its amount and payee (dynamic linking), and the channel's limits hold (counted in the
same transaction, so a refused or failed transfer uses none). The whole use case runs once per Idempotency-Key:
a retry returns the first answer and counts nothing twice.

The fee is the fee table's (`products.fee_schedule`): tx_type `transfer` within the bank, `interbank` to
another bank, shown by the quote before the customer confirms. The interbank payment charges its own; a fee on
a transfer within the bank is posted here, payer to fee income, beside the transfer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from corebank import accounts, ledger, payments
from corebank.channels import limits, me, payees, registry, signing
from corebank.channels.me_errors import CreditorNameRequired, TransferTargetInvalid
from corebank.channels.me_models import EbankTransfer
from corebank.channels.me_schemas import (
    MyBiller,
    MyBillPayment,
    MyTransferCreate,
    MyTransferPage,
    MyTransferRead,
    TransferQuote,
    TransferQuoteRequest,
)
from corebank.db import idempotency
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CurrencyMismatch, InvalidRequest
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.payments import billers, interbank
from corebank.payments.interbank_schemas import InterbankCreate
from corebank.payments.mandate_schemas import BillPaymentCreate, BillPaymentRead
from corebank.products import fee_schedule
from corebank.security import Actor

BILL = "bill_payment"
FEE_KIND = "transfer.fee"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a transfer goes: the account, its bank, whether that is this bank, and the payee's name."""

    account: str
    bank_code: str
    internal: bool
    creditor_name: str
    payee_id: int | None

    @property
    def signing_payee(self) -> str:
        """The payee a signing code is bound to: "<bank code or internal>:<account number>"."""
        return f"{'internal' if self.internal else self.bank_code}:{self.account}"


def target_of(uow: UnitOfWork, actor: Actor, cmd: TransferQuoteRequest) -> Target:
    """The payee of a transfer: a saved payee of the customer's, or the account (and bank) named."""
    ours = uow.settings.bank_code
    if (cmd.payee_id is None) == (cmd.to_account is None):
        raise TransferTargetInvalid()
    if cmd.payee_id is not None:
        p = payees.own_payee(uow, actor, cmd.payee_id)
        if cmd.bank_code and cmd.bank_code != p.bank_code:
            raise TransferTargetInvalid(f"payee {p.id} is at bank {p.bank_code}, not {cmd.bank_code}")
        return Target(p.account_number, p.bank_code, p.bank_code == ours, p.name, p.id)
    assert cmd.to_account is not None
    bank_code = payees.bank_code_of(uow, cmd.bank_code)
    name = cmd.creditor_name if isinstance(cmd, MyTransferCreate) else None
    return Target(cmd.to_account, bank_code, bank_code == ours, (name or "").strip(), None)


def transfer_fee(
    uow: UnitOfWork, actor: Actor, payer: accounts.PostingAccount, target: Target, amount: Money
) -> Money:
    """The fee table's fee for this transfer on the actor's channel (zero on e-channels by default)."""
    return fee_schedule.quote(
        uow,
        tx_type=me.TRANSFER if target.internal else "interbank",
        channel=actor.channel,
        tier=me.tier_of(uow, actor),
        branch_code=payer.branch_code,
        amount=amount,
    )


def quote_transfer(uow: UnitOfWork, actor: Actor, cmd: TransferQuoteRequest) -> TransferQuote:
    """What the transfer would cost and need, before the customer confirms it: fee, total, whether a signing
    code is needed, and what today's limit still allows. Nothing is recorded."""
    registry.require_open(uow, actor.channel, me.TRANSFER)
    payer = me.own_account(uow, actor, cmd.from_account)
    target = target_of(uow, actor, cmd)
    if payer.currency != cmd.currency:
        raise CurrencyMismatch(f"account {payer.number} holds {payer.currency}, not {cmd.currency}")
    amount = positive_amount(cmd.amount, cmd.currency)
    fee = transfer_fee(uow, actor, payer, target, amount)
    return TransferQuote(
        from_account=payer.number,
        to_account=target.account,
        bank_code=target.bank_code,
        internal=target.internal,
        amount=amount.text(),
        fee=fee.text(),
        total=(amount + fee).text(),
        currency=amount.currency,
        signing_required=signing.required(uow, amount),
        signing_payee=target.signing_payee,
        limit_remaining_today=me.remaining_today(uow, actor, payer, me.TRANSFER),
    )


def make_transfer(
    uow: UnitOfWork, actor: Actor, cmd: MyTransferCreate, idempotency_key: str | None
) -> MyTransferRead:
    """Transfer from one of the customer's accounts, within the bank or to another bank (see the module)."""
    registry.require_open(uow, actor.channel, me.TRANSFER)
    cid = me.customer_of(actor)

    def work() -> dict[str, Any]:
        return _transfer(uow, actor, cmd, idempotency_key).model_dump(mode="json")

    stored = idempotency.once(uow, f"me.transfer:{cid}", idempotency_key, cmd.model_dump(mode="json"), work)
    return MyTransferRead(**stored)


def _transfer(uow: UnitOfWork, actor: Actor, cmd: MyTransferCreate, key: str | None) -> MyTransferRead:
    cid = me.customer_of(actor)
    payer = me.own_account(uow, actor, cmd.from_account)
    target = target_of(uow, actor, cmd)
    if not target.internal and not target.creditor_name:
        raise CreditorNameRequired()
    if payer.currency != cmd.currency:
        raise CurrencyMismatch(f"account {payer.number} holds {payer.currency}, not {cmd.currency}")
    amount = positive_amount(cmd.amount, cmd.currency)
    signed = me.check_signing(uow, actor, amount, target.signing_payee, cmd.signing, me.TRANSFER)
    limits.check_and_record(
        uow,
        customer_id=cid,
        channel=actor.channel,
        tx_type=me.TRANSFER,
        amount=amount,
        account_class=payer.account_class,
        tier=me.tier_of(uow, actor),
        strength=me.strength_of(actor, signed),
    )
    payment_id: int | None = None
    entry_id: int | None
    if target.internal:
        fee = transfer_fee(uow, actor, payer, target, amount)
        done = payments.transfer(
            uow,
            actor,
            payments.TransferCreate(
                from_account=payer.number,
                to_account=target.account,
                amount=cmd.amount,
                currency=cmd.currency,
                memo=cmd.memo,
            ),
            key,
        )
        entry_id, status = done.entry_id, "posted"
        if fee.is_positive():
            _charge_fee(uow, actor, payer, fee, entry_id)
    else:
        sent = interbank.send_interbank(
            uow,
            actor,
            InterbankCreate(
                from_account=payer.number,
                creditor_bank_code=target.bank_code,
                creditor_account=target.account,
                creditor_name=target.creditor_name,
                amount=cmd.amount,
                currency=cmd.currency,
                remittance=cmd.memo,
            ),
            key,
        )
        fee = Money.of(sent.fee, sent.currency)
        entry_id, payment_id, status = sent.funding_entry_id, sent.payment_id, sent.status
    row = EbankTransfer(
        customer_id=cid,
        kind="internal" if target.internal else "interbank",
        channel=actor.channel,
        from_account=payer.number,
        to_account=target.account,
        bank_code=target.bank_code,
        creditor_name=target.creditor_name,
        payee_id=target.payee_id,
        amount=amount.to_minor(),
        fee=fee.to_minor(),
        currency=amount.currency,
        memo=cmd.memo,
        entry_id=entry_id,
        payment_id=payment_id,
        signed=signed,
        booking_date=uow.business_date,
        created_at=uow.now,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit(
        actor,
        "ebank.transfer",
        "ebank_transfer",
        row.id,
        kind=row.kind,
        payer=payer.number,
        payee=target.signing_payee,
        amount=amount.text(),
        fee=fee.text(),
        signed=signed,
        entry=entry_id,
        payment=payment_id,
    )
    return _read(row, status)


def _charge_fee(
    uow: UnitOfWork, actor: Actor, payer: accounts.PostingAccount, fee: Money, transfer_entry: int
) -> ledger.PostedEntry:
    """Post the fee of a transfer within the bank: Dr the payer / Cr fee income in the payer's branch."""
    return ledger.post(
        uow,
        EntryDraft(
            FEE_KIND,
            (
                Leg.debit(payer.gl_code, payer.branch_code, fee, payer.id, "transfer fee"),
                Leg.credit(chart.FEE_INCOME, payer.branch_code, fee, None, f"fee of entry {transfer_entry}"),
            ),
            memo="e-channel transfer fee",
            reference=str(transfer_entry),
        ),
        by=actor.username,
        channel=actor.channel,
    )


def _read(row: EbankTransfer, status: str) -> MyTransferRead:
    cur = row.currency
    return MyTransferRead(
        transfer_id=row.id,
        kind="internal" if row.kind == "internal" else "interbank",
        status=status,
        from_account=row.from_account,
        to_account=row.to_account,
        bank_code=row.bank_code,
        creditor_name=row.creditor_name,
        amount=minor_to_text(row.amount, cur),
        fee=minor_to_text(row.fee, cur),
        currency=cur,
        memo=row.memo,
        entry_id=row.entry_id,
        payment_id=row.payment_id,
        booking_date=row.booking_date,
        signed=row.signed,
        channel=row.channel,
        created_at=row.created_at,
    )


def my_transfers(
    uow: UnitOfWork, actor: Actor, *, cursor: str | None = None, limit: int = 50
) -> MyTransferPage:
    """The customer's e-channel transfers, newest first, each interbank one with its clearing status now;
    follow `next_cursor`."""
    registry.require_open(uow, actor.channel, me.READ)
    q = select(EbankTransfer).where(EbankTransfer.customer_id == me.customer_of(actor))
    if cursor:
        if not cursor.isdigit():
            raise InvalidRequest("cursor is not one this API gave out")
        q = q.where(EbankTransfer.id < int(cursor))
    limit = max(1, min(limit, 200))
    rows = list(uow.session.execute(q.order_by(EbankTransfer.id.desc()).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for r in rows:
        status = "posted"
        if r.payment_id is not None:
            status = interbank.get_payment(uow, actor, r.payment_id).status
        items.append(_read(r, status))
    return MyTransferPage(items=items, next_cursor=str(rows[-1].id) if more and rows else None)


# ---------------------------------------------------------------------------------------------- bills


def my_billers(uow: UnitOfWork, actor: Actor) -> list[MyBiller]:
    """The billers a customer can pay now (active ones), by code."""
    registry.require_open(uow, actor.channel, me.READ)
    return [
        MyBiller(
            code=b.code,
            name=b.name,
            category=b.category,
            currency=b.currency,
            reference_pattern=b.reference_pattern,
            check_digit=b.check_digit,
            min_amount=b.min_amount,
            max_amount=b.max_amount,
        )
        for b in billers.list_billers(uow, actor)
        if b.status == "active"
    ]


def pay_my_bill(
    uow: UnitOfWork, actor: Actor, cmd: MyBillPayment, idempotency_key: str | None
) -> BillPaymentRead:
    """Pay a bill from one of the customer's accounts: signed over the threshold (payee
    "biller:<code>:<reference>"), within the bill payment limits, once per Idempotency-Key."""
    registry.require_open(uow, actor.channel, BILL)
    cid = me.customer_of(actor)

    def work() -> dict[str, Any]:
        payer = me.own_account(uow, actor, cmd.from_account)
        biller = billers.get_biller(uow, actor, cmd.biller_code)
        amount = positive_amount(cmd.amount, cmd.currency)
        payee = f"biller:{biller.code}:{cmd.reference}"
        signed = me.check_signing(uow, actor, amount, payee, cmd.signing, BILL)
        limits.check_and_record(
            uow,
            customer_id=cid,
            channel=actor.channel,
            tx_type=BILL,
            amount=amount,
            account_class=payer.account_class,
            tier=me.tier_of(uow, actor),
            strength=me.strength_of(actor, signed),
        )
        paid = billers.pay_bill(
            uow,
            actor,
            BillPaymentCreate(
                from_account=payer.number,
                biller_code=biller.code,
                reference=cmd.reference,
                amount=cmd.amount,
                currency=cmd.currency,
            ),
            idempotency_key,
        )
        return paid.model_dump(mode="json")

    stored = idempotency.once(uow, f"me.bill:{cid}", idempotency_key, cmd.model_dump(mode="json"), work)
    return BillPaymentRead(**stored)
