"""Ledger errors."""

from __future__ import annotations

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound


class UnbalancedEntry(InvalidRequest):
    code = "UNBALANCED_ENTRY"
    title = "Debits and credits differ"


class InsufficientFunds(BusinessRuleViolation):
    code = "INSUFFICIENT_FUNDS"
    title = "The available balance is not enough"


class DebitBlocked(BusinessRuleViolation):
    code = "ACCOUNT_DEBIT_BLOCKED"
    title = "The account may not be debited"


class CreditBlocked(BusinessRuleViolation):
    code = "ACCOUNT_CREDIT_BLOCKED"
    title = "The account may not be credited"


class BalanceCeiling(BusinessRuleViolation):
    code = "BALANCE_LIMIT_EXCEEDED"
    title = "The account's balance limit would be exceeded"


class LedgerAccountNotFound(NotFound):
    code = "LEDGER_ACCOUNT_NOT_FOUND"


class EntryNotFound(NotFound):
    code = "ENTRY_NOT_FOUND"
    title = "No such journal entry"


class AlreadyReversed(Conflict):
    code = "ALREADY_REVERSED"
    title = "This entry has already been reversed"


class NotReversible(BusinessRuleViolation):
    code = "NOT_REVERSIBLE"
    title = "This entry cannot be reversed"
