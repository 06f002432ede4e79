"""Tellers: vaults, tills, cash between them, till balancing and voucher numbers."""

from corebank.tellers.errors import TillNotOpen
from corebank.tellers.schemas import CashMove, TillClose, TillOpen, TillRead, VaultRead
from corebank.tellers.service import (
    TillRef,
    close_till,
    current_till,
    get_till,
    list_tills,
    open_till,
    open_vault,
    return_to_vault,
    take_from_vault,
    vault_account,
    vault_balance,
    voucher_number,
)

__all__ = [
    "CashMove",
    "TillClose",
    "TillNotOpen",
    "TillOpen",
    "TillRead",
    "TillRef",
    "VaultRead",
    "close_till",
    "current_till",
    "get_till",
    "list_tills",
    "open_till",
    "open_vault",
    "return_to_vault",
    "take_from_vault",
    "vault_account",
    "vault_balance",
    "voucher_number",
]
