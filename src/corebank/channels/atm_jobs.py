"""The ATM switch's end-of-day steps."""

from __future__ import annotations

from corebank.db.batch import BatchStep

EOD_STEPS: tuple[BatchStep, ...] = ()
