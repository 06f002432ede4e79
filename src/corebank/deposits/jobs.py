"""The deposits area's end-of-day steps, in order: demand interest first (it needs the day's closing balances),
then time-deposit maturities, notice housekeeping and sweeps."""

from __future__ import annotations

from corebank.db.batch import BatchStep
from corebank.deposits import demand, notice, sweep, time_deposits

EOD_STEPS: tuple[BatchStep, ...] = (
    *demand.EOD_STEPS,
    *time_deposits.EOD_STEPS,
    *notice.EOD_STEPS,
    *sweep.EOD_STEPS,
)
