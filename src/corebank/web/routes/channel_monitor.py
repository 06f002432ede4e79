"""Channel monitoring: metrics and alerts."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/channels", tags=["channels"])
