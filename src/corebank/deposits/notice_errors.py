"""Notice deposit (通知存款) and sweep agreement (双利丰) errors, each with a stable code."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound


class NoticeDepositNotFound(NotFound):
    code = "NOTICE_DEPOSIT_NOT_FOUND"
    title = "No such notice deposit"


class NoticeNotFound(NotFound):
    code = "NOTICE_NOT_FOUND"
    title = "No such withdrawal notice on this deposit"


class SweepAgreementNotFound(NotFound):
    code = "SWEEP_AGREEMENT_NOT_FOUND"
    title = "No such sweep agreement"


class NoticeTermInvalid(InvalidRequest):
    code = "NOTICE_TERM_INVALID"
    title = 'A notice deposit is 1-day or 7-day: notice_days 1 or 7, or term "1D" or "7D"'


class NotANoticeProduct(BusinessRuleViolation):
    code = "PRODUCT_NOT_AVAILABLE"
    title = "The product is not a notice deposit product on sale for this customer"


class BelowMinimumDeposit(BusinessRuleViolation):
    code = "BELOW_OPENING_MINIMUM"
    title = "The deposit is below the product's minimum"


class BelowMinimumWithdrawal(BusinessRuleViolation):
    code = "BELOW_MINIMUM_WITHDRAWAL"
    title = "A withdrawal from a notice deposit must reach the product's minimum (or take the whole balance)"


class ExceedsDepositBalance(BusinessRuleViolation):
    code = "EXCEEDS_DEPOSIT_BALANCE"
    title = "The amount is more than the deposit holds"


class NoticeDateTooSoon(BusinessRuleViolation):
    code = "NOTICE_PERIOD_TOO_SHORT"
    title = "The withdrawal date must be at least the notice period (1 or 7 days) after today"


class NoticeAlreadyRegistered(Conflict):
    code = "NOTICE_ALREADY_REGISTERED"
    title = "The deposit has a registered notice already: use it or cancel it first"


class NoticeNotCancellable(Conflict):
    code = "NOTICE_NOT_CANCELLABLE"
    title = "Only a registered notice can be cancelled, and not after its withdrawal date"


class NoticeDepositClosed(Conflict):
    code = "NOTICE_DEPOSIT_CLOSED"
    title = "The notice deposit is closed"


class SweptDepositManagedByAgreement(Conflict):
    code = "SWEPT_DEPOSIT_MANAGED_BY_AGREEMENT"
    title = "A swept notice deposit moves only through its sweep agreement (draw-back or cancellation)"


class OwnAccountRequired(BusinessRuleViolation):
    code = "NOT_CUSTOMERS_OWN_ACCOUNT"
    title = "The demand account must belong to the deposit's customer"


class RetainedBalanceTooLow(BusinessRuleViolation):
    code = "SWEEP_RETAINED_BALANCE_TOO_LOW"
    title = "The retained balance of a sweep agreement is below the minimum"


class SweepNeedsTypeIAccount(BusinessRuleViolation):
    code = "SWEEP_NEEDS_TYPE_I_ACCOUNT"
    title = "A sweep agreement is signed on an open Type I demand account"


class SweepAgreementExists(Conflict):
    code = "SWEEP_AGREEMENT_EXISTS"
    title = "The account has an active sweep agreement already"


class SweepAgreementNotActive(Conflict):
    code = "SWEEP_AGREEMENT_NOT_ACTIVE"
    title = "The sweep agreement is cancelled already"


class SweepAgreementActive(BusinessRuleViolation):
    code = "SWEEP_AGREEMENT_ACTIVE"
    title = "The account has an active sweep agreement: cancel it first"
