"""Payment errors."""

from corebank.kernel.errors import BusinessRuleViolation, NotFound


class TransferNotFound(NotFound):
    code = "TRANSFER_NOT_FOUND"
    title = "No such transfer"


class ReversalWindowClosed(BusinessRuleViolation):
    code = "REVERSAL_WINDOW_CLOSED"
    title = "Only transfers of the current business date can be reversed"
