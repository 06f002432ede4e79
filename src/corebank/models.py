"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from corebank.accounts.models import AccountHold, DepositAccount
from corebank.customers.models import Customer, CustomerChange
from corebank.db.base import Base
from corebank.db.models import AuditHead, AuditRecord, BankState, IdempotencyRecord, OutboxEvent
from corebank.db.sequences import NumberSequence
from corebank.ledger.models import Branch, GLAccount, GLDailyBalance, JournalEntry, JournalLine, LedgerAccount
from corebank.operations.models import Approval
from corebank.products.models import Product
from corebank.security.models import StaffRole, StaffUser
from corebank.tellers.models import Till, Vault

metadata = Base.metadata

__all__ = [
    "AccountHold",
    "Approval",
    "AuditHead",
    "AuditRecord",
    "BankState",
    "Branch",
    "Customer",
    "CustomerChange",
    "DepositAccount",
    "GLAccount",
    "GLDailyBalance",
    "IdempotencyRecord",
    "JournalEntry",
    "JournalLine",
    "LedgerAccount",
    "NumberSequence",
    "OutboxEvent",
    "Product",
    "StaffRole",
    "StaffUser",
    "Till",
    "Vault",
    "metadata",
]
