"""Errors of the daily reconciliation with the clearing house, each with a stable code."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, CoreBankError, InvalidRequest, NotFound


class ReconFileInvalid(InvalidRequest):
    code = "RECON_FILE_INVALID"
    title = "The settlement file is not a valid clearing settlement file for that date"

    def __init__(self, detail: str = "", errors: list[str] | None = None) -> None:
        super().__init__(detail, errors=errors or [])
        self.errors = errors or []


class ReconRunNotFound(NotFound):
    code = "RECON_RUN_NOT_FOUND"
    title = "No such reconciliation run"


class ReconExceptionNotFound(NotFound):
    code = "RECON_EXCEPTION_NOT_FOUND"
    title = "No such reconciliation exception"


class ExceptionClosed(Conflict):
    code = "EXCEPTION_CLOSED"
    title = "The exception is already resolved"


class NotExceptionOwner(Conflict):
    code = "EXCEPTION_NOT_OWNER"
    status = 403
    title = "Only the exception's owner may resolve it (anyone who reconciles, while it has no owner)"


class OwnerNotEligible(InvalidRequest):
    code = "OWNER_NOT_ELIGIBLE"
    title = "The owner must be an active staff user who may reconcile"


class ResolutionNotApplicable(BusinessRuleViolation):
    code = "RESOLUTION_NOT_APPLICABLE"
    title = "This resolution cannot be applied to this exception"


class ResolutionNoteRequired(InvalidRequest):
    code = "RESOLUTION_NOTE_REQUIRED"
    title = "Say why: accepting or escalating a difference needs a note"


class SettlementFileUnavailable(CoreBankError):
    code = "SETTLEMENT_FILE_UNAVAILABLE"
    status = 502
    title = "The clearing house did not give the settlement file"
