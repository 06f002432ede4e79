"""The payments area's end-of-day steps, in the runner's order: interbank payments first (those value-dated
today are released to clearing), then standing orders and direct debit collections."""

from __future__ import annotations

from corebank.db.batch import BatchStep
from corebank.payments import interbank_jobs, mandate_jobs

EOD_STEPS: tuple[BatchStep, ...] = (*interbank_jobs.EOD_STEPS, *mandate_jobs.EOD_STEPS)
