"""`corebank payment camt053|camt054`: ISO 20022 statements (joins the `payment` group)."""

from __future__ import annotations

from corebank.cli.payments import app  # noqa: F401
