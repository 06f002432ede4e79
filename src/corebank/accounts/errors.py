"""Account errors."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound


class AccountNotFound(NotFound):
    code = "ACCOUNT_NOT_FOUND"
    title = "No such account"


class AccountClosed(BusinessRuleViolation):
    code = "ACCOUNT_CLOSED"
    title = "The account is closed"


class AccountFrozen(BusinessRuleViolation):
    code = "ACCOUNT_FROZEN"
    title = "The account is frozen"


class AccountDormant(BusinessRuleViolation):
    code = "ACCOUNT_DORMANT"
    title = "The account is dormant; reactivate it at the counter with ID"


class DebitBlocked(BusinessRuleViolation):
    code = "ACCOUNT_DEBIT_BLOCKED"
    title = "The account may receive but not pay (只收不付)"


class CreditBlocked(BusinessRuleViolation):
    code = "ACCOUNT_CREDIT_BLOCKED"
    title = "The account may pay but not receive (只付不收)"


class ClassLimitExceeded(BusinessRuleViolation):
    code = "ACCOUNT_CLASS_LIMIT_EXCEEDED"
    title = "The account class limit would be exceeded"


class OneTypeOneAccount(Conflict):
    code = "TYPE_I_ACCOUNT_EXISTS"
    title = "A person may hold one Type I account at this bank"


class AccountNotEmpty(BusinessRuleViolation):
    code = "ACCOUNT_NOT_EMPTY"
    title = "Settle the balance before closing"


class HoldNotFound(NotFound):
    code = "HOLD_NOT_FOUND"
    title = "No such active hold or freeze"


class SameAccount(InvalidRequest):
    code = "SAME_ACCOUNT"
    title = "The payer and payee accounts are the same"


class BelowOpeningMinimum(BusinessRuleViolation):
    code = "BELOW_OPENING_MINIMUM"
    title = "The opening deposit is below the product's minimum"
