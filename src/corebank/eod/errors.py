"""End-of-day errors."""

from corebank.kernel.errors import Conflict, CoreBankError


class EodAlreadyRunning(Conflict):
    code = "EOD_RUNNING"
    title = "End of day is already running"


class EodLeaseLost(Conflict):
    code = "EOD_LEASE_LOST"
    title = "Another process took over this end of day"


class EodStepFailed(CoreBankError):
    code = "EOD_STEP_FAILED"
    status = 409
    title = "End of day stopped at a step; the business date was not rolled"
