"""Bulk payment files (pain.001: payroll 代发工资, supplier runs) and their per-line reports."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/payments/bulk", tags=["payments"])
