"""What the channel registry shows and takes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ClosureRead(BaseModel):
    """A closed channel ("*") or transaction type: who closed it, when and why."""

    tx_type: str
    closed_by: str
    closed_at: datetime
    reason: str


class ChannelRead(BaseModel):
    """A channel: open or closed as a whole, and the transaction types closed on it."""

    code: str
    e_channel: bool
    status: str = Field(description="open | closed (the channel as a whole)")
    closed: ClosureRead | None = Field(None, description="the closure of the whole channel, when closed")
    closed_types: list[ClosureRead] = Field(default_factory=list)
    note: str = ""


class ChannelChange(BaseModel):
    """Close or open a channel, or only one transaction type on it."""

    tx_type: str | None = Field(None, description="one transaction type; none = the whole channel")
    reason: str = Field("", max_length=200)
