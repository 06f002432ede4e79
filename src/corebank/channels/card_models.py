"""Debit cards and ATM/POS terminals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Card(Base):
    """A debit card (借记卡) on a personal demand account. The PAN is kept only encrypted (found by its keyed
    hash); the PIN only as a keyed hash bound to the card, never in clear and never as a PIN block."""

    __tablename__ = "cards"
    __table_args__ = (Index("ix_cards_account_id", "account_id", "status"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    pan_cipher: Mapped[str] = mapped_column(String(200))
    pan_hash: Mapped[str] = mapped_column(String(64), unique=True)
    pan_masked: Mapped[str] = mapped_column(String(24))
    account_id: Mapped[int] = mapped_column(ForeignKey("deposit_accounts.id"))
    # The account's number, which never changes: the switch answers with it without another lookup.
    account_number: Mapped[str] = mapped_column(String(24))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    expiry: Mapped[date]  # the last day of the month printed on the card
    # issued | active | lost | replaced | closed; "expired" is read from the date, never stored.
    status: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(64))
    # Wrong PINs on `pin_tries_day` (a business date); a new day starts the count again.
    pin_tries: Mapped[int] = mapped_column(SmallInteger, default=0)
    pin_tries_day: Mapped[date | None]
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    issued_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AtmTerminal(Base):
    """An ATM or POS terminal (ISO 8583 field 41): its TDES PIN key (encrypted) and, for an ATM, the ledger
    account under GL 1005 that holds the cash inside it."""

    __tablename__ = "atm_terminals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(8), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # atm | pos
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    location: Mapped[str] = mapped_column(String(200), default="")
    merchant_name: Mapped[str] = mapped_column(String(120), default="")
    pin_key_cipher: Mapped[str] = mapped_column(String(200))
    cash_account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_accounts.id"))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | disabled
    signed_on: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
