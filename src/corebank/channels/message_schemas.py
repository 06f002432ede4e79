"""Schemas of the secure messages between the bank and its customers. The schema only bounds what a request may
carry; the service checks the real limits (subject 120, body 4,000 characters) and answers with MESSAGE_EMPTY
or MESSAGE_TOO_LONG."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

MAX_SUBJECT = 120
MAX_BODY = 4000
# What a request may carry at all: far above the limits, so that an over-long message is refused by the service
# with its own code (and the customer keeps what they typed), yet no one can post megabytes.
CARRY_SUBJECT = 1000
CARRY_BODY = 20000


class MessageSend(BaseModel):
    """Write a message: a new thread (with a subject), or a reply to the thread `thread_id` (its subject is kept)."""

    thread_id: int | None = Field(
        default=None, ge=1, description="the thread to reply to; omit for a new one"
    )
    subject: str = Field(default="", max_length=CARRY_SUBJECT, description="a new thread's subject")
    body: str = Field(max_length=CARRY_BODY, description="plain text")


class StaffMessage(MessageSend):
    """Staff write to the customer numbered `customer_number`: a new thread, or a reply to one of theirs."""

    customer_number: str = Field(min_length=1, max_length=32)


class ThreadQuery(BaseModel):
    """A page of threads, newest activity first: follow `next_cursor`."""

    cursor: str | None = Field(default=None, max_length=24)
    limit: int = Field(default=20, ge=1, le=100)


class MessageRead(BaseModel):
    message_id: int
    thread_id: int
    direction: Literal["in", "out"] = Field(description="in: from the customer · out: from the bank")
    subject: str
    body: str
    author: str = Field(description="the staff member (for staff), 'bank' (for the customer), or 'customer'")
    created_at: datetime
    read_at: datetime | None = Field(description="when the other side read it")


class ThreadSummary(BaseModel):
    thread_id: int
    subject: str
    customer_number: str
    customer_name: str
    messages: int
    unread: int = Field(description="messages from the other side the reader has not read")
    last_direction: Literal["in", "out"]
    last_at: datetime
    waiting: bool = Field(description="the customer wrote last: the bank owes an answer")


class ThreadPage(BaseModel):
    items: list[ThreadSummary]
    next_cursor: str | None
    unread: int = Field(
        default=0, description="unread messages in all of the reader's threads of this customer"
    )


class ThreadRead(BaseModel):
    thread_id: int
    subject: str
    customer_number: str
    customer_name: str
    messages: list[MessageRead]
    waiting: bool
