"""Approval schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class ApprovalRead(BaseModel):
    id: int
    kind: str
    status: str
    summary: str
    branch_code: str
    maker: str
    checker: str | None
    reason: str
    payload: dict[str, Any]
    result: dict[str, Any] | None
    created_at: datetime
    decided_at: datetime | None


class ApprovalDecision(BaseModel):
    reason: str = ""
