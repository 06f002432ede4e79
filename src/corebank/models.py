"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from corebank.accounts.models import AccountHold, DepositAccount
from corebank.customers.models import Customer, CustomerChange
from corebank.db.base import Base
from corebank.db.models import AuditHead, AuditRecord, BankState, IdempotencyRecord, OutboxEvent
from corebank.db.sequences import NumberSequence
from corebank.deposits import notice_models  # noqa: F401 - the notice deposit and sweep tables
from corebank.deposits.models import InterestAccumulator, ProductAccrual
from corebank.deposits.time_models import (
    TimeDeposit,
    TimeDepositCertificate,
    TimeDepositInterest,
    TimeDepositLossReport,
)
from corebank.eod.models import EodRun, EodStep
from corebank.ledger.models import Branch, GLAccount, GLDailyBalance, JournalEntry, JournalLine, LedgerAccount
from corebank.loans import collateral_models  # noqa: F401 - collateral and guarantors
from corebank.loans import models as loan_models  # noqa: F401 - the loan tables
from corebank.operations.models import Approval, CalendarDay
from corebank.payments import (
    bulk_models,  # noqa: F401 - pain.001 batches and their lines
    mandate_models,  # noqa: F401 - mandates, standing orders, billers
    recon_models,  # noqa: F401 - reconciliation runs and exceptions
)
from corebank.payments.interbank_models import InterbankPayment
from corebank.products.models import BaseRate, Product, ProductRate
from corebank.security.models import StaffRole, StaffUser
from corebank.tellers.models import Till, Vault

metadata = Base.metadata

__all__ = [
    "AccountHold",
    "Approval",
    "AuditHead",
    "AuditRecord",
    "BankState",
    "BaseRate",
    "Branch",
    "CalendarDay",
    "Customer",
    "CustomerChange",
    "DepositAccount",
    "EodRun",
    "EodStep",
    "GLAccount",
    "GLDailyBalance",
    "IdempotencyRecord",
    "InterbankPayment",
    "InterestAccumulator",
    "JournalEntry",
    "JournalLine",
    "LedgerAccount",
    "NumberSequence",
    "OutboxEvent",
    "Product",
    "ProductAccrual",
    "ProductRate",
    "StaffRole",
    "StaffUser",
    "Till",
    "TimeDeposit",
    "TimeDepositCertificate",
    "TimeDepositInterest",
    "TimeDepositLossReport",
    "Vault",
    "metadata",
]
