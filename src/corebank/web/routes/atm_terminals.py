"""ATM and POS terminals."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/atm/terminals", tags=["atm"])
