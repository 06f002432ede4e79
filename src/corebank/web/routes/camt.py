"""ISO 20022 statements (camt.053) and notifications (camt.054) for an account."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/accounts", tags=["statements"])
