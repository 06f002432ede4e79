"""Finance: the books as staff read them (trial balance, journal entries), and account statements."""

from corebank.finance.schemas import EntryRead, TrialBalanceRead
from corebank.finance.service import journal_entry, trial_balance
from corebank.finance.statements import (
    FORMATS,
    MEDIA_TYPES,
    InvalidPeriod,
    Statement,
    StatementFormat,
    StatementLine,
    StatementOutOfBalance,
    StatementPeriod,
    StatementTotals,
    account_statement,
    month_period,
    parse_format,
    parse_period,
    statement_lines,
    write_statement,
)

__all__ = [
    "FORMATS",
    "MEDIA_TYPES",
    "EntryRead",
    "InvalidPeriod",
    "Statement",
    "StatementFormat",
    "StatementLine",
    "StatementOutOfBalance",
    "StatementPeriod",
    "StatementTotals",
    "TrialBalanceRead",
    "account_statement",
    "journal_entry",
    "month_period",
    "parse_format",
    "parse_period",
    "statement_lines",
    "trial_balance",
    "write_statement",
]
