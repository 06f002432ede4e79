"""The channels area's end-of-day steps: the ATM switch's, then points'."""

from __future__ import annotations

from corebank.channels import atm_jobs, points_jobs
from corebank.db.batch import BatchStep

EOD_STEPS: tuple[BatchStep, ...] = (*atm_jobs.EOD_STEPS, *points_jobs.EOD_STEPS)
