"""Teller errors."""

from corebank.kernel.errors import BusinessRuleViolation, Conflict, NotFound


class TillNotOpen(BusinessRuleViolation):
    code = "TILL_NOT_OPEN"
    title = "Open your till for today first"


class TillAlreadyOpen(Conflict):
    code = "TILL_ALREADY_OPEN"
    title = "You already have a till open for this business date"


class TillNotFound(NotFound):
    code = "TILL_NOT_FOUND"
    title = "No such till"


class TillClosed(Conflict):
    code = "TILL_CLOSED"
    title = "The till is closed"


class NotYourTill(BusinessRuleViolation):
    code = "NOT_YOUR_TILL"
    title = "Only the teller who opened a till may work it"


class VaultNotFound(NotFound):
    code = "VAULT_NOT_FOUND"
    title = "The branch has no vault in that currency"
