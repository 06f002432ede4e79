"""Errors that cross the channels area's parts (and map to ISO 8583 response codes in the ATM switch)."""

from __future__ import annotations

from corebank.kernel.errors import BusinessRuleViolation, CoreBankError, NotAuthenticated, NotFound


class ChannelClosed(CoreBankError):
    code = "CHANNEL_CLOSED"
    status = 503
    title = "This channel is closed"


class TransactionTypeClosed(CoreBankError):
    code = "CHANNEL_TX_CLOSED"
    status = 503
    title = "This transaction type is closed on this channel"


class ChannelNotFound(NotFound):
    code = "CHANNEL_NOT_FOUND"
    title = "No such channel"


class LimitExceeded(BusinessRuleViolation):
    """`extra` carries `limit` (single | daily | yearly | count), `channel`, `tx_type` and `allowed`."""

    code = "LIMIT_EXCEEDED"
    title = "The amount is over the limit for this channel"


class SigningRequired(CoreBankError):
    """The transfer needs a one-time code bound to its amount and payee; ask for a signing challenge."""

    code = "SIGNING_REQUIRED"
    status = 428
    title = "This transaction needs a one-time code bound to its amount and payee"


class SigningCodeInvalid(NotAuthenticated):
    """Wrong, expired, already used, or issued for another amount or payee."""

    code = "SIGNING_CODE_INVALID"
    title = "The one-time code is not valid for this transaction"


class NotYours(NotFound):
    """A customer asked for an object that is not theirs: answered as not found, so nothing leaks."""

    code = "NOT_FOUND"
    title = "Not found"
