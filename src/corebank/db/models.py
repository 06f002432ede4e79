"""Infrastructure tables shared by every area: bank state, outbox, audit trail, idempotency keys."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class BankState(Base):
    """One row: the bank's identity and current business date (moved only by end of day)."""

    __tablename__ = "bank_state"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(12))
    bank_name: Mapped[str] = mapped_column(String(120))
    business_date: Mapped[date]
    # open: bookings go to business_date; closing: end of day is closing it and refuses other bookings.
    phase: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    base_currency: Mapped[str] = mapped_column(String(3))
    initialized_at: Mapped[datetime]


class OutboxEvent(Base):
    """An event written in the same transaction as its change; consumers read by ascending id."""

    __tablename__ = "outbox_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    aggregate: Mapped[str] = mapped_column(String(32))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    business_date: Mapped[date]
    created_at: Mapped[datetime]


class AuditHead(Base):
    """The tip of the audit hash chain; locked briefly at commit so the chain never forks."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class AuditRecord(Base):
    """An append-only audit record; `hash` = sha256(prev_hash + canonical content)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    branch_code: Mapped[str | None] = mapped_column(String(8))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class IdempotencyRecord(Base):
    """The first answer to a money-moving request, returned again on a retry with the same key."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]
