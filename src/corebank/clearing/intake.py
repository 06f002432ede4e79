"""Intake of one message: each transaction of a pacs.008 refused, settled gross (HVPS) or queued (BEPS); each
return of a pacs.004 checked against its original and settled at once. Runs inside the caller's transaction,
under the clearing house's write lock."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from corebank import iso20022 as iso
from corebank.clearing import delivery
from corebank.clearing.config import SETTLEMENT_CURRENCY, ClearingSettings
from corebank.clearing.models import Participant, Transaction
from corebank.kernel.errors import InvalidAmount, UnsupportedCurrency
from corebank.kernel.money import Money

CLEARING = iso.CLEARING_BANK_CODE
IN_CHUNK = 500  # ids per IN (...) list
REMITTANCE_MAX = 700  # five Ustrd lines of 140


def new_msg_id() -> str:
    """A fresh message id of the clearing house (35 characters, the ISO maximum)."""
    return "CLR" + uuid.uuid4().hex


def minor_units(amount: Decimal) -> int:
    """A CNY amount as integer fen; InvalidAmount when it is finer than the fen."""
    return Money(amount, SETTLEMENT_CURRENCY).to_minor()


def decimal_amount(minor: int) -> Decimal:
    """Integer fen as a CNY Decimal amount."""
    return Money.from_minor(minor, SETTLEMENT_CURRENCY).amount


def _debit(session: Session, code: str, minor: int) -> bool:
    """Take `minor` from `code`'s settlement account if it covers it; False (nothing moved) otherwise."""
    result = session.execute(
        update(Participant)
        .where(Participant.code == code, Participant.balance_minor >= minor)
        .values(balance_minor=Participant.balance_minor - minor)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _credit(session: Session, code: str, minor: int) -> None:
    session.execute(
        update(Participant)
        .where(Participant.code == code)
        .values(balance_minor=Participant.balance_minor + minor)
    )


def _seen_tx_ids(session: Session, sender: str, tx_ids: Iterable[str]) -> set[str]:
    ids = list(dict.fromkeys(tx_ids))
    seen: set[str] = set()
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        seen.update(
            session.scalars(
                select(Transaction.tx_id).where(
                    Transaction.sender_code == sender, Transaction.tx_id.in_(chunk)
                )
            )
        )
    return seen


def _amount_refusal(amount: Decimal, currency: str) -> tuple[str, str] | None:
    if currency != SETTLEMENT_CURRENCY:
        return "AM03", f"CNAPS settles {SETTLEMENT_CURRENCY} only, not {currency}"
    try:
        minor = minor_units(amount)
    except (InvalidAmount, UnsupportedCurrency):
        return "AM12", f"amount {amount} is finer than the fen"
    if minor <= 0:
        return "AM01", "a zero amount is not a payment"
    return None


class CreditIntake:
    """The transactions of one pacs.008: refuse, settle (HVPS) or queue (BEPS) each; queue deliveries."""

    def __init__(
        self,
        settings: ClearingSettings,
        rng: random.Random,
        session: Session,
        sender: str,
        msg: iso.Pacs008,
        now: datetime,
    ):
        self.settings, self.rng = settings, rng
        self.session, self.sender, self.msg, self.now = session, sender, msg, now
        self.participants = {p.code: p.status for p in session.scalars(select(Participant))}

    def run(self) -> list[iso.TxStatus]:
        settings = self.settings
        seen = _seen_tx_ids(self.session, self.sender, (t.tx_id for t in self.msg.transactions))
        hvps_open = settings.hvps_open_at(self.now)
        beps_limit = minor_units(settings.beps_single_limit)
        statuses: list[iso.TxStatus] = []
        rows: list[dict[str, object]] = []
        settled: dict[str, list[tuple[dict[str, object], iso.CreditTransfer]]] = defaultdict(list)
        for ct in self.msg.transactions:
            if ct.tx_id in seen:
                # A transaction id is the sender's once: the first one stands, this one is not recorded.
                statuses.append(_status(ct, "RJCT", "AM05", "duplicate transaction id"))
                continue
            seen.add(ct.tx_id)
            refusal = self._refusal(ct, hvps_open, beps_limit)
            row = self._row(ct)
            if refusal is None and self.msg.system == iso.HVPS:
                minor = minor_units(ct.amount)
                if _debit(self.session, self.sender, minor):
                    _credit(self.session, ct.creditor.bank_code, minor)
                    row.update(status="settled", settled_at=self.now)
                    settled[ct.creditor.bank_code].append((row, ct))
                    statuses.append(_status(ct, "ACSC"))
                else:
                    refusal = ("AM04", "settlement account balance does not cover the amount")
            elif refusal is None:
                row.update(status="pending")
                statuses.append(_status(ct, "ACSP", info="queued for the next BEPS netting cycle"))
            if refusal is not None:
                row.update(status="rejected", reason=refusal[0], info=refusal[1])
                statuses.append(_status(ct, "RJCT", *refusal))
            rows.append(row)
        for creditor, pairs in settled.items():
            delivery_id = _queue_credit_transfers(
                self.session,
                creditor,
                self.msg.settlement_date,
                self.msg.system,
                [ct for _, ct in pairs],
                self.now,
            )
            for row, _ in pairs:
                row["delivery_id"] = delivery_id
        for start in range(0, len(rows), IN_CHUNK):
            self.session.execute(insert(Transaction), rows[start : start + IN_CHUNK])
        return statuses

    def _refusal(self, ct: iso.CreditTransfer, hvps_open: bool, beps_limit: int) -> tuple[str, str] | None:
        """The first rule the transaction breaks, as (reason code, text); None when it may go on."""
        amount = _amount_refusal(ct.amount, ct.currency)
        if amount is not None:
            return amount
        if ct.debtor.bank_code != self.sender:
            return "AG01", f"the debtor agent {ct.debtor.bank_code} is not the sending participant"
        creditor = ct.creditor.bank_code
        if creditor == self.sender or self.participants.get(creditor) != "active":
            return "RC01", f"creditor agent {creditor} is not a participant this payment can reach"
        if self.msg.system == iso.HVPS and not hvps_open:
            return "DT01", "HVPS is closed (outside operating hours or not a working day)"
        if self.msg.system == iso.BEPS and minor_units(ct.amount) > beps_limit:
            return "AM02", f"over the BEPS single limit of {decimal_amount(beps_limit)}"
        rate = self.settings.reject_rate
        if rate and self.rng.random() < rate:
            return "NARR", "rejected at random by the simulator (reject_rate)"
        return None

    def _row(self, ct: iso.CreditTransfer) -> dict[str, object]:
        return {
            "sender_code": self.sender,
            "tx_id": ct.tx_id,
            "msg_id": self.msg.msg_id,
            "kind": "pacs.008",
            "system": self.msg.system,
            "end_to_end_id": ct.end_to_end_id,
            "debtor_bank_code": ct.debtor.bank_code,
            "creditor_bank_code": ct.creditor.bank_code,
            "debtor_name": ct.debtor.name,
            "debtor_account": ct.debtor.account,
            "creditor_name": ct.creditor.name,
            "creditor_account": ct.creditor.account,
            "remittance": ct.remittance[:REMITTANCE_MAX],
            "amount_minor": int(ct.amount.scaleb(2).to_integral_value()),
            "currency": ct.currency,
            "settlement_date": self.msg.settlement_date,
            "status": "rejected",
            "reason": None,
            "info": "",
            "return_reason": None,
            "original_msg_id": None,
            "original_tx_id": None,
            "original_id": None,
            "batch_id": None,
            "received_at": self.now,
            "settled_at": None,
            "delivery_id": None,
            "delivered": False,
            "delivery_attempts": 0,
        }


def _status(ct: iso.CreditTransfer, status: str, reason: str | None = None, info: str = "") -> iso.TxStatus:
    return iso.TxStatus(ct.tx_id, ct.end_to_end_id, status, reason, info)


def _queue_credit_transfers(
    session: Session,
    creditor: str,
    settlement_date: date,
    system: str,
    transfers: list[iso.CreditTransfer],
    now: datetime,
) -> int:
    """Queue one pacs.008 from the clearing house to `creditor` carrying its settled transfers."""
    msg_id = new_msg_id()
    body = iso.build_pacs008(
        iso.Pacs008(
            msg_id=msg_id,
            created_at=now,
            settlement_date=settlement_date,
            system=system,
            instructing_agent=CLEARING,
            instructed_agent=creditor,
            transactions=tuple(transfers),
        )
    )
    return delivery.queue(session, recipient=creditor, kind="pacs.008", msg_id=msg_id, body=body, now=now)


class ReturnIntake:
    """The returns of one pacs.004: each must name a settled payment this bank received, and may not return
    more than it; a good one settles at once (returning bank pays, original payer's bank is paid)."""

    def __init__(
        self,
        settings: ClearingSettings,
        rng: random.Random,
        session: Session,
        sender: str,
        msg: iso.Pacs004,
        now: datetime,
    ):
        self.settings, self.rng = settings, rng
        self.session, self.sender, self.msg, self.now = session, sender, msg, now

    def run(self) -> list[iso.TxStatus]:
        seen = _seen_tx_ids(self.session, self.sender, (r.return_id for r in self.msg.returns))
        statuses: list[iso.TxStatus] = []
        forward: dict[str, list[tuple[int, iso.PaymentReturn]]] = defaultdict(list)
        for ret in self.msg.returns:
            if ret.return_id in seen:
                statuses.append(self._status(ret, "RJCT", "AM05", "duplicate return id"))
                continue
            seen.add(ret.return_id)
            original = self._original(ret)
            refusal = self._refusal(ret, original)
            minor = 0 if refusal else minor_units(ret.amount)
            if refusal is None and original is not None:
                if _debit(self.session, self.sender, minor):
                    _credit(self.session, original.debtor_bank_code, minor)
                else:
                    refusal = ("AM04", "settlement account balance does not cover the return")
            row_id = self._record(ret, original, refusal)
            if refusal is None and original is not None:
                forward[original.debtor_bank_code].append(
                    (row_id, replace(ret, original_msg_id=original.msg_id))
                )
                statuses.append(self._status(ret, "ACSC"))
            else:
                assert refusal is not None
                statuses.append(self._status(ret, "RJCT", *refusal))
        for recipient, items in forward.items():
            msg_id = new_msg_id()
            body = iso.build_pacs004(
                iso.Pacs004(
                    msg_id=msg_id,
                    created_at=self.now,
                    settlement_date=self.msg.settlement_date,
                    instructing_agent=CLEARING,
                    instructed_agent=recipient,
                    returns=tuple(r for _, r in items),
                )
            )
            delivery_id = delivery.queue(
                self.session, recipient=recipient, kind="pacs.004", msg_id=msg_id, body=body, now=self.now
            )
            self.session.execute(
                update(Transaction)
                .where(Transaction.id.in_([i for i, _ in items]))
                .values(delivery_id=delivery_id)
            )
        return statuses

    def _original(self, ret: iso.PaymentReturn) -> Transaction | None:
        return self.session.scalars(
            select(Transaction).where(
                Transaction.kind == "pacs.008",
                Transaction.tx_id == ret.original_tx_id,
                Transaction.sender_code == ret.debtor.bank_code,
                Transaction.creditor_bank_code == self.sender,
            )
        ).first()

    def _refusal(self, ret: iso.PaymentReturn, original: Transaction | None) -> tuple[str, str] | None:
        amount = _amount_refusal(ret.amount, ret.currency)
        if amount is not None:
            return amount
        if original is None:
            return (
                "NARR",
                f"no payment {ret.original_tx_id} from {ret.debtor.bank_code} was paid to this bank",
            )
        if original.status != "settled":
            return "NARR", f"the original payment {ret.original_tx_id} is {original.status}, not settled"
        returned = self.session.scalar(
            select(func.coalesce(func.sum(Transaction.amount_minor), 0)).where(
                Transaction.original_id == original.id,
                Transaction.kind == "pacs.004",
                Transaction.status == "settled",
            )
        )
        if int(returned or 0) + minor_units(ret.amount) > original.amount_minor:
            return "AM09", "the returns would exceed the original payment's amount"
        return None

    def _record(
        self, ret: iso.PaymentReturn, original: Transaction | None, refusal: tuple[str, str] | None
    ) -> int:
        result = self.session.execute(
            insert(Transaction)
            .values(
                sender_code=self.sender,
                tx_id=ret.return_id,
                msg_id=self.msg.msg_id,
                kind="pacs.004",
                system=original.system if original is not None else iso.HVPS,
                end_to_end_id=ret.original_end_to_end_id,
                debtor_bank_code=self.sender,
                creditor_bank_code=original.debtor_bank_code
                if original is not None
                else ret.debtor.bank_code,
                debtor_name=ret.debtor.name[:140],
                debtor_account=ret.debtor.account,
                creditor_name=ret.creditor.name[:140],
                creditor_account=ret.creditor.account,
                remittance="",
                amount_minor=int(ret.amount.scaleb(2).to_integral_value()),
                currency=ret.currency,
                settlement_date=self.msg.settlement_date,
                status="rejected" if refusal else "settled",
                reason=refusal[0] if refusal else None,
                info=refusal[1][:200] if refusal else "",
                return_reason=ret.reason[:4],
                original_msg_id=original.msg_id if original is not None else ret.original_msg_id,
                original_tx_id=ret.original_tx_id,
                original_id=original.id if original is not None else None,
                received_at=self.now,
                settled_at=None if refusal else self.now,
                delivered=False,
                delivery_attempts=0,
            )
            .returning(Transaction.id)
        )
        return int(result.scalar_one())

    @staticmethod
    def _status(
        ret: iso.PaymentReturn, status: str, reason: str | None = None, info: str = ""
    ) -> iso.TxStatus:
        return iso.TxStatus(ret.return_id, ret.original_end_to_end_id, status, reason, info)
