"""Sweep agreements (双利丰-style): being built."""

from __future__ import annotations

from corebank.db.batch import BatchStep

EOD_STEPS: tuple[BatchStep, ...] = ()
