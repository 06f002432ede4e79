"""The ATM/POS switch: its message journal (idempotency by terminal and STAN) and delayed ATM transfers.

Amounts are integer minor units. The journal keeps one row per financial request (0200) and per reversal
(0420), keyed by terminal, STAN, transmission date and message class: a terminal that sends the same request
again gets the first answer back from `response`; the same key with other content is a duplicate (94).
An ATM transfer to another person's account waits in GL 2262 until it is credited (`due_at`) or revoked:
pending → credited | revoked.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class AtmJournal(Base):
    __tablename__ = "atm_journal"
    __table_args__ = (
        UniqueConstraint(
            "terminal_id", "stan", "transmission_date", "message", name="uq_atm_journal_terminal_id"
        ),
        Index("ix_atm_journal_entry_id", "entry_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(8))
    stan: Mapped[str] = mapped_column(String(6))
    # The day of field 7 (MMDDhhmmss, its year the one nearest the switch's clock), else the business date.
    transmission_date: Mapped[date]
    message: Mapped[str] = mapped_column(String(4))  # the request's MTI: 0200 | 0420
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the request's fields, PIN block excluded
    tx_type: Mapped[str] = mapped_column(String(16))  # withdrawal | transfer | purchase | reversal
    response_code: Mapped[str] = mapped_column(String(2))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)  # the answer's fields, sent again on a repeat
    customer_id: Mapped[int | None]
    account_id: Mapped[int | None]
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    entry_id: Mapped[int | None]  # the posting an approved request made
    reversal_entry_id: Mapped[int | None]  # the atm.reversal entry, once a 0420 undid it
    created_at: Mapped[datetime]
    reversed_at: Mapped[datetime | None]


class AtmTransfer(Base):
    __tablename__ = "atm_transfers"
    __table_args__ = (
        Index("ix_atm_transfers_status", "status", "due_at", "id"),
        Index("ix_atm_transfers_payer_customer_id", "payer_customer_id", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int]  # the atm.transfer entry: payer debited, into 2262 (or straight to an own account)
    terminal_id: Mapped[str] = mapped_column(String(8))
    stan: Mapped[str] = mapped_column(String(6))
    payer_account_id: Mapped[int]
    payer_account: Mapped[str] = mapped_column(String(24))
    payer_customer_id: Mapped[int]
    payee_account_id: Mapped[int]
    payee_account: Mapped[str] = mapped_column(String(24))
    payee_customer_id: Mapped[int]
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    branch_code: Mapped[str] = mapped_column(String(8))  # the payer account's branch (where 2262 is booked)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16))  # pending | credited | revoked
    credit_entry_id: Mapped[int | None]  # atm.transfer_credit (2262 -> payee)
    revoke_entry_id: Mapped[int | None]  # atm.transfer_revoked (2262 -> payer)
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    revoke_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]
