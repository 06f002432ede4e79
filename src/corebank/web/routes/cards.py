"""Debit cards at the counter and for the customer."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/cards", tags=["cards"])
