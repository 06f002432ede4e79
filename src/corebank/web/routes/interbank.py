"""Interbank payments (跨行支付): send, look up, list."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])
