"""BEPS (小额批量支付) netting: queued credit transfers settle together, each bank paying or receiving its net.

How an uncovered bank is handled: at a cycle each participant's net position is its credits minus its
debits over the batch. A participant whose net debit exceeds its settlement balance has ALL the payments it
sends in the batch rejected (AM04) — the payments it receives still count — and the positions are worked out
again, since those rejections take credits away from others; this repeats until every remaining net debit is
covered. Rejecting the whole of an uncovered bank's side, rather than picking some of its payments, keeps the
outcome independent of the order payments arrived in and is what a settlement failure of a participant looks
like in a real netting system. Then balances move by the net positions only, and deliveries are queued:
a pacs.008 to each creditor bank (at most `DELIVERY_CHUNK` transactions a message) and a pacs.002 per
original message to its sender with each transaction's final status.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from corebank import iso20022 as iso
from corebank.clearing import delivery
from corebank.clearing.config import SETTLEMENT_CURRENCY
from corebank.clearing.models import BepsBatch, Participant, Transaction
from corebank.kernel.money import Money

DELIVERY_CHUNK = 1000
UNCOVERED_INFO = "the sending bank's net debit in the BEPS batch exceeded its settlement balance"


@dataclass(frozen=True)
class BatchSummary:
    """The outcome of one netting cycle. Net positions are signed: positive means the bank was paid."""

    batch_id: str
    transactions: int
    settled: int
    rejected: int
    settled_amount: Decimal
    rejected_participants: tuple[str, ...]
    net_positions: dict[str, Decimal] = field(default_factory=dict)


Pairs = Mapping[tuple[str, str], int]


def net_positions(pairs: Pairs, excluded: set[str]) -> dict[str, int]:
    """Each bank's credits minus debits (minor units) over (debtor, creditor) -> amount, leaving out the
    payments sent by `excluded` banks."""
    net: dict[str, int] = defaultdict(int)
    for (debtor, creditor), amount in pairs.items():
        if debtor in excluded:
            continue
        net[debtor] -= amount
        net[creditor] += amount
    return dict(net)


def uncovered(pairs: Pairs, balances: Mapping[str, int]) -> set[str]:
    """The banks whose sent payments must be rejected so every remaining net debit is covered."""
    rejected: set[str] = set()
    while True:
        net = net_positions(pairs, rejected)
        short = {bank for bank, n in net.items() if n < 0 and -n > balances.get(bank, 0)} - rejected
        if not short:
            return rejected
        rejected |= short


def net_and_settle(session: Session, now: datetime, new_msg_id: Callable[[], str]) -> BatchSummary | None:
    """Take every queued BEPS transaction into a new batch, settle it net, queue the deliveries."""
    queued = select(Transaction.id).where(
        Transaction.kind == "pacs.008",
        Transaction.system == iso.BEPS,
        Transaction.status == "pending",
        Transaction.batch_id.is_(None),
    )
    if session.execute(queued.limit(1)).first() is None:
        return None
    batch = BepsBatch(created_at=now, rejected_participants="")
    session.add(batch)
    session.flush()
    batch_id = f"BEPS{now:%Y%m%d}{batch.id:08d}"
    batch.batch_id = batch_id
    session.execute(
        update(Transaction).where(Transaction.id.in_(queued.scalar_subquery())).values(batch_id=batch_id)
    )
    in_batch = Transaction.batch_id == batch_id
    pairs = {
        (d, c): int(total)
        for d, c, total in session.execute(
            select(
                Transaction.debtor_bank_code,
                Transaction.creditor_bank_code,
                func.sum(Transaction.amount_minor),
            )
            .where(in_batch)
            .group_by(Transaction.debtor_bank_code, Transaction.creditor_bank_code)
        )
    }
    balances = {
        code: bal for code, bal in session.execute(select(Participant.code, Participant.balance_minor))
    }
    rejected = uncovered(pairs, balances)
    if rejected:
        session.execute(
            update(Transaction)
            .where(in_batch, Transaction.debtor_bank_code.in_(sorted(rejected)))
            .values(status="rejected", reason="AM04", info=UNCOVERED_INFO)
        )
    session.execute(
        update(Transaction)
        .where(in_batch, Transaction.status == "pending")
        .values(status="settled", settled_at=now)
    )
    net = net_positions(pairs, rejected)
    for code, amount in sorted(net.items()):
        if amount:
            session.execute(
                update(Participant)
                .where(Participant.code == code)
                .values(balance_minor=Participant.balance_minor + amount)
            )
    counts = dict(
        session.execute(
            select(Transaction.status, func.count()).where(in_batch).group_by(Transaction.status)
        ).all()
    )
    settled_minor = sum(a for (d, _), a in pairs.items() if d not in rejected)
    batch.tx_count = sum(counts.values())
    batch.settled_count = counts.get("settled", 0)
    batch.rejected_count = counts.get("rejected", 0)
    batch.settled_minor = settled_minor
    batch.rejected_participants = ",".join(sorted(rejected))
    batch.settled_at = now
    summary = BatchSummary(
        batch_id=batch_id,
        transactions=batch.tx_count,
        settled=batch.settled_count,
        rejected=batch.rejected_count,
        settled_amount=_decimal(settled_minor),
        rejected_participants=tuple(sorted(rejected)),
        net_positions={code: _decimal(n) for code, n in sorted(net.items())},
    )
    session.flush()
    _queue_credit_transfers(session, batch_id, now, new_msg_id)
    _queue_status_reports(session, batch_id, now, new_msg_id)
    return summary


def _decimal(minor: int) -> Decimal:
    return Money.from_minor(minor, SETTLEMENT_CURRENCY).amount


def _pages(session: Session, where: list[ColumnElement[bool]]) -> Iterator[list[Transaction]]:
    """The batch's transactions matching `where` in id order, a page of at most DELIVERY_CHUNK at a time."""
    last = 0
    while True:
        page = list(
            session.scalars(
                select(Transaction)
                .where(*where, Transaction.id > last)
                .order_by(Transaction.id)
                .limit(DELIVERY_CHUNK)
            )
        )
        if not page:
            return
        last = page[-1].id
        yield page
        if len(page) < DELIVERY_CHUNK:
            return


