"""What the clearing house delivers to this bank: credits for our customers (pacs.008), the status of what we
sent (pacs.002), and returns of our settled payments (pacs.004).

A delivered credit is already settled at the central bank, so the money is ours at once: Dr 1003. It goes
to the named account when that account may receive it, else it waits in clearing suspense (1011) for a
return (pacs.004) that this bank sends back; when clearing settles that return, Dr 1011 / Cr 1003.
Every delivery is idempotent: a transaction id seen before is skipped, and each status step checks the
row's status first, so a redelivered message changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from corebank import accounts, iso20022, ledger
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.payments import interbank
from corebank.payments import interbank_rules as rules
from corebank.security import Actor, P

ib = interbank.ib
CREDIT_KIND = "interbank.in"
HELD_KIND = "interbank.in_held"
RETURN_SETTLED_KIND = "interbank.return_settled"

# Why a credit cannot be posted (ISO 20022 return reasons).
UNKNOWN_ACCOUNT, CLOSED, BLOCKED, NAME_MISMATCH, OTHER = "AC01", "AC04", "AC06", "BE01", "MS03"


@dataclass
class Applied:
    """What one delivered message did."""

    message: str
    msg_id: str
    applied: int = 0  # transactions that changed something here
    repeated: int = 0  # transactions already applied (a redelivery)
    unknown: int = 0  # statuses or returns naming nothing we sent
    credited: int = 0
    held_for_return: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.__dict__)


def receive(uow: UnitOfWork, actor: Actor, xml: bytes) -> dict[str, Any]:
    """Apply one message the clearing house delivered (each parser checks it against its schema first; a bad
    one changes nothing)."""
    actor.require(P.PAYMENT_OPERATE)
    name = iso20022.message_name(xml)
    if name.startswith("pacs.008"):
        return receive_credits(uow, actor, iso20022.parse_pacs008(xml)).as_dict()
    if name.startswith("pacs.002"):
        return apply_status_report(uow, actor, iso20022.parse_pacs002(xml)).as_dict()
    if name.startswith("pacs.004"):
        return receive_returns(uow, actor, iso20022.parse_pacs004(xml)).as_dict()
    raise InvalidRequest(f"clearing delivers pacs.008, pacs.002 and pacs.004, not {name}")


# ---------------------------------------------------------------- credits (pacs.008)


def _refusal(
    uow: UnitOfWork, tx: iso20022.CreditTransfer
) -> tuple[str | None, accounts.PostingAccount | None]:
    """The return reason for a credit (None when it may be posted), and the named account if it exists."""
    if tx.creditor.bank_code != uow.settings.bank_code:
        return OTHER, None
    try:
        acc = accounts.load_for_posting(uow, [tx.creditor.account])[tx.creditor.account]
    except accounts.AccountNotFound:
        return UNKNOWN_ACCOUNT, None
    if acc.status == "closed":
        return CLOSED, acc
    if acc.status == "frozen" or acc.credit_blocked:
        return BLOCKED, acc
    if acc.currency != tx.currency:
        return OTHER, acc
    if str(uow.settings.inbound_name_check).lower() != "off" and not rules.names_match(
        tx.creditor.name, acc.name
    ):
        return NAME_MISMATCH, acc
    return None, acc


def receive_credits(uow: UnitOfWork, actor: Actor, msg: iso20022.Pacs008) -> Applied:
    """Credit each transaction to its payee, or hold it in suspense for a return with the reason."""
    out = Applied("pacs.008", msg.msg_id)
    ho = uow.settings.head_office_code
    tx_ids = [tx.tx_id for tx in msg.transactions]
    seen = set(
        uow.conn.execute(select(ib.c.tx_id).where(ib.c.direction == "in", ib.c.tx_id.in_(tx_ids))).scalars()
    )
    for tx in msg.transactions:
        if tx.tx_id in seen:
            out.repeated += 1
            continue
        seen.add(tx.tx_id)
        amount = Money.of(tx.amount, tx.currency) if tx.currency == uow.settings.base_currency else None
        reason, acc = _refusal(uow, tx)
        if amount is None:
            reason = OTHER
            amount = Money.of(tx.amount, uow.settings.base_currency)
        entry_id: int | None = None
        if reason is None and acc is not None:
            entry_id = _try_credit(uow, actor, tx, acc, amount)
            if entry_id is None:
                reason = BLOCKED
        branch = acc.branch_code if acc is not None else ho
        if reason is not None:
            entry_id = ledger.post(
                uow,
                EntryDraft(
                    HELD_KIND,
                    (
                        Leg.debit(chart.DUE_FROM_CENTRAL_BANK, ho, amount, None, tx.tx_id),
                        Leg.credit(chart.CLEARING_SUSPENSE, branch, amount, None, f"to return {reason}"),
                    ),
                    memo=f"inbound {tx.tx_id} held for return {reason}",
                    reference=tx.tx_id,
                ),
                by=actor.username,
                channel="clearing",
            ).id
            out.held_for_return += 1
            out.reasons[reason] = out.reasons.get(reason, 0) + 1
        else:
            out.credited += 1
        payment_id = interbank._insert(
            uow,
            direction="in",
            system=msg.system,
            status="credited" if reason is None else "return_pending",
            tx_id=tx.tx_id,
            end_to_end_id=tx.end_to_end_id[:35],
            msg_id=msg.msg_id,
            debtor_bank_code=tx.debtor.bank_code,
            debtor_account=tx.debtor.account[:34],
            debtor_name=tx.debtor.name[:140],
            creditor_bank_code=tx.creditor.bank_code,
            creditor_account=tx.creditor.account[:34],
            creditor_name=tx.creditor.name[:140],
            amount=amount.to_minor(),
            currency=amount.currency,
            remittance=tx.remittance[:140],
            urgent=msg.system == rules.HVPS,
            account_id=acc.id if acc is not None else None,
            branch_code=branch,
            value_date=msg.settlement_date,
            fee=0,
            reason_code=reason,
            reason_text="",
            settle_entry_id=entry_id,
            channel="clearing",
            created_by=actor.username,
            settled_at=uow.now,
        )
        uow.audit(
            actor,
            "interbank.receive",
            "interbank_payment",
            payment_id,
            tx_id=tx.tx_id,
            amount=amount.text(),
            payee=tx.creditor.account,
            outcome="credited" if reason is None else f"return {reason}",
        )
        uow.publish(
            Event(
                "InterbankCreditReceived" if reason is None else "InterbankCreditHeld",
                "interbank_payment",
                str(payment_id),
                {
                    "tx_id": tx.tx_id,
                    "to": tx.creditor.account,
                    "amount": amount.to_minor(),
                    "currency": amount.currency,
                    "reason": reason,
                    "payee_customer": acc.customer_id if acc is not None and reason is None else None,
                },
            )
        )
        out.applied += 1
    return out


def _try_credit(
    uow: UnitOfWork, actor: Actor, tx: iso20022.CreditTransfer, acc: accounts.PostingAccount, amount: Money
) -> int | None:
    """Post Dr 1003 / Cr payee in a savepoint; None when the ledger refuses it (a balance cap, a block set
    since we looked), so that the credit is held for a return instead of failing the whole message."""
    try:
        with uow.session.begin_nested():
            entry = ledger.post(
                uow,
                EntryDraft(
                    CREDIT_KIND,
                    (
                        Leg.debit(
                            chart.DUE_FROM_CENTRAL_BANK, uow.settings.head_office_code, amount, None, tx.tx_id
                        ),
                        Leg.credit(
                            acc.gl_code, acc.branch_code, amount, acc.id, f"from {tx.debtor.name}"[:120]
                        ),
                    ),
                    memo=(tx.remittance or f"interbank from {tx.debtor.bank_code}")[:120],
                    reference=tx.tx_id,
                ),
                by=actor.username,
                channel="clearing",
            )
        return entry.id
    except CoreBankError:
        return None


# ---------------------------------------------------------------- status reports (pacs.002)


def apply_status_report(uow: UnitOfWork, actor: Any, report: iso20022.Pacs002) -> Applied:
    """Apply what clearing says became of our pacs.008 (settled, accepted, rejected) or our pacs.004
    (a settled return ends the inbound row; a rejected one is sent again under a new return id)."""
    out = Applied("pacs.002", report.msg_id)
    returns = report.original_msg_type.startswith("pacs.004")
    for st in report.statuses:
        if returns:
            row = _our_return(uow, st.original_tx_id)
            changed = row is not None and _apply_return_status(uow, actor, row, st)
        else:
            row = interbank.outbound_by_tx(uow, st.original_tx_id)
            changed = row is not None and _apply_payment_status(uow, actor, row, st)
        if row is None:
            out.unknown += 1
        elif changed:
            out.applied += 1
        else:
            out.repeated += 1
    return out


def _apply_payment_status(uow: UnitOfWork, actor: Any, row: Any, st: iso20022.TxStatus) -> bool:
    if st.status == iso20022.ACSC:
        return interbank.mark_settled(uow, actor, row)
    if st.status == iso20022.ACSP:
        return interbank.mark_sent(uow, actor, row)
    if st.status == iso20022.RJCT:
        return interbank.mark_rejected(uow, actor, row, st.reason, st.info)
    raise InvalidRequest(f"unknown transaction status {st.status!r}")


def _our_return(uow: UnitOfWork, return_id: str) -> Any:
    return uow.conn.execute(select(ib).where(ib.c.direction == "in", ib.c.return_id == return_id)).first()


def _apply_return_status(uow: UnitOfWork, actor: Any, row: Any, st: iso20022.TxStatus) -> bool:
    if row.status != "return_pending":
        return False
    if st.status == iso20022.ACSC:
        return settle_return(uow, actor, row)
    if st.status == iso20022.RJCT:
        # Send it again under a fresh return id with the next pass of the sender.
        uow.conn.execute(
            update(ib)
            .where(ib.c.id == row.id, ib.c.status == "return_pending")
            .values(return_id=None, return_msg_id=None, reason_text=f"return refused {st.reason or ''}"[:200])
        )
        uow.audit(actor, "interbank.return_refused", "interbank_payment", row.id, reason=st.reason)
        return True
    return False  # ACSP: a return is settled at once; nothing to do until ACSC


def settle_return(uow: UnitOfWork, actor: Any, row: Any) -> bool:
    """Clearing settled the return we sent: Dr 1011 / Cr 1003; return_pending → returned."""
    if row.status != "return_pending":
        return False
    amount = Money.from_minor(row.amount, row.currency)
    entry = ledger.post(
        uow,
        EntryDraft(
            RETURN_SETTLED_KIND,
            (
                Leg.debit(chart.CLEARING_SUSPENSE, row.branch_code, amount, None, row.return_id or row.tx_id),
                Leg.credit(
                    chart.DUE_FROM_CENTRAL_BANK, uow.settings.head_office_code, amount, None, row.tx_id
                ),
            ),
            memo=f"returned inbound {row.tx_id} {row.reason_code or ''}",
            reference=row.return_id,
        ),
        by=str(getattr(actor, "username", actor)),
        channel="clearing",
    )
    done = uow.conn.execute(
        update(ib)
        .where(ib.c.id == row.id, ib.c.status == "return_pending")
        .values(status="returned", refund_entry_id=entry.id, updated_at=uow.now)
    )
    if done.rowcount != 1:
        raise InvalidRequest(f"interbank payment {row.id} changed while its return settled")
    uow.audit(actor, "interbank.return_settled", "interbank_payment", row.id, return_id=row.return_id)
    return True


# ---------------------------------------------------------------- returns of our payments (pacs.004)


def receive_returns(uow: UnitOfWork, actor: Actor, msg: iso20022.Pacs004) -> Applied:
    """The receiving banks sent our settled payments back: refund each payer (Dr 1003 / Cr payer)."""
    out = Applied("pacs.004", msg.msg_id)
    for ret in msg.returns:
        row = interbank.outbound_by_tx(uow, ret.original_tx_id)
        if row is None:
            out.unknown += 1
            continue
        if interbank.mark_returned(
            uow,
            actor,
            row,
            return_id=ret.return_id,
            return_msg_id=msg.msg_id,
            reason=ret.reason,
            return_date=msg.settlement_date,
        ):
            out.applied += 1
            out.reasons[ret.reason] = out.reasons.get(ret.reason, 0) + 1
        else:
            out.repeated += 1
    return out
