"""Bulk payment files (pain.001: payroll 代发工资, supplier runs): one row per file and one per line.

A file is posted in the request that uploads it, in one transaction: it is either accounted for line by line
(status posted, or partially_posted when some lines failed and were refunded to the payer) or rejected whole,
in which case nothing of it is kept. `received` and `validated` are the states a batch passes through inside
that transaction; `rejected` is kept for batches a later version may reject after the fact.
Amounts are integer minor units.

Line status: pending (inserted, not yet settled) → credited (an account of this bank received it) |
sent_external (handed to interbank clearing as a funded outbound payment) | failed (refunded to the payer;
`reason_code` is the ISO 20022 reason: AC01 unknown account, AC04 closed, AC06 frozen or blocked, AM03
currency, AM14 over the account's balance cap).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class BulkBatch(Base):
    """One uploaded pain.001 file, with what became of it."""

    __tablename__ = "bulk_batches"
    __table_args__ = (
        # A message id is processed once per payer (the initiating party's account at this bank).
        UniqueConstraint("payer_account_id", "msg_id"),
        Index("ix_bulk_batches_branch", "branch_code", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)  # the batch_id staff and customers see
    msg_id: Mapped[str] = mapped_column(String(35))
    initiating_party: Mapped[str] = mapped_column(String(140), default="")
    file_name: Mapped[str] = mapped_column(String(200), default="")
    file_sha256: Mapped[str] = mapped_column(String(64))
    payer_account_id: Mapped[int]
    payer_account: Mapped[str] = mapped_column(String(34))
    payer_name: Mapped[str] = mapped_column(String(140))
    branch_code: Mapped[str] = mapped_column(String(8))  # the payer account's branch
    currency: Mapped[str] = mapped_column(String(3))
    requested_execution_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20))  # received|validated|posted|partially_posted|rejected
    line_count: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)  # the file's control sum
    credited_count: Mapped[int] = mapped_column(default=0)
    credited_total: Mapped[int] = mapped_column(default=0)
    external_count: Mapped[int] = mapped_column(default=0)
    external_total: Mapped[int] = mapped_column(default=0)
    failed_count: Mapped[int] = mapped_column(default=0)
    failed_total: Mapped[int] = mapped_column(default=0)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_text: Mapped[str] = mapped_column(String(400), default="")
    # The entries it posted: the one debit of the payer into clearing suspense, and the refund of failed
    # lines (the credits to payees are on the lines, one entry per chunk).
    funding_entry_id: Mapped[int | None]
    refund_entry_id: Mapped[int | None]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    posted_by: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[datetime | None]


class BulkLine(Base):
    """One credit transfer of a file (CdtTrfTxInf), with its result for the per-line report."""

    __tablename__ = "bulk_lines"
    __table_args__ = (UniqueConstraint("batch_id", "seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int]
    seq: Mapped[int]  # 1-based position in the file
    pmt_inf_id: Mapped[str] = mapped_column(String(35))
    end_to_end_id: Mapped[str] = mapped_column(String(35))
    creditor_account: Mapped[str] = mapped_column(String(34))
    creditor_name: Mapped[str] = mapped_column(String(140))
    creditor_bank_code: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    remittance: Mapped[str] = mapped_column(String(140), default="")
    status: Mapped[str] = mapped_column(String(16))  # pending | credited | sent_external | failed
    reason_code: Mapped[str | None] = mapped_column(String(8))
    reason_text: Mapped[str] = mapped_column(String(200), default="")
    payee_account_id: Mapped[int | None]  # the account of this bank it names, when there is one
    credit_entry_id: Mapped[int | None]
    interbank_payment_id: Mapped[int | None]
