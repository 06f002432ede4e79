"""End of day: the runner that closes the business date through the areas' steps, and its status."""

from corebank.eod.errors import EodAlreadyRunning, EodLeaseLost, EodStepFailed
from corebank.eod.runner import Progress, close_day, run_until, steps
from corebank.eod.status import business_state, eod_status

__all__ = [
    "EodAlreadyRunning",
    "EodLeaseLost",
    "EodStepFailed",
    "Progress",
    "business_state",
    "close_day",
    "eod_status",
    "run_until",
    "steps",
]
