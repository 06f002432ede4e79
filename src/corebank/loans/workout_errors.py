"""Errors of loan workouts (collections, restructuring, write-off, recoveries), each with a stable code.
INVALID_CLASSIFICATION, LOAN_NOT_FOUND, LOAN_CLOSED and LOAN_STATUS_CONFLICT are the loans' own
(`corebank.loans.errors`)."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest


class LoanNotOverdue(Conflict):
    code = "LOAN_NOT_OVERDUE"
    title = "Nothing is overdue on the loan: there is nothing to collect"


class InvalidCollectionAction(InvalidRequest):
    code = "INVALID_COLLECTION_ACTION"
    title = "The collection action is not valid"


class RestructuringNotAllowed(Conflict):
    code = "RESTRUCTURING_NOT_ALLOWED"
    title = "Only a loan with something overdue or classified worse than normal can be restructured"


class WriteOffNotAllowed(Conflict):
    code = "WRITE_OFF_NOT_ALLOWED"
    title = "Only a loan classified doubtful or loss can be written off"


class RecoveryExceedsWrittenOff(BusinessRuleViolation):
    code = "RECOVERY_EXCEEDS_WRITTEN_OFF"
    title = "The recovery is more than is left written off on the loan"
