"""The clearing house's own tables, on its own MetaData (another institution: nothing shared with the bank).
Names start with `clearing_` so they never meet a bank table should both share one database server.

Money is BIGINT minor units (fen); timestamps are UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class ClearingBase(DeclarativeBase):
    """Base of the simulator's tables (its own MetaData, never the bank's `Base`)."""


class Participant(ClearingBase):
    """A member bank: its 12-digit code, where deliveries go, and its settlement account at the central bank.

    The token is kept as given because the simulator presents it back on every delivery to the bank.
    """

    __tablename__ = "clearing_participants"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(140))
    url: Mapped[str] = mapped_column(String(500))
    token: Mapped[str] = mapped_column(String(200), unique=True)
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | suspended
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Message(ClearingBase):
    """A message a participant sent, and the pacs.002 answered (sent again for a repeated message id)."""

    __tablename__ = "clearing_messages"
    __table_args__ = (UniqueConstraint("sender_code", "msg_id", name="uq_clearing_messages_sender_msg"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_code: Mapped[str] = mapped_column(String(12))
    msg_id: Mapped[str] = mapped_column(String(35))
    msg_type: Mapped[str] = mapped_column(String(40))  # e.g. pacs.008.001.09
    raw_xml: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    response_xml: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


class BepsBatch(ClearingBase):
    """One BEPS netting cycle: the queued transactions it took and what became of them."""

    __tablename__ = "clearing_beps_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str | None] = mapped_column(String(35), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    tx_count: Mapped[int] = mapped_column(Integer, default=0)
    settled_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    settled_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected_participants: Mapped[str] = mapped_column(String(2000), default="")  # comma-separated codes


class Delivery(ClearingBase):
    """A message the clearing house pushes to a participant's inbound URL, retried until it answers 2xx."""

    __tablename__ = "clearing_deliveries"
    __table_args__ = (Index("ix_clearing_deliveries_pending", "delivered", "recipient_code", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient_code: Mapped[str] = mapped_column(String(12), ForeignKey("clearing_participants.code"))
    kind: Mapped[str] = mapped_column(String(10))  # pacs.008 | pacs.004 | pacs.002
    msg_id: Mapped[str] = mapped_column(String(35), unique=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Transaction(ClearingBase):
    """One credit transfer (pacs.008) or return (pacs.004) the clearing house knows.

    `debtor_bank_code` is the bank whose settlement account pays and `creditor_bank_code` the one credited:
    for a return that is the returning bank and the original payer's bank. The party columns of a return keep
    the ORIGINAL payment's debtor and creditor, as pacs.004 carries them.
    """

    __tablename__ = "clearing_transactions"
    __table_args__ = (
        UniqueConstraint("sender_code", "tx_id", name="uq_clearing_transactions_sender_tx"),
        Index("ix_clearing_transactions_queue", "system", "status", "batch_id"),
        Index("ix_clearing_transactions_day", "settlement_date"),
        Index("ix_clearing_transactions_original", "original_tx_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_code: Mapped[str] = mapped_column(String(12))
    tx_id: Mapped[str] = mapped_column(String(35))  # TxId, or RtrId of a return
    msg_id: Mapped[str] = mapped_column(String(35))  # the sender's message id
    kind: Mapped[str] = mapped_column(String(10))  # pacs.008 | pacs.004
    system: Mapped[str] = mapped_column(String(4))  # HVPS | BEPS (a return rides its original's system)
    end_to_end_id: Mapped[str] = mapped_column(String(35))
    debtor_bank_code: Mapped[str] = mapped_column(String(12))
    creditor_bank_code: Mapped[str] = mapped_column(String(12))
    debtor_name: Mapped[str] = mapped_column(String(140))
    debtor_account: Mapped[str] = mapped_column(String(34))
    creditor_name: Mapped[str] = mapped_column(String(140))
    creditor_account: Mapped[str] = mapped_column(String(34))
    remittance: Mapped[str] = mapped_column(String(700), default="")
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    settlement_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # pending | settled | rejected
    reason: Mapped[str | None] = mapped_column(String(4), nullable=True)  # reject reason code
    info: Mapped[str] = mapped_column(String(200), default="")
    return_reason: Mapped[str | None] = mapped_column(String(4), nullable=True)  # of a pacs.004
    original_msg_id: Mapped[str | None] = mapped_column(String(35), nullable=True)
    original_tx_id: Mapped[str | None] = mapped_column(String(35), nullable=True)
    original_id: Mapped[int | None] = mapped_column(ForeignKey("clearing_transactions.id"), nullable=True)
    batch_id: Mapped[str | None] = mapped_column(String(35), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("clearing_deliveries.id"), nullable=True)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
