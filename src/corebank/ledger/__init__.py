"""The ledger: the one place any balance changes (double entry). It imports no other business area."""

from corebank.ledger import chart
from corebank.ledger.errors import (
    AlreadyReversed,
    BalanceCeiling,
    CreditBlocked,
    DebitBlocked,
    EntryNotFound,
    InsufficientFunds,
    UnbalancedEntry,
)
from corebank.ledger.schemas import AccountBalance, EntryDraft, Leg, PostedEntry, TrialBalance
from corebank.ledger.service import (
    account_lines,
    add_branch,
    balances,
    branch_tree,
    change_held,
    close_account,
    get_entry,
    gl_balances,
    list_branches,
    list_chart,
    open_account,
    post,
    reversal_of,
    reverse,
    seed_chart,
    set_movement_rules,
    snapshot_gl_balances,
    subledger_totals,
    trial_balance,
)

__all__ = [
    "AccountBalance", "AlreadyReversed", "BalanceCeiling", "CreditBlocked", "DebitBlocked", "EntryDraft",
    "EntryNotFound", "InsufficientFunds", "Leg", "PostedEntry", "TrialBalance", "UnbalancedEntry",
    "account_lines", "add_branch", "balances", "branch_tree", "chart", "change_held", "close_account",
    "get_entry", "gl_balances", "list_branches", "list_chart", "open_account", "post", "reversal_of", "reverse",
    "seed_chart", "set_movement_rules", "snapshot_gl_balances", "subledger_totals", "trial_balance",
]
