"""Direct debit mandates (代扣), standing orders and bill payment to registered billers."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["mandates"])
