"""Loan errors, each with a stable code."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound, PermissionDenied


class InvalidTerm(InvalidRequest):
    code = "INVALID_TERM"
    title = "The loan term must be a whole number of months from 1 to 360"


class InvalidRate(InvalidRequest):
    code = "INVALID_RATE"
    title = "The annual rate must be a percentage from 0 up to (not including) 100, with at most 4 decimals"


class InvalidMethod(InvalidRequest):
    code = "INVALID_METHOD"
    title = "The repayment method must be equal_installment, equal_principal, interest_only or bullet"


class InvalidClassification(InvalidRequest):
    code = "INVALID_CLASSIFICATION"
    title = "The classification must be normal, special_mention, substandard, doubtful or loss"


class InvalidScorecard(InvalidRequest):
    code = "INVALID_SCORECARD"
    title = "The credit scorecard definition is not valid"


class InvalidApplicant(InvalidRequest):
    code = "INVALID_APPLICANT"
    title = "The applicant's data cannot be scored by this scorecard"


class InvalidLoanProduct(InvalidRequest):
    code = "INVALID_LOAN_PRODUCT"
    title = "The loan product's parameters are not valid"


class ProductNotForLoans(InvalidRequest):
    code = "NOT_A_LOAN_PRODUCT"
    title = "The product named is not a loan product on sale"


class AmountOutOfRange(InvalidRequest):
    code = "AMOUNT_OUT_OF_RANGE"
    title = "The amount is outside the loan product's range"


class TermOutOfRange(InvalidRequest):
    code = "TERM_OUT_OF_RANGE"
    title = "The term is outside the loan product's range"


class MethodNotOffered(InvalidRequest):
    code = "METHOD_NOT_OFFERED"
    title = "The loan product does not offer this repayment method"


class ApplicationNotFound(NotFound):
    code = "APPLICATION_NOT_FOUND"
    title = "No such loan application"


class ApplicationClosed(Conflict):
    code = "APPLICATION_CLOSED"
    title = "The application has been decided or cancelled and cannot change"


class ApplicationNotScored(Conflict):
    code = "APPLICATION_NOT_SCORED"
    title = "Score the application before deciding it"


class RatingBelowFloor(BusinessRuleViolation):
    code = "RATING_BELOW_FLOOR"
    title = "The applicant's rating is below the loan product's floor"


class NoApprovalAuthority(PermissionDenied):
    code = "NO_APPROVAL_AUTHORITY"
    title = "The approver's authority does not cover this amount and rating"


class LoanNotFound(NotFound):
    code = "LOAN_NOT_FOUND"
    title = "No such loan"


class LoanClosed(Conflict):
    code = "LOAN_CLOSED"
    title = "The loan is closed or written off"


class LoanStatusConflict(Conflict):
    code = "LOAN_STATUS_CONFLICT"
    title = "The loan is not in a state that allows this"


class DisbursementExceedsContract(BusinessRuleViolation):
    code = "DISBURSEMENT_EXCEEDS_CONTRACT"
    title = "The disbursement would exceed the contract amount"


class WrongBorrowerAccount(BusinessRuleViolation):
    code = "NOT_BORROWER_ACCOUNT"
    title = "The deposit account does not belong to the borrower"


class NothingDue(BusinessRuleViolation):
    code = "NOTHING_DUE"
    title = "Nothing is due on the loan; use a prepayment to repay early"


class OverdueFirst(BusinessRuleViolation):
    code = "OVERDUE_FIRST"
    title = "Repay what is overdue before prepaying"


class InvalidPrepayment(InvalidRequest):
    code = "INVALID_PREPAYMENT"
    title = "The prepayment request is not valid"


class RepaymentExceedsDue(BusinessRuleViolation):
    code = "REPAYMENT_EXCEEDS_DUE"
    title = "The repayment is more than is due; prepay the rest"
