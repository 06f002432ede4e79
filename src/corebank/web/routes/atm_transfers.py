"""Transfers made at ATMs to another person's account: listed, and revoked before they are credited."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/atm/transfers", tags=["atm"])
