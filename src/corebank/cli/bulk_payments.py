"""`corebank payment bulk ...`: pain.001 files (joins the `payment` group)."""

from __future__ import annotations

from corebank.cli.payments import app  # noqa: F401
