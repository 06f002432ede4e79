"""The customer's own banking: accounts, payees, transfers, deposits, loans, bills, limits."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/me", tags=["me"])
