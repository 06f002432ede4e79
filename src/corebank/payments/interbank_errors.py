"""Interbank payment errors (跨行支付), each with a stable code."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound


class InterbankPaymentNotFound(NotFound):
    code = "INTERBANK_PAYMENT_NOT_FOUND"
    title = "No such interbank payment"


class BadBankCode(InvalidRequest):
    code = "BAD_BANK_CODE"
    title = "A bank code is 12 digits (CNAPS participant code)"


class SameBank(InvalidRequest):
    code = "SAME_BANK"
    title = "The creditor's bank is this bank: use an internal transfer"


class InterbankCurrency(InvalidRequest):
    code = "INTERBANK_CURRENCY"
    title = "Interbank clearing carries only the base currency"


class BadPaymentId(InvalidRequest):
    code = "BAD_PAYMENT_ID"
    title = "A clearing identifier is 1 to 35 characters"


class PaymentNotInState(Conflict):
    code = "INTERBANK_PAYMENT_STATE"
    title = "The interbank payment is not in a state that allows this"


class UnknownClearingMessage(BusinessRuleViolation):
    code = "CLEARING_MESSAGE_UNEXPECTED"
    title = "The clearing message refers to nothing this bank sent"
