"""Requests and answers of the daily reconciliation (对账), shared by REST and the CLI. Amounts are decimal text."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

RESOLUTIONS = ("apply_clearing", "accept", "escalate")
EXCEPTION_KINDS = (
    "missing_in_bank",
    "missing_in_clearing",
    "amount_mismatch",
    "status_mismatch",
    "suspense_residual",
)


class ReconRunStart(BaseModel):
    """Reconcile a settlement date with the file fetched from the clearing house."""

    date: date


class ReconRunRead(BaseModel):
    run_id: int
    settlement_date: date
    status: str  # matched | exceptions | failed
    source: str  # clearing | upload
    file_sha256: str
    rows_in_file: int
    matched: int
    exceptions: int
    new_exceptions: int
    cleared_exceptions: int
    open_exceptions: int  # of the settlement date, after this run
    currency: str
    suspense_balance: str  # GL 1011 at the end of the run (debit positive)
    suspense_in_flight: str  # what payments not yet final explain of it
    suspense_residual: str  # the rest: must be zero
    note: str
    run_by: str
    run_at: datetime


class ReconRunPage(BaseModel):
    items: list[ReconRunRead]
    next_cursor: str | None


class ReconExceptionRead(BaseModel):
    exception_id: int
    run_id: int
    last_run_id: int
    settlement_date: date
    kind: str
    msg_type: str
    direction: str
    tx_id: str
    payment_id: int | None
    currency: str
    bank_status: str | None
    bank_amount: str | None
    clearing_status: str | None
    clearing_amount: str | None
    owner: str | None
    status: str  # open | resolved
    escalated: bool
    resolution: str | None
    note: str
    resolved_by: str | None
    resolved_at: datetime | None
    entry_id: int | None
    created_at: datetime


class ReconExceptionPage(BaseModel):
    items: list[ReconExceptionRead]
    next_cursor: str | None


class ExceptionAssign(BaseModel):
    """Give the exception to a staff user who reconciles."""

    owner: str = Field(min_length=1, max_length=64)


class ExceptionResolve(BaseModel):
    """apply_clearing: make the bank agree with the clearing house (posts what the clearing status says);
    accept: the difference is explained, nothing posts (a note is required); escalate: hand it up, it stays open
    without an owner (a note is required)."""

    action: Literal["apply_clearing", "accept", "escalate"]
    note: str = Field(default="", max_length=400)
