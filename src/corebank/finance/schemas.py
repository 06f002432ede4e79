"""Views of the books shared by REST, web and CLI."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel


class TrialBalanceLine(BaseModel):
    gl_code: str
    name: str
    gl_class: str
    currency: str
    debit: str
    credit: str


class TrialBalanceRead(BaseModel):
    as_of: date
    branch_code: str | None
    lines: list[TrialBalanceLine]
    totals: dict[str, dict[str, str]]
    total_debit: str
    total_credit: str
    balanced: bool


class EntryLineRead(BaseModel):
    line_no: int
    gl_code: str
    branch_code: str
    side: Literal["debit", "credit"]
    amount: str
    currency: str


class EntryRead(BaseModel):
    id: int
    booking_date: date
    value_date: date
    kind: str
    memo: str
    reference: str | None
    reverses_id: int | None
    created_by: str
    lines: list[EntryLineRead]
