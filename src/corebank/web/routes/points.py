"""Points (积分): balances, redemption, rules."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["points"])
