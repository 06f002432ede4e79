"""End-of-day steps of the mandate work (filled in by it)."""

from __future__ import annotations

from corebank.db.batch import BatchStep

EOD_STEPS: tuple[BatchStep, ...] = ()
