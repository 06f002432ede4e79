"""Daily reconciliation (对账) with the clearing house and its exceptions."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/reconciliation", tags=["reconciliation"])
