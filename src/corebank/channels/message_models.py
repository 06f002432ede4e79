"""Secure messages between the bank and its customers (网银站内信): short plain-text letters in threads, written
by the customer in internet banking or by staff at the counter, each read (or not yet) by the other side."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class CustomerMessage(Base):
    """One message. A thread is its first message and every reply to it: `thread_id` is the first message's
    id (its own id for the first). `direction` is "in" (from the customer) or "out" (from the bank);
    `read_at` is when the other side read it. `branch_code` is the customer's home branch when the message was
    written: the branch whose staff answer it (the bank's inbox is scoped by it)."""

    __tablename__ = "customer_messages"
    __table_args__ = (
        Index("ix_customer_messages_customer_created", "customer_id", "created_at"),
        Index("ix_customer_messages_thread", "thread_id", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    thread_id: Mapped[int] = mapped_column(BigId)
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    subject: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(4000))
    author: Mapped[str] = mapped_column(String(64))  # the staff username, or "customer"
    branch_code: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
