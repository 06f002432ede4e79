"""Finance: the books as staff read them (trial balance, journal entries)."""

from corebank.finance.schemas import EntryRead, TrialBalanceRead
from corebank.finance.service import journal_entry, trial_balance

__all__ = ["EntryRead", "TrialBalanceRead", "journal_entry", "trial_balance"]
