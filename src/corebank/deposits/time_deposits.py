"""Time deposits (整存整取): being built."""

from __future__ import annotations

from corebank.db.batch import BatchStep

EOD_STEPS: tuple[BatchStep, ...] = ()
