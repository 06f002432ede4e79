"""Errors of billers, direct debit mandates and standing orders."""

from __future__ import annotations

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound


class BillerNotFound(NotFound):
    code = "BILLER_NOT_FOUND"
    title = "No such biller"


class BillerExists(Conflict):
    code = "BILLER_EXISTS"
    title = "A biller with this code is already registered"


class BillerNotActive(BusinessRuleViolation):
    code = "BILLER_NOT_ACTIVE"
    title = "The biller does not take payments now"


class BillerRuleInvalid(InvalidRequest):
    code = "BILLER_RULE_INVALID"
    title = "The biller's reference rule or amount range is not valid"


class BillerReferenceInvalid(InvalidRequest):
    code = "BILLER_REFERENCE_INVALID"
    title = "The bill reference does not follow the biller's rule"


class BillerAmountOutOfRange(BusinessRuleViolation):
    code = "BILLER_AMOUNT_OUT_OF_RANGE"
    title = "The amount is outside what the biller accepts"


class MandateNotFound(NotFound):
    code = "MANDATE_NOT_FOUND"
    title = "No such mandate"


class MandateExists(Conflict):
    code = "MANDATE_EXISTS"
    title = "A mandate with this reference already exists"


class MandateInvalid(InvalidRequest):
    code = "MANDATE_INVALID"
    title = "The mandate's terms are not valid"


class MandateDebtorMismatch(BusinessRuleViolation):
    code = "MANDATE_DEBTOR_NOT_CUSTOMERS"
    title = "The debtor account does not belong to the customer"


class MandateNotActive(Conflict):
    code = "MANDATE_NOT_ACTIVE"
    title = "The mandate is revoked or expired"


class MandateExpired(BusinessRuleViolation):
    code = "MANDATE_EXPIRED"
    title = "The mandate has expired"


class MandateNotStarted(BusinessRuleViolation):
    code = "MANDATE_NOT_STARTED"
    title = "The mandate does not start until later"


class MandateLimitExceeded(BusinessRuleViolation):
    code = "MANDATE_LIMIT_EXCEEDED"
    title = "The amount is over the mandate's limit per debit"


class MandateMonthlyLimitExceeded(BusinessRuleViolation):
    code = "MANDATE_MONTHLY_LIMIT_EXCEEDED"
    title = "The debit would take the month's collections over the mandate's monthly limit"


class DebitDateInvalid(InvalidRequest):
    code = "DEBIT_DATE_INVALID"
    title = "The due date must fall between today and the mandate's expiry"


class StandingOrderNotFound(NotFound):
    code = "STANDING_ORDER_NOT_FOUND"
    title = "No such standing order"


class StandingOrderInvalid(InvalidRequest):
    code = "STANDING_ORDER_INVALID"
    title = "The standing order's terms are not valid"


class StandingOrderNotActive(Conflict):
    code = "STANDING_ORDER_NOT_ACTIVE"
    title = "The standing order has ended or was cancelled"
