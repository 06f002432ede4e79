"""Payments: transfers between accounts of this bank and their reversal."""

from corebank.payments.schemas import ReversalPending, ReversalRequest, TransferCreate, TransferRead
from corebank.payments.service import (
    REVERSAL_KIND,
    execute_reversal,
    get_transfer,
    request_reversal,
    transfer,
)

__all__ = [
    "REVERSAL_KIND",
    "ReversalPending",
    "ReversalRequest",
    "TransferCreate",
    "TransferRead",
    "execute_reversal",
    "get_transfer",
    "request_reversal",
    "transfer",
]
