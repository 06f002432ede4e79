"""Test fixtures: a real database (SQLite file, or PostgreSQL when COREBANK_TEST_DATABASE_URL is set),
migrated with Alembic and initialized once per session; staff in every role at two branches; an HTTP client."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from corebank import bootstrap, ledger, tellers
from corebank.config import Settings
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate
from corebank.web.app import create_app
from tests.factories import Staff, StaffMember

START_DATE = date(2026, 3, 2)
PASSWORD = "Counter-pass-2026"


def _fresh_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("COREBANK_TEST_DATABASE_URL")
    if url:
        _fresh_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'corebank-test.db'}"


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var = tmp_path_factory.mktemp("var")
    return Settings(
        database_url=database_url,
        var_dir=Path(var),
        environment="test",
        jwt_secret=secrets.token_hex(32),
        data_keys=json.dumps({"t1": secrets.token_hex(32)}),
        hash_key=secrets.token_hex(32),
    )


@pytest.fixture(scope="session")
def bank(settings: Settings) -> Iterator[bootstrap.Bank]:
    b = bootstrap.build(settings)
    bootstrap.upgrade_db(b)
    result = bootstrap.initialize(b, START_DATE)
    assert result.created
    yield b
    b.dispose()


def _add_branch(uow, code: str, name: str) -> None:  # type: ignore[no-untyped-def]
    ledger.add_branch(uow, code, name, "0001", "branch")
    tellers.open_vault(uow, code, "CNY")
    vault = tellers.vault_account(uow, code, "CNY")
    head_vault = tellers.vault_account(uow, "0001", "CNY")
    from corebank.kernel.money import Money
    from corebank.ledger import EntryDraft, Leg, chart

    cash = Money.of("1000000.00", "CNY")
    ledger.post(
        uow,
        EntryDraft(
            "vault_transfer",
            (
                Leg.debit(chart.VAULT_CASH, code, cash, vault),
                Leg.credit(chart.VAULT_CASH, "0001", cash, head_vault),
            ),
        ),
        by="system",
        channel="system",
    )


@pytest.fixture(scope="session")
def staff(bank: bootstrap.Bank) -> Staff:
    """Staff in every role at head office 0001, and a teller and supervisor at branch 0002."""
    bank.run(_add_branch, "0002", "East branch")
    bank._tree_at = 0
    people = {
        "teller": ("teller", "0001"),
        "teller2": ("teller", "0001"),
        "supervisor": ("supervisor", "0001"),
        "manager": ("branch_manager", "0001"),
        "accountant": ("accountant", "0001"),
        "credit": ("credit_officer", "0001"),
        "approver": ("credit_approver", "0001"),
        "risk": ("risk_officer", "0001"),
        "auditor": ("auditor", "0001"),
        "east_teller": ("teller", "0002"),
        "east_supervisor": ("supervisor", "0002"),
        "admin2": ("admin", "0001"),
    }
    tree = bank.branch_tree()
    members: dict[str, StaffMember] = {}
    for name, (role, branch) in people.items():
        created = bank.run(
            security.create_user,
            SYSTEM,
            UserCreate(username=name, roles=[role], branch_code=branch, password=PASSWORD),
        )
        actor: Actor = make_actor(name, created.user.id, (role,), branch, tree)
        members[name] = StaffMember(name, PASSWORD, actor)
    for name in ("teller", "teller2", "supervisor", "east_teller"):
        bank.run(tellers.open_till, members[name].actor, tellers.TillOpen(opening_cash="200000.00"))
    return Staff(members)


@pytest.fixture(scope="session")
def app_client(bank: bootstrap.Bank, staff: Staff) -> Iterator[TestClient]:
    with TestClient(create_app(bank)) as c:
        yield c


@pytest.fixture(scope="session")
def auth(app_client: TestClient, staff: Staff):  # type: ignore[no-untyped-def]
    """auth('teller') -> Authorization headers for that staff member (tokens cached per session)."""
    cache: dict[str, dict[str, str]] = {}

    def headers(name: str) -> dict[str, str]:
        if name not in cache:
            r = app_client.post(
                "/api/v1/auth/token", data={"username": name, "password": staff[name].password}
            )
            assert r.status_code == 200, r.text
            cache[name] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return cache[name]

    return headers
