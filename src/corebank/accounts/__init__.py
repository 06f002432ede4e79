"""Accounts: deposit accounts, their states, holds and freezes, counter cash and closing."""

from corebank.accounts.cash import (
    CLOSE_KIND,
    WITHDRAWAL_KIND,
    cash_deposit,
    cash_withdrawal,
    close_account,
    execute_close,
    execute_withdrawal,
)
from corebank.accounts.errors import AccountNotFound, SameAccount
from corebank.accounts.schemas import (
    AccountClosedRead,
    AccountOpen,
    AccountRead,
    BlockRequest,
    CashOperation,
    CashReceipt,
    CloseRequest,
    FreezeRequest,
    HoldRead,
    HoldRequest,
    PendingApproval,
    Transaction,
    TransactionPage,
    UnfreezeRequest,
)
from corebank.accounts.service import (
    PostingAccount,
    accounts_of_customer,
    check_can_credit,
    check_can_debit,
    consume_class_limit,
    expire_holds,
    freeze,
    get_account,
    history,
    list_holds,
    load_for_posting,
    numbers_of,
    open_account,
    place_hold,
    reactivate,
    release_hold,
    set_blocks,
    statement_chunk,
    unfreeze,
)

__all__ = [
    "CLOSE_KIND", "WITHDRAWAL_KIND", "AccountClosedRead", "AccountNotFound", "AccountOpen", "AccountRead",
    "BlockRequest", "CashOperation", "CashReceipt", "CloseRequest", "FreezeRequest", "HoldRead", "HoldRequest",
    "PendingApproval", "PostingAccount", "SameAccount", "Transaction", "TransactionPage", "UnfreezeRequest",
    "accounts_of_customer", "cash_deposit", "cash_withdrawal", "check_can_credit", "check_can_debit",
    "close_account", "consume_class_limit", "execute_close", "execute_withdrawal", "expire_holds", "freeze",
    "get_account", "history", "list_holds", "load_for_posting", "numbers_of", "open_account", "place_hold", "reactivate",
    "release_hold", "set_blocks", "statement_chunk", "unfreeze",
]
