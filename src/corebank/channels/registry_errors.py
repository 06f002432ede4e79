"""Errors of the channel registry and the limits (the shared ones are in `channels.errors`)."""

from __future__ import annotations

from corebank.kernel.errors import InvalidRequest


class UnknownTransactionType(InvalidRequest):
    code = "UNKNOWN_TX_TYPE"
    title = "No such transaction type"


class InvalidLimit(InvalidRequest):
    code = "INVALID_LIMIT"
    title = "The limit is not valid"


class LimitAboveBank(InvalidRequest):
    """A customer may lower their own limits, never raise them past the bank's."""

    code = "LIMIT_ABOVE_BANK"
    title = "A customer's own limit may not be above the bank's"
