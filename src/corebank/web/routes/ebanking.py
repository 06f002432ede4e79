"""E-banking enrollment and customer authentication."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["e-banking"])
