"""Typed errors. Each carries a stable code; adapters map them to HTTP, ISO 8583 and CLI answers."""

from __future__ import annotations

from typing import Any, ClassVar


class CoreBankError(Exception):
    """Base of every business error. `code` is stable and documented; `status` is the HTTP class."""

    code: ClassVar[str] = "ERROR"
    status: ClassVar[int] = 400
    title: ClassVar[str] = "Request refused"

    def __init__(self, detail: str = "", **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra


class InvalidRequest(CoreBankError):
    code = "INVALID_REQUEST"
    status = 422
    title = "The request is not valid"


class InvalidAmount(InvalidRequest):
    code = "INVALID_AMOUNT"
    title = "The amount is not valid"


class UnsupportedCurrency(InvalidRequest):
    code = "UNSUPPORTED_CURRENCY"
    title = "The currency is not supported here"


class CurrencyMismatch(InvalidRequest):
    code = "CURRENCY_MISMATCH"
    title = "The currency does not match the account"


class NotFound(CoreBankError):
    code = "NOT_FOUND"
    status = 404
    title = "Not found"


class Conflict(CoreBankError):
    code = "CONFLICT"
    status = 409
    title = "The request conflicts with the current state"


class BookingsClosed(Conflict):
    """End of day has stopped bookings for the date it is closing; they resume on the next business date."""

    code = "BOOKINGS_CLOSED"
    title = "End of day is closing the books: try again when it has opened the next business date"


class BusinessRuleViolation(CoreBankError):
    code = "BUSINESS_RULE"
    status = 422
    title = "A business rule refuses this request"


class NotAuthenticated(CoreBankError):
    code = "NOT_AUTHENTICATED"
    status = 401
    title = "Log in first"


class PermissionDenied(CoreBankError):
    code = "PERMISSION_DENIED"
    status = 403
    title = "You may not do this"


class OutOfScope(PermissionDenied):
    code = "OUT_OF_BRANCH_SCOPE"
    title = "That object belongs to a branch outside your scope"


class IdempotencyKeyMissing(InvalidRequest):
    code = "IDEMPOTENCY_KEY_REQUIRED"
    status = 400
    title = "Money-moving requests need an Idempotency-Key header"


class IdempotencyKeyReused(Conflict):
    code = "IDEMPOTENCY_KEY_REUSED"
    title = "This Idempotency-Key was used before with a different request"


class ApprovalRequired(CoreBankError):
    """Not a failure: the action waits for a second person. Carries the pending approval id."""

    code = "APPROVAL_REQUIRED"
    status = 202
    title = "A supervisor must approve this"
