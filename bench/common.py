"""Shared set-up for the benchmarks: a throwaway database, a bank with a teller and funded accounts.

SQLite by default (a temp file); with `--url postgresql+psycopg://...` a database of its own is created on
that server for the run and dropped afterwards, so an existing database is never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from corebank import accounts, bootstrap, customers, ledger
from corebank.config import Settings
from corebank.customers import make_resident_id
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate

BENCH_USER = "bench01"
BENCH_PASSWORD = "Bench-pass-2026"
START = date(2026, 3, 2)
REGIONS = ("110100", "310100", "330100", "440100", "510100")


@dataclass
class BenchBank:
    bank: bootstrap.Bank
    teller: Actor
    numbers: list[str]  # funded Type I accounts
    ids: dict[str, int]  # account number -> ledger account id
    settings: Settings
    business_date: date


@contextlib.contextmanager
def bench_database(url: str | None) -> Iterator[tuple[str, Path]]:
    """A fresh database URL and a var dir: a temp SQLite file, or a new database on the PostgreSQL server
    of `url` (created with AUTOCOMMIT, dropped at the end)."""
    with tempfile.TemporaryDirectory(prefix="corebank-bench-") as tmp:
        var = Path(tmp)
        if not url:
            yield f"sqlite:///{var / 'bench.db'}", var
            return
        name = f"corebank_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(url).set(database=name).render_as_string(hide_password=False), var
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def bench_settings(url: str, var: Path) -> Settings:
    return Settings(
        database_url=url,
        var_dir=var,
        environment="test",
        jwt_secret=secrets.token_hex(32),
        data_keys=json.dumps({"b1": secrets.token_hex(32)}),
        hash_key=secrets.token_hex(32),
    )


def server_env(s: Settings) -> dict[str, str]:
    """Environment for a server process that serves the same bank."""
    return {
        **os.environ,
        "COREBANK_DATABASE_URL": s.database_url,
        "COREBANK_VAR_DIR": str(s.var_dir),
        "COREBANK_ENVIRONMENT": s.environment,
        "COREBANK_JWT_SECRET": s.jwt_secret,
        "COREBANK_DATA_KEYS": s.data_keys,
        "COREBANK_HASH_KEY": s.hash_key,
    }


def prepare(settings: Settings, n_accounts: int, balance: str = "1000000.00") -> BenchBank:
    """Initialize the bank, add teller `bench01`, open `n_accounts` customers with a Type I account each and
    fund every account with `balance` received from the central bank (one posting per account)."""
    bank = bootstrap.build(settings)
    bootstrap.upgrade_db(bank)
    bootstrap.initialize(bank, START)
    user = bank.run(
        security.create_user,
        SYSTEM,
        UserCreate(username=BENCH_USER, roles=["teller"], branch_code="0001", password=BENCH_PASSWORD),
    )
    teller = make_actor(BENCH_USER, user.user.id, ("teller",), "0001", bank.branch_tree())

    def open_and_fund(uow: object, first: int, count: int) -> list[tuple[str, int]]:
        out = []
        for i in range(first, first + count):
            c = customers.open_customer(
                uow,  # type: ignore[arg-type]
                teller,
                customers.CustomerCreate(
                    type="individual",
                    name=f"Bench Customer {i}",
                    id_type="resident_id",
                    id_number=make_resident_id(
                        REGIONS[i % 5], date(1970 + i % 30, 1 + i % 12, 1 + i % 28), i
                    ),
                    phone=f"139{i:08d}",
                ),
            )
            acc = accounts.open_account(uow, teller, accounts.AccountOpen(customer_number=c.number))  # type: ignore[arg-type]
            aid = accounts.load_for_posting(uow, [acc.number])[acc.number].id  # type: ignore[arg-type]
            amount = Money.of(balance, "CNY")
            ledger.post(
                uow,  # type: ignore[arg-type]
                EntryDraft(
                    "clearing_in",
                    (
                        Leg.debit(chart.DUE_FROM_CENTRAL_BANK, "0001", amount),
                        Leg.credit(chart.DEMAND_DEPOSITS, "0001", amount, aid),
                    ),
                    memo="bench funding",
                ),
                by="system",
                channel="system",
            )
            out.append((acc.number, aid))
        return out

    pairs: list[tuple[str, int]] = []
    for first in range(0, n_accounts, 100):
        pairs += bank.run(open_and_fund, first, min(100, n_accounts - first))
    bd = bank.run(lambda uow: uow.business_date, readonly=True)
    return BenchBank(bank, teller, [n for n, _ in pairs], dict(pairs), settings, bd)


def machine() -> str:
    """One line on where the figures were measured (load average: other work on the machine skews them)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return (
        f"{platform.python_implementation()} {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line)
    print("-" * len(line))
    for r in rows:
        print(
            "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        )
