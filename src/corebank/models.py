"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from corebank.accounts.models import AccountHold, DepositAccount
from corebank.channels import (
    card_models,  # noqa: F401 - debit cards, ATM/POS terminals
    identity_models,  # noqa: F401 - e-banking logins, devices, sessions, one-time codes, the SMS outbox
    limit_models,  # noqa: F401 - channel limits and their use
    me_models,  # noqa: F401 - payees, notification settings
    message_models,  # noqa: F401 - secure messages between the bank and its customers
    monitoring_models,  # noqa: F401 - channel statistics and alerts
    points_models,  # noqa: F401 - points
    registry_models,  # noqa: F401 - the channel registry
)
from corebank.channels.atm import models as atm_models  # noqa: F401 - the ISO 8583 journal, ATM transfers
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
from corebank.products import fee_models  # noqa: F401 - the fee table
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
