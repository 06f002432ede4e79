"""The clearing house's deliveries to this bank: pacs.008 credits, pacs.002 status reports, pacs.004 returns."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/clearing", tags=["clearing"])
