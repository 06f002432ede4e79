"""Errors of the ATM/POS switch and of ATM transfers (the switch maps them to ISO 8583 response codes)."""

from __future__ import annotations

from corebank.kernel.errors import BusinessRuleViolation, Conflict, NotFound


class AtmTransferNotFound(NotFound):
    code = "ATM_TRANSFER_NOT_FOUND"
    title = "No such ATM transfer"


class AtmTransferNotPending(Conflict):
    """Only a transfer still waiting for its credit (pending) can be revoked."""

    code = "ATM_TRANSFER_NOT_PENDING"
    title = "This ATM transfer is no longer pending"


class AtmCashShort(BusinessRuleViolation):
    """The ATM's cash account (GL 1005) holds less than the withdrawal: the books say it cannot pay out."""

    code = "ATM_CASH_SHORT"
    title = "The ATM does not hold enough cash"


class PayeeRefused(BusinessRuleViolation):
    """The transfer's payee (field 103) is not an account of this bank that can receive."""

    code = "ATM_PAYEE_REFUSED"
    title = "The payee account cannot receive this transfer"
