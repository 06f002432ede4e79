"""Daily reconciliation (对账) with the clearing house: each run over a settlement file, the file's lines as
the run read them, and the differences found (exceptions), each with an owner and a resolution.

A settlement date may be reconciled many times (a corrected file, after exceptions were worked); every run is
kept and the latest one tells the day's standing. An exception is one difference for one transaction
(settlement date, kind, message type, direction, transaction id): a later run that finds it again updates it
rather than adding another. Amounts are integer minor units.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class ReconRun(Base):
    """One reconciliation of a settlement date against the clearing house's file."""

    __tablename__ = "recon_runs"
    __table_args__ = (Index("ix_recon_runs_date", "settlement_date", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    settlement_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))  # matched | exceptions | failed
    source: Mapped[str] = mapped_column(String(16))  # clearing (fetched) | upload
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    rows_in_file: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)  # lines that agree with the bank's record
    exceptions: Mapped[int] = mapped_column(default=0)  # differences this run found (new or seen before)
    new_exceptions: Mapped[int] = mapped_column(default=0)
    cleared_exceptions: Mapped[int] = mapped_column(default=0)  # open ones of the date it no longer found
    currency: Mapped[str] = mapped_column(String(3))
    # GL 1011 clearing suspense at the end of the run, what the payments still in flight explain of it, and
    # the rest (zero unless something booked to suspense outside the payments' life cycle).
    suspense_balance: Mapped[int] = mapped_column(default=0)
    suspense_in_flight: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(400), default="")
    run_by: Mapped[str] = mapped_column(String(64))
    run_at: Mapped[datetime]


class ReconFileLine(Base):
    """A line of a run's settlement file, and the interbank payment it matched (None: not in the bank)."""

    __tablename__ = "recon_file_lines"
    __table_args__ = (Index("ix_recon_file_lines_run", "run_id", "payment_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int]
    line_no: Mapped[int]
    system: Mapped[str] = mapped_column(String(4))
    batch_id: Mapped[str] = mapped_column(String(35), default="")
    msg_type: Mapped[str] = mapped_column(String(8))  # pacs.008 | pacs.004
    msg_id: Mapped[str] = mapped_column(String(35))
    tx_id: Mapped[str] = mapped_column(String(35))  # TxId, or RtrId of a pacs.004
    end_to_end_id: Mapped[str] = mapped_column(String(35), default="")
    original_tx_id: Mapped[str] = mapped_column(String(35), default="")
    debtor_bank_code: Mapped[str] = mapped_column(String(12))
    creditor_bank_code: Mapped[str] = mapped_column(String(12))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))  # settled | rejected | pending
    direction: Mapped[str] = mapped_column(String(6))  # debit (this bank paid) | credit
    settled_at: Mapped[str] = mapped_column(String(40), default="")  # as the clearing house wrote it
    payment_id: Mapped[int | None]


class ReconException(Base):
    """A difference between the bank and the clearing house, with its owner and how it was resolved."""

    __tablename__ = "recon_exceptions"
    __table_args__ = (
        UniqueConstraint("settlement_date", "kind", "msg_type", "direction", "tx_id"),
        Index("ix_recon_exceptions_status", "status", "settlement_date", "id"),
        Index("ix_recon_exceptions_owner", "owner", "status", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int]  # the run that found it first
    last_run_id: Mapped[int]  # the latest run that found it
    settlement_date: Mapped[date]
    # missing_in_bank | missing_in_clearing | amount_mismatch | status_mismatch | suspense_residual
    kind: Mapped[str] = mapped_column(String(24))
    msg_type: Mapped[str] = mapped_column(String(8), default="")  # pacs.008 | pacs.004 ("" for suspense)
    direction: Mapped[str] = mapped_column(String(6), default="")  # debit | credit, the bank's side
    tx_id: Mapped[str] = mapped_column(String(35), default="")
    payment_id: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3))
    bank_status: Mapped[str | None] = mapped_column(String(16))
    bank_amount: Mapped[int | None]
    clearing_status: Mapped[str | None] = mapped_column(String(16))
    clearing_amount: Mapped[int | None]
    owner: Mapped[str | None] = mapped_column(String(64))  # a staff username
    status: Mapped[str] = mapped_column(String(16))  # open | resolved
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution: Mapped[str | None] = mapped_column(String(16))  # apply_clearing | accept | cleared
    note: Mapped[str] = mapped_column(String(400), default="")
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[datetime | None]
    entry_id: Mapped[int | None]  # the journal entry the resolution posted, if any
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