def _queue_credit_transfers(
    session: Session, batch_id: str, now: datetime, new_msg_id: Callable[[], str]
) -> None:
    """A pacs.008 to each creditor bank per settlement date, with the batch's settled transfers to it."""
    groups: list[tuple[str, date]] = [
        (code, day)
        for code, day in session.execute(
            select(Transaction.creditor_bank_code, Transaction.settlement_date)
            .where(Transaction.batch_id == batch_id, Transaction.status == "settled")
            .group_by(Transaction.creditor_bank_code, Transaction.settlement_date)
        )
    ]
    for creditor, day in groups:
        where = [
            Transaction.batch_id == batch_id,
            Transaction.status == "settled",
            Transaction.creditor_bank_code == creditor,
            Transaction.settlement_date == day,
        ]
        for page in _pages(session, where):
            msg_id = new_msg_id()
            body = iso.build_pacs008(
                iso.Pacs008(
                    msg_id=msg_id,
                    created_at=now,
                    settlement_date=day,
                    system=iso.BEPS,
                    instructing_agent=iso.CLEARING_BANK_CODE,
                    instructed_agent=creditor,
                    transactions=tuple(_credit_transfer(t) for t in page),
                )
            )
            delivery_id = delivery.queue(
                session, recipient=creditor, kind="pacs.008", msg_id=msg_id, body=body, now=now
            )
            session.execute(
                update(Transaction)
                .where(Transaction.id.in_([t.id for t in page]))
                .values(delivery_id=delivery_id)
            )
            session.expunge_all()


def _queue_status_reports(
    session: Session, batch_id: str, now: datetime, new_msg_id: Callable[[], str]
) -> None:
    """A pacs.002 to each sender per original message: the final status of its transactions in the batch."""
    groups: list[tuple[str, str]] = [
        (sender, msg_id)
        for sender, msg_id in session.execute(
            select(Transaction.sender_code, Transaction.msg_id)
            .where(Transaction.batch_id == batch_id)
            .group_by(Transaction.sender_code, Transaction.msg_id)
        )
    ]
    for sender, msg_id in groups:
        where = [
            Transaction.batch_id == batch_id,
            Transaction.sender_code == sender,
            Transaction.msg_id == msg_id,
        ]
        for page in _pages(session, where):
            report_id = new_msg_id()
            body = iso.build_pacs002(
                iso.Pacs002(
                    msg_id=report_id,
                    created_at=now,
                    original_msg_id=msg_id,
                    original_msg_type="pacs.008.001.09",
                    statuses=tuple(
                        iso.TxStatus(
                            t.tx_id,
                            t.end_to_end_id,
                            "ACSC" if t.status == "settled" else "RJCT",
                            t.reason,
                            t.info if t.status != "settled" else f"settled in BEPS batch {batch_id}",
                        )
                        for t in page
                    ),
                )
            )
            delivery.queue(session, recipient=sender, kind="pacs.002", msg_id=report_id, body=body, now=now)
            session.expunge_all()


def _credit_transfer(t: Transaction) -> iso.CreditTransfer:
    return iso.CreditTransfer(
        tx_id=t.tx_id,
        end_to_end_id=t.end_to_end_id,
        amount=Money.from_minor(t.amount_minor, t.currency).amount,
        currency=t.currency,
        debtor=iso.Party(t.debtor_name, t.debtor_account, t.debtor_bank_code),
        creditor=iso.Party(t.creditor_name, t.creditor_account, t.creditor_bank_code),
        remittance=t.remittance,
    )
