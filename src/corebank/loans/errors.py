"""Loan errors, each with a stable code."""

from corebank.kernel.errors import InvalidRequest


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
