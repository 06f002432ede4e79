"""The demo bank: it loads through the real services, every book balances, and it is the same every time.

The full-size demo (1,000 customers, 60 days) runs on SQLite; when COREBANK_TEST_DATABASE_URL points at
PostgreSQL, a reduced demo runs in a database of its own on that server instead.
"""

from __future__ import annotations

import json
import os
import secrets
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from corebank import bootstrap, demo, ledger
from corebank.accounts.models import DepositAccount
from corebank.config import Settings
from corebank.customers.models import Customer
from corebank.ledger.models import JournalEntry, JournalLine, LedgerAccount
from corebank.payments import billers
from corebank.security import SYSTEM
from corebank.security import service as security
from corebank.security.models import StaffRole, StaffUser
from corebank.security.permissions import ROLES

START = date(2026, 1, 1)
PG_URL = os.environ.get("COREBANK_TEST_DATABASE_URL")
on_sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="the SQLite run covers the full-size demo")


def _new_bank(url: str, var: Path) -> bootstrap.Bank:
    settings = Settings(
        database_url=url,
        var_dir=var,
        environment="test",
        jwt_secret=secrets.token_hex(32),
        data_keys=json.dumps({"t1": secrets.token_hex(32)}),
        hash_key=secrets.token_hex(32),
    )
    bank = bootstrap.build(settings)
    bootstrap.upgrade_db(bank)
    assert bootstrap.initialize(bank, START).created
    return bank


def _sqlite_bank(tmp: Path) -> bootstrap.Bank:
    return _new_bank(f"sqlite:///{tmp / 'demo.db'}", tmp)


def _books(uow: Any) -> dict[str, Any]:
    """What the demo left behind: counts, balances, and whether every book balances."""
    s = uow.session
    branches = [b["code"] for b in ledger.list_branches(uow)]
    control: dict[tuple[str, str, str], int] = {}
    for gl, br, cur, bal in ledger.gl_balances(uow, uow.business_date):
        control[(gl, br, cur)] = bal
    return {
        "business_date": uow.business_date,
        "branches": branches,
        "customers": s.execute(select(func.count()).select_from(Customer)).scalar_one(),
        "billers": len(billers.list_billers(uow, SYSTEM)),
        "accounts": s.execute(select(func.count()).select_from(DepositAccount)).scalar_one(),
        "entries": s.execute(select(func.count()).select_from(JournalEntry)).scalar_one(),
        "lines": s.execute(select(func.count()).select_from(JournalLine)).scalar_one(),
        "balance_sum": s.execute(select(func.sum(LedgerAccount.balance))).scalar_one(),
        "balances": s.execute(
            select(DepositAccount.number, LedgerAccount.balance, LedgerAccount.held)
            .join(LedgerAccount, LedgerAccount.id == DepositAccount.id)
            .order_by(DepositAccount.number)
        ).all(),
        "names": s.execute(select(Customer.number, Customer.name).order_by(Customer.number)).all(),
        "balanced": {
            br or "bank": ledger.trial_balance(uow, branch_code=br).balanced for br in [None, *branches]
        },
        "subledgers_match_control": all(
            control.get((gl, br, cur), 0) == total for gl, br, cur, total in ledger.subledger_totals(uow)
        ),
        "till_differences": s.execute(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "till_difference")
        ).scalar_one(),
        "roles": set(s.execute(select(StaffRole.role)).scalars()),
        "staff": set(s.execute(select(StaffUser.username)).scalars()),
        "audit": security.verify_audit_chain(uow),
    }


def _assert_sound(books: dict[str, Any], days: int) -> None:
    assert books["business_date"] == START + timedelta(days=days)
    assert books["branches"] == ["0001", "0002"]
    assert all(books["balanced"].values()), books["balanced"]
    assert books["subledgers_match_control"]
    assert books["audit"].ok, books["audit"].detail
    assert set(ROLES) <= books["roles"]
    assert {"teller01", "teller02", "teller21", "supervisor01", "supervisor21"} <= books["staff"]


@pytest.fixture(scope="module")
def full_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[bootstrap.Bank, str]]:
    bank = _sqlite_bank(tmp_path_factory.mktemp("demo-full"))
    assert demo.is_empty(bank)
    summary = demo.load(bank)
    yield bank, summary
    bank.dispose()


@pytest.mark.slow
@on_sqlite_only
def test_demo_bank_holds_a_thousand_customers_and_sixty_balanced_days(
    full_demo: tuple[bootstrap.Bank, str],
) -> None:
    bank, summary = full_demo
    books = bank.run(_books, readonly=True)
    _assert_sound(books, demo.DEMO_DAYS)
    # The thousand people and businesses, and the two billers' companies (the power company, the top-up).
    assert books["customers"] == 1000 + len(billers.STANDARD_BILLERS)
    assert books["billers"] == len(billers.STANDARD_BILLERS)
    assert 1400 <= books["accounts"] <= 1600
    assert books["entries"] > 5000
    # The planner's own model of every till matched the ledger: only the two planned 长短款 show up.
    assert books["till_differences"] == 2
    assert f"{books['customers']} customers" in summary and demo.DEMO_PASSWORD in summary
    assert not demo.is_empty(bank)


@on_sqlite_only
def test_demo_is_the_same_bank_every_time(tmp_path: Path) -> None:
    runs = []
    for n in (1, 2):
        (tmp_path / str(n)).mkdir()
        bank = _sqlite_bank(tmp_path / str(n))
        demo.load(bank, customers=100, days=5)
        runs.append(bank.run(_books, readonly=True))
        bank.dispose()
    first, second = runs
    _assert_sound(first, 5)
    assert first["customers"] == 100 + len(billers.STANDARD_BILLERS) and first["entries"] > 100
    for k in ("accounts", "entries", "lines", "balance_sum", "balances", "names", "till_differences"):
        assert first[k] == second[k], k


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A database of its own on the test PostgreSQL server, dropped afterwards."""
    assert PG_URL
    name = f"corebank_demo_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.skipif(not PG_URL, reason="needs COREBANK_TEST_DATABASE_URL (PostgreSQL)")
def test_reduced_demo_loads_and_balances_on_postgresql(postgres_database: str, tmp_path: Path) -> None:
    bank = _new_bank(postgres_database, tmp_path)
    try:
        summary = demo.load(bank, customers=100, days=5)
        books = bank.run(_books, readonly=True)
    finally:
        bank.dispose()
    _assert_sound(books, 5)
    assert books["customers"] == 100 + len(billers.STANDARD_BILLERS)
    assert books["till_differences"] == 2
    assert f"{books['customers']} customers" in summary
