"""Integration fixtures: `fresh_bank`, a bank of its own on its own database, for tests that move the business
date (the shared session `bank` must stay on its date because every other test uses it)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import create_engine, text, update
from sqlalchemy.engine import make_url

from corebank import bootstrap, ledger, tellers
from corebank.config import Settings
from corebank.db.models import BankState
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate

FRESH_START = date(2026, 6, 1)
TILL_CASH = "200000.00"
PASSWORD = "Fresh-bank-pass-1"


def _seed_east_branch(uow, code: str) -> None:  # type: ignore[no-untyped-def]
    ledger.add_branch(uow, code, "East branch", "0001", "branch")
    tellers.open_vault(uow, code, "CNY")
    cash = Money.of("1000000.00", "CNY")
    ledger.post(
        uow,
        EntryDraft(
            "vault_transfer",
            (
                Leg.debit(chart.VAULT_CASH, code, cash, tellers.vault_account(uow, code, "CNY")),
                Leg.credit(chart.VAULT_CASH, "0001", cash, tellers.vault_account(uow, "0001", "CNY")),
            ),
        ),
        by="system",
        channel="system",
    )


def _set_business_date(uow, day: date) -> None:  # type: ignore[no-untyped-def]
    uow.session.execute(update(BankState).where(BankState.id == 1).values(business_date=day))


@dataclass
class FreshBank:
    """A bank with head office 0001 and branch 0002, a teller, a supervisor and an east teller with open tills."""

    bank: bootstrap.Bank
    actors: dict[str, Actor] = field(default_factory=dict)

    @property
    def teller(self) -> Actor:
        return self.actors["teller"]

    @property
    def supervisor(self) -> Actor:
        return self.actors["supervisor"]

    @property
    def east_teller(self) -> Actor:
        return self.actors["east_teller"]

    def business_date(self) -> date:
        return self.bank.run(lambda uow: uow.business_date, readonly=True)

    def add_staff(self, username: str, role: str, branch: str) -> Actor:
        created = self.bank.run(
            security.create_user,
            SYSTEM,
            UserCreate(username=username, roles=[role], branch_code=branch, password=PASSWORD),
        )
        actor = make_actor(username, created.user.id, (role,), branch, self.bank.branch_tree())
        self.actors[username] = actor
        return actor

    def open_tills(self) -> None:
        for name in ("teller", "supervisor", "east_teller"):
            self.bank.run(tellers.open_till, self.actors[name], tellers.TillOpen(opening_cash=TILL_CASH))

    def move_to(self, day: date) -> None:
        """Move the business date forward (as end of day would) and open the day's tills."""
        assert day > self.business_date()
        self.bank.run(_set_business_date, day)
        self.open_tills()


def _create_database(admin_url: str) -> str:
    name = f"corebank_fresh_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="module")
def fresh_bank(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshBank]:
    """A separate bank on its own database (an SQLite file, or a new PostgreSQL database on the test server),
    initialized on FRESH_START; dropped afterwards."""
    admin_url = os.environ.get("COREBANK_TEST_DATABASE_URL")
    url = (
        _create_database(admin_url) if admin_url else f"sqlite:///{tmp_path_factory.mktemp('fresh')}/fresh.db"
    )
    b = bootstrap.build(settings.model_copy(update={"database_url": url}))
    try:
        bootstrap.upgrade_db(b)
        assert bootstrap.initialize(b, FRESH_START).created
        b.run(_seed_east_branch, "0002")
        fb = FreshBank(b)
        fb.add_staff("teller", "teller", "0001")
        fb.add_staff("supervisor", "supervisor", "0001")
        fb.add_staff("east_teller", "teller", "0002")
        fb.open_tills()
        yield fb
    finally:
        b.dispose()
        if admin_url:
            _drop_database(admin_url, url)
