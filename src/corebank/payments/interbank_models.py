"""Interbank payments (跨行支付) in both directions, one row per transaction the clearing house knows.

An outbound payment (`direction = "out"`) is the bank's own: the customer's money moved to clearing suspense
when it was created, and the row follows it through the clearing house. An inbound one (`direction = "in"`)
is a credit another bank sent through clearing, kept whether it was credited or returned. Amounts are
integer minor units.

Status, outbound: created (funds in suspense, not yet sent) → sent (the clearing house accepted it, BEPS
pending its netting) → settled | rejected (refunded to the customer) ; settled → returned (the receiving
bank sent it back; refunded to the customer).
Status, inbound: credited (posted to the named account) | return_pending (held in suspense, a pacs.004 to
send) → returned (the pacs.004 was settled).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class InterbankPayment(Base):
    __tablename__ = "interbank_payments"
    __table_args__ = (
        UniqueConstraint("direction", "tx_id"),
        Index("ix_interbank_payments_status", "status", "value_date", "id"),
        Index("ix_interbank_payments_value_date", "value_date", "id"),
        Index("ix_interbank_payments_account", "account_id", "id"),
        Index("ix_interbank_payments_msg", "msg_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)  # the payment_id customers and staff see
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    system: Mapped[str] = mapped_column(String(4))  # HVPS | BEPS
    status: Mapped[str] = mapped_column(String(16))
    # The clearing transaction id (TxId) and the payer's end-to-end id (EndToEndId).
    tx_id: Mapped[str] = mapped_column(String(35))
    end_to_end_id: Mapped[str] = mapped_column(String(35))
    msg_id: Mapped[str | None] = mapped_column(String(35))  # the pacs.008 that carried it
    debtor_bank_code: Mapped[str] = mapped_column(String(12))
    debtor_account: Mapped[str] = mapped_column(String(34))
    debtor_name: Mapped[str] = mapped_column(String(140))
    creditor_bank_code: Mapped[str] = mapped_column(String(12))
    creditor_account: Mapped[str] = mapped_column(String(34))
    creditor_name: Mapped[str] = mapped_column(String(140))
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    remittance: Mapped[str] = mapped_column(String(140), default="")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # This bank's customer account: the payer's (out) or the payee's (in; None when it names no account here).
    account_id: Mapped[int | None]
    branch_code: Mapped[str] = mapped_column(String(8))  # the accounting branch of its postings
    value_date: Mapped[date]  # the interbank settlement date asked for (IntrBkSttlmDt)
    fee: Mapped[int] = mapped_column(default=0)
    reason_code: Mapped[str | None] = mapped_column(String(8))  # ISO reason of a reject or return
    reason_text: Mapped[str] = mapped_column(String(200), default="")
    # A return: its own transaction id (RtrId) at the clearing house, and the message that carried it.
    return_id: Mapped[str | None] = mapped_column(String(35))
    return_msg_id: Mapped[str | None] = mapped_column(String(35))
    return_date: Mapped[date | None]  # the return's own settlement date (IntrBkSttlmDt of its pacs.004)
    # The journal entries of each step (funding, settlement, refund or return).
    funding_entry_id: Mapped[int | None]
    settle_entry_id: Mapped[int | None]
    refund_entry_id: Mapped[int | None]
    bulk_line_id: Mapped[int | None]  # the pain.001 line it came from, if any
    channel: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    settled_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
