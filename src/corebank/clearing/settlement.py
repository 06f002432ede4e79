"""The daily settlement file (清算对账文件) a participant reconciles against: CSV, one row per transaction.

Which rows a participant gets for a settlement date (the IntrBkSttlmDt of the message): every transaction it
sent (a pacs.008 it paid or a pacs.004 it returned), whatever became of it (pending, settled, rejected), as
`debit`; and every transaction that SETTLED to its credit as `credit`. A transaction rejected before
settlement never reached the creditor bank, so it is not in the creditor's file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from corebank.clearing.config import utc
from corebank.clearing.models import Transaction
from corebank.iso20022.settlement_file import SETTLEMENT_FILE_HEADER as HEADER

PAGE = 1000


def settlement_rows(session: Session, participant: str, day: date) -> Iterator[tuple[str, ...]]:
    """The file's data rows for `participant` on `day`, in the order the clearing house received them."""
    involves = or_(
        Transaction.sender_code == participant,
        and_(Transaction.creditor_bank_code == participant, Transaction.status == "settled"),
    )
    last = 0
    while True:
        page = list(
            session.scalars(
                select(Transaction)
                .where(Transaction.settlement_date == day, involves, Transaction.id > last)
                .order_by(Transaction.id)
                .limit(PAGE)
            )
        )
        for t in page:
            if t.sender_code == participant:
                yield _row(t, "debit")
            if t.creditor_bank_code == participant and t.status == "settled":
                yield _row(t, "credit")
        if len(page) < PAGE:
            return
        last = page[-1].id
        session.expunge_all()


def settlement_csv(session: Session, participant: str, day: date) -> str:
    """The whole file as text: the header row, then `settlement_rows`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(settlement_rows(session, participant, day))
    return out.getvalue()


def _row(t: Transaction, direction: str) -> tuple[str, ...]:
    # Amounts are kept at two decimals (fen for CNY, the only currency that settles).
    amount = f"{Decimal(t.amount_minor).scaleb(-2):.2f}"
    return (
        t.settlement_date.isoformat(),
        t.system,
        t.batch_id or "",
        t.kind,
        t.msg_id,
        t.tx_id,
        t.end_to_end_id,
        t.original_tx_id or "",
        t.debtor_bank_code,
        t.creditor_bank_code,
        amount,
        t.currency,
        t.status,
        direction,
        utc(t.settled_at).isoformat() if t.settled_at else "",
    )
