"""The ledger: the one place any balance changes (double entry). It imports no other business area."""

from corebank.ledger import chart
from corebank.ledger.books import gl_balances, snapshot_gl_balances, subledger_totals, trial_balance
from corebank.ledger.bulk import credit_many, credit_many_from
from corebank.ledger.errors import (
    AlreadyReversed,
    BalanceCeiling,
    CreditBlocked,
    DebitBlocked,
    EntryNotFound,
    InsufficientFunds,
    UnbalancedEntry,
)
from corebank.ledger.reference import add_branch, branch_tree, list_branches, list_chart, seed_chart
from corebank.ledger.schemas import AccountBalance, EntryDraft, Leg, PostedEntry, TrialBalance
from corebank.ledger.service import (
    account_lines,
    balances,
    change_held,
    close_account,
    get_entry,
    journal_entries_table,
    journal_lines_table,
    open_account,
    post,
    reversal_of,
    reverse,
    set_movement_rules,
    subledger_table,
)

__all__ = [
    "AccountBalance",
    "AlreadyReversed",
    "BalanceCeiling",
    "CreditBlocked",
    "DebitBlocked",
    "EntryDraft",
    "EntryNotFound",
    "InsufficientFunds",
    "Leg",
    "PostedEntry",
    "TrialBalance",
    "UnbalancedEntry",
    "account_lines",
    "add_branch",
    "balances",
    "branch_tree",
    "change_held",
    "chart",
    "close_account",
    "credit_many",
    "credit_many_from",
    "get_entry",
    "gl_balances",
    "journal_entries_table",
    "journal_lines_table",
    "list_branches",
    "list_chart",
    "open_account",
    "post",
    "reversal_of",
    "reverse",
    "seed_chart",
    "set_movement_rules",
    "snapshot_gl_balances",
    "subledger_table",
    "subledger_totals",
    "trial_balance",
]
