"""A customer's own settings on the e-channels: payees, notification settings, and the journal of the transfers
they made there.

Payees are never deleted: a removed payee is marked `deleted` (with the time) so past transfers still name it.
The transfer journal records what a customer asked for on an e-channel (the money itself moves through the
payments area; the journal keeps the entry or the interbank payment it made) so their transfer list is theirs
alone and pages by its own id.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Payee(Base):
    """Someone a customer pays often (收款人): an account in this bank or at another bank."""

    __tablename__ = "ebank_payees"
    __table_args__ = (Index("ix_ebank_payees_customer_status", "customer_id", "status"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    name: Mapped[str] = mapped_column(String(140))
    account_number: Mapped[str] = mapped_column(String(34))
    bank_code: Mapped[str] = mapped_column(
        String(20)
    )  # the 12-digit CNAPS code; this bank's own for internal
    nickname: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | deleted
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class NotificationSetting(Base):
    """When the bank sends the customer an SMS, and in which language."""

    __tablename__ = "ebank_notification_settings"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), primary_key=True)
    # An SMS for every debit above this amount (minor units of `currency`); None: no debit SMS.
    sms_on_debit_over: Mapped[int | None]
    currency: Mapped[str] = mapped_column(String(3))
    sms_on_credit: Mapped[bool]
    sms_on_login: Mapped[bool]
    language: Mapped[str] = mapped_column(String(8))  # zh_CN | en
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class EbankTransfer(Base):
    """A transfer a customer made on an e-channel: within the bank (its journal entry) or to another bank (its
    interbank payment, whose status the payments area keeps)."""

    __tablename__ = "ebank_transfers"
    __table_args__ = (Index("ix_ebank_transfers_customer", "customer_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(16))  # internal | interbank
    channel: Mapped[str] = mapped_column(String(16))
    from_account: Mapped[str] = mapped_column(String(24))
    to_account: Mapped[str] = mapped_column(String(34))
    bank_code: Mapped[str] = mapped_column(String(20))
    creditor_name: Mapped[str] = mapped_column(String(140))
    payee_id: Mapped[int | None]
    amount: Mapped[int]
    fee: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    memo: Mapped[str] = mapped_column(String(140))
    entry_id: Mapped[int | None]  # the internal transfer's entry, or the interbank payment's funding entry
    payment_id: Mapped[int | None]  # the interbank payment
    signed: Mapped[bool]
    booking_date: Mapped[date]
    created_at: Mapped[datetime]
