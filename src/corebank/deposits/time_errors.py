"""Time deposit errors, each with a stable code."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound, PermissionDenied


class TimeDepositNotFound(NotFound):
    code = "TIME_DEPOSIT_NOT_FOUND"
    title = "No time deposit has this certificate number"


class CertificateVoid(Conflict):
    code = "CERTIFICATE_VOID"
    title = "This certificate was voided by a reissue (补发) and is no longer valid"


class TermNotOffered(InvalidRequest):
    code = "TERM_NOT_OFFERED"
    title = "The product does not offer this term"


class BelowMinimum(BusinessRuleViolation):
    code = "BELOW_MINIMUM"
    title = "The amount, or what would be left, is under the product's minimum"


class EarlyWithdrawalNotAllowed(BusinessRuleViolation):
    code = "EARLY_WITHDRAWAL_NOT_ALLOWED"
    title = "This product allows no withdrawal before maturity"


class PartialWithdrawalUsed(BusinessRuleViolation):
    code = "PARTIAL_WITHDRAWAL_USED"
    title = "The one partial early withdrawal this deposit allows was already made"


class ExceedsPrincipal(BusinessRuleViolation):
    code = "EXCEEDS_PRINCIPAL"
    title = "The amount is more than the deposit's principal"


class InstructionNotAllowed(BusinessRuleViolation):
    code = "INSTRUCTION_NOT_ALLOWED"
    title = "This maturity instruction cannot be used here"


class DepositMatured(BusinessRuleViolation):
    code = "DEPOSIT_MATURED"
    title = "The deposit has reached maturity: use the withdrawal at maturity"


class DepositNotMatured(BusinessRuleViolation):
    code = "DEPOSIT_NOT_MATURED"
    title = "The deposit has not matured: use the early withdrawal"


class DepositClosed(BusinessRuleViolation):
    code = "TIME_DEPOSIT_CLOSED"
    title = "The time deposit is closed"


class CertificateReportedLost(BusinessRuleViolation):
    code = "CERTIFICATE_REPORTED_LOST"
    title = "The certificate is reported lost (挂失): nothing moves until the report is released or reissued"


class LossReportExists(Conflict):
    code = "LOSS_REPORT_EXISTS"
    title = "A loss report of this kind is already in force"


class NoLossReport(BusinessRuleViolation):
    code = "NO_LOSS_REPORT"
    title = "No loss report is in force on this certificate"


class ReissueTooEarly(BusinessRuleViolation):
    code = "REISSUE_TOO_EARLY"
    title = "A reissue needs a written loss report at least 7 days old"


class IdentityMismatch(PermissionDenied):
    code = "IDENTITY_MISMATCH"
    title = "The ID number given is not the holder's"
