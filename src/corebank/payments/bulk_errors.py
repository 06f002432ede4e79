"""Errors of bulk payment files; each rejects the whole file and changes nothing."""

from __future__ import annotations

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound


class DuplicateMessage(Conflict):
    code = "DUPLICATE_MESSAGE"
    title = "This payer's file with that message id was already processed"


class SeveralPayers(InvalidRequest):
    code = "BULK_SEVERAL_PAYERS"
    title = "Every payment information block of a file must debit the same account"


class PayerNotHere(InvalidRequest):
    code = "BULK_PAYER_BANK"
    title = "The debtor agent of the file is not this bank"


class BulkCurrency(BusinessRuleViolation):
    code = "BULK_CURRENCY"
    title = "The file's lines must be in the payer account's currency"


class BulkBatchNotFound(NotFound):
    code = "BULK_BATCH_NOT_FOUND"
    title = "No such bulk batch"
