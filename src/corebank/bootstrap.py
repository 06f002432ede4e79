"""The composition root: settings, engine, unit-of-work factory, approval executors, migrations, init."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select

from corebank import accounts, deposits, ledger, operations, payments, products, tellers
from corebank.channels import limits as channel_limits
from corebank.config import Settings
from corebank.db.engine import make_engine
from corebank.db.models import AuditHead, BankState
from corebank.db.uow import GENESIS, UnitOfWork, UnitOfWorkFactory
from corebank.kernel.clock import SystemClock, WallClock
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.products import fee_schedule
from corebank.security import SYSTEM
from corebank.security import service as security
from corebank.security.schemas import UserCreate

T = TypeVar("T")
MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Bank:
    """A running bank: its settings, database engine and the factory that runs business commands."""

    settings: Settings
    engine: Engine
    uow: UnitOfWorkFactory
    _tree: dict[str, str | None] = field(default_factory=dict)
    _tree_at: float = 0.0  # float ok: monotonic seconds, not money

    def run(
        self, fn: Callable[..., T], *args: Any, readonly: bool = False, eod: bool = False, **kwargs: Any
    ) -> T:
        """Run one business command `fn(uow, *args)` in its own transaction (`eod`: end of day's own)."""
        return self.uow.run(fn, *args, readonly=readonly, eod=eod, **kwargs)

    def branch_tree(self) -> dict[str, str | None]:
        """Branch code -> parent code, cached for 30 seconds (branches change rarely)."""
        if not self._tree or time.monotonic() - self._tree_at > 30:
            self._tree = self.run(lambda uow: dict(ledger.branch_tree(uow)), readonly=True)
            self._tree_at = time.monotonic()
        return self._tree

    def dispose(self) -> None:
        """Close the database connections."""
        self.engine.dispose()


def wire_approvals() -> None:
    """Tell the maker-checker what runs when each kind of request is approved."""
    operations.register_executor(accounts.WITHDRAWAL_KIND, accounts.execute_withdrawal)
    operations.register_executor(accounts.CLOSE_KIND, accounts.execute_close)
    operations.register_executor(payments.REVERSAL_KIND, payments.execute_reversal)
    operations.register_executor(products.RATE_CHANGE_KIND, products.execute_rate_change)
    operations.register_executor(deposits.CASH_PAYOUT_KIND, deposits.execute_cash_payout)
    operations.register_executor(
        deposits.NOTICE_CASH_WITHDRAWAL_KIND, deposits.execute_notice_cash_withdrawal
    )
    deposits.wire()


def build(settings: Settings | None = None, clock: WallClock | None = None) -> Bank:
    """Build the bank from settings (development secrets are generated under var/ when missing)."""
    s = (settings or Settings()).with_dev_secrets()
    engine = make_engine(s.database_url)
    wire_approvals()
    return Bank(settings=s, engine=engine, uow=UnitOfWorkFactory(engine, s, clock or SystemClock()))


def alembic_config(url: str) -> Any:
    """Alembic configuration pointing at the packaged migrations."""
    from alembic.config import Config  # imported here: every other command starts faster without it

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_db(bank: Bank, revision: str = "head") -> None:
    """Bring the schema up to `revision` with Alembic."""
    from alembic import command

    cfg = alembic_config(bank.settings.database_url)
    with bank.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@dataclass(frozen=True)
class InitResult:
    created: bool
    admin_password: str | None
    business_date: date | None


OPENING_VAULT_CASH = "5000000.00"
OPENING_CENTRAL_BANK = "500000000.00"


def _seed_channel_tables(uow: UnitOfWork) -> None:
    # The default channel limits and fees (DOMAIN.md) of a new bank; an existing bank got them from the
    # migration that made the tables, and keeps its own changes (a limit removed stays removed).
    channel_limits.seed_limits(uow)
    fee_schedule.seed_fees(uow)


def _initialize(uow: UnitOfWork, business_date: date) -> InitResult:
    if uow.session.execute(select(BankState.id)).first():
        # An existing bank picks up reference data added by later releases (new GL accounts, products).
        ledger.seed_chart(uow)
        products.seed_standard_products(uow)
        return InitResult(False, None, None)
    s = uow.settings
    uow.session.add(
        BankState(
            id=1,
            bank_code=s.bank_code,
            bank_name=s.bank_name,
            business_date=business_date,
            base_currency=s.base_currency,
            initialized_at=uow.now,
        )
    )
    uow.session.add(AuditHead(id=1, seq=0, hash=GENESIS))
    uow.session.flush()
    ledger.seed_chart(uow)
    ledger.add_branch(uow, s.head_office_code, "Head office", None, "head_office")
    products.seed_standard_products(uow, business_date)
    tellers.open_vault(uow, s.head_office_code, s.base_currency)
    vault_acc = tellers.vault_account(uow, s.head_office_code, s.base_currency)
    cash, cb = Money.of(OPENING_VAULT_CASH, s.base_currency), Money.of(OPENING_CENTRAL_BANK, s.base_currency)
    ho = s.head_office_code
    ledger.post(
        uow,
        EntryDraft(
            "opening_capital",
            (
                Leg.debit(chart.VAULT_CASH, ho, cash, vault_acc),
                Leg.debit(chart.DUE_FROM_CENTRAL_BANK, ho, cb),
                Leg.credit(chart.PAID_IN_CAPITAL, ho, cash + cb),
            ),
            memo="paid-in capital",
        ),
        by="system",
        channel="system",
    )
    created = security.create_user(
        uow, SYSTEM, UserCreate(username="admin", roles=["admin"], branch_code=ho, full_name="Administrator")
    )
    _seed_channel_tables(uow)
    uow.audit(SYSTEM, "bank.init", "bank", s.bank_code, business_date=str(business_date))
    return InitResult(True, created.generated_password, business_date)


def initialize(bank: Bank, business_date: date | None = None) -> InitResult:
    """Set up a new bank once: head office, chart of accounts, standard products, vault, capital, admin user."""
    return bank.run(_initialize, business_date or SystemClock().now().date())
