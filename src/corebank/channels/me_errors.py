"""Errors of the customer's own banking (`/api/v1/me/...`). An object that is not the customer's is answered
with `channels.errors.NotYours` (NOT_FOUND), never with one of these."""

from __future__ import annotations

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest


class PayeeExists(Conflict):
    code = "PAYEE_EXISTS"
    title = "This account is already among your payees"


class PayeeAccountMismatch(BusinessRuleViolation):
    """An internal payee must name an open account of this bank with its holder's name; which of the two is
    wrong is not said, so the payee list cannot be used to find out who holds an account."""

    code = "PAYEE_ACCOUNT_MISMATCH"
    title = "No open account in this bank has that number and name"


class PayeeBankCodeInvalid(InvalidRequest):
    code = "PAYEE_BANK_CODE_INVALID"
    title = "The bank code is not a 12-digit CNAPS participant code"


class TransferTargetInvalid(InvalidRequest):
    code = "TRANSFER_TARGET_INVALID"
    title = "Name the payee: to_account (with bank_code for another bank) or payee_id, not both"


class CreditorNameRequired(InvalidRequest):
    code = "CREDITOR_NAME_REQUIRED"
    title = "A transfer to another bank needs the payee's name"
