"""`kill -9` in the middle of end of day, then `corebank eod run` again: it resumes at the step and chunk where it
stopped and makes exactly the books an uninterrupted run makes. Two copies of one bank close the same day
(20 June, a settlement day): one uninterrupted, one killed inside the settlement step and resumed.
Runs on SQLite files, or on two PostgreSQL databases when COREBANK_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from corebank import accounts, bootstrap, eod, tellers
from corebank.config import Settings
from corebank.security import SYSTEM, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate
from tests.factories import deposit, new_account

pytestmark = pytest.mark.slow

START = date(2026, 6, 1)
KILLED_DAY = date(2026, 6, 20)
CHUNK = "25"
ACCOUNTS = 240


def _pg_clone(admin_url: str, source: str, name: str) -> str:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(source).database}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _pg_drop(admin_url: str, url: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def _build_source(settings: Settings, url: str) -> None:
    """A bank with a few hundred funded accounts, closed day by day up to the eve of 20 June."""
    bank = bootstrap.build(settings.model_copy(update={"database_url": url}))
    try:
        bootstrap.upgrade_db(bank)
        bootstrap.initialize(bank, START)
        user = bank.run(
            security.create_user,
            SYSTEM,
            UserCreate(username="teller", roles=["teller"], branch_code="0001", password="Kill-resume-2026"),
        )
        teller = make_actor("teller", user.user.id, ("teller",), "0001", bank.branch_tree())
        bank.run(tellers.open_till, teller, tellers.TillOpen(opening_cash="1000.00"))
        for i in range(ACCOUNTS):
            acc = new_account(bank, teller)
            deposit(bank, teller, acc.number, f"{1000 + i * 37}.{i % 100:02d}")
        eod.run_until(bank, SYSTEM, date(2026, 6, 19))
        assert bank.run(lambda uow: uow.business_date, readonly=True) == KILLED_DAY
        assert bank.run(accounts.highest_account_id, readonly=True) > ACCOUNTS
    finally:
        bank.dispose()


def _env(settings: Settings, url: str, var: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COREBANK_")}
    env.update(
        COREBANK_DATABASE_URL=url,
        COREBANK_VAR_DIR=str(var),
        COREBANK_ENVIRONMENT="test",
        COREBANK_JWT_SECRET=settings.jwt_secret,
        COREBANK_DATA_KEYS=settings.data_keys,
        COREBANK_HASH_KEY=settings.hash_key,
        COREBANK_EOD_CHUNK_SIZE=CHUNK,
        NO_COLOR="1",
        **extra,
    )
    return env


def _eod(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "corebank.cli.main", "eod", "run", "--quiet"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _fingerprint(url: str) -> dict[str, Any]:
    """Everything end of day writes to the books, without surrogate ids or wall-clock times."""
    engine = create_engine(url)
    with engine.connect() as conn:

        def rows(sql: str) -> Any:
            return [tuple(r) for r in conn.execute(text(sql))]

        out = {
            "state": rows("SELECT business_date, phase FROM bank_state"),
            "balances": rows("SELECT id, balance, held FROM ledger_accounts ORDER BY id"),
            "entries": Counter(
                rows("SELECT kind, booking_date, value_date, memo, created_by FROM journal_entries")
            ),
            "lines": Counter(
                rows(
                    "SELECT e.kind, l.line_no, l.gl_code, l.branch_code, l.account_id, l.amount, l.balance_after,"
                    " l.booking_date, l.value_date, l.narrative FROM journal_lines l"
                    " JOIN journal_entries e ON e.id = l.entry_id"
                )
            ),
            "gl": rows(
                "SELECT business_date, gl_code, branch_code, currency, day_debit, day_credit, balance"
                " FROM gl_daily_balances ORDER BY 1, 2, 3, 4"
            ),
            "accumulators": rows(
                "SELECT account_id, accumulated, accrued_through, settled_through"
                " FROM interest_accumulators ORDER BY 1"
            ),
            "accruals": rows("SELECT * FROM product_accruals ORDER BY 1, 2, 3"),
        }
    engine.dispose()
    return out


def _step(url: str, name: str) -> tuple[str, int | None, int] | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT status, cursor, chunks FROM eod_steps WHERE name = :n AND business_date = :d"),
                {"n": name, "d": KILLED_DAY},
            ).first()
    finally:
        engine.dispose()
    return None if row is None else (row[0], row[1], row[2])


def test_kill_nine_mid_settlement_then_resume_gives_the_same_books(
    settings: Settings, tmp_path: Path
) -> None:
    admin = os.environ.get("COREBANK_TEST_DATABASE_URL")
    tag = uuid.uuid4().hex[:8]
    if admin:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "cb_src_{tag}"'))
        engine.dispose()
        source = make_url(admin).set(database=f"cb_src_{tag}").render_as_string(hide_password=False)
    else:
        source = f"sqlite:///{tmp_path / 'source.db'}"
    urls: list[str] = [source]
    try:
        _build_source(settings, source)
        if admin:
            clean = _pg_clone(admin, source, f"cb_clean_{tag}")
            killed = _pg_clone(admin, source, f"cb_killed_{tag}")
        else:
            shutil.copy(tmp_path / "source.db", tmp_path / "clean.db")
            shutil.copy(tmp_path / "source.db", tmp_path / "killed.db")
            clean, killed = f"sqlite:///{tmp_path / 'clean.db'}", f"sqlite:///{tmp_path / 'killed.db'}"
        urls += [clean, killed]

        # The uninterrupted run.
        done = _eod(_env(settings, clean, tmp_path / "var-clean"), tmp_path)
        out, _ = done.communicate(timeout=300)
        assert done.returncode == 0, out

        # The same day, slowed down between chunks, killed inside the settlement step.
        victim = _eod(
            _env(settings, killed, tmp_path / "var-killed", COREBANK_EOD_CHUNK_PAUSE_MS="60"), tmp_path
        )
        deadline = time.monotonic() + 120
        seen = None
        while time.monotonic() < deadline:
            seen = _step(killed, "deposits.settle_demand_interest")
            if seen is not None and seen[0] == "running" and (seen[1] or 0) > 0:
                break
            assert victim.poll() is None, victim.communicate()[0]
            time.sleep(0.01)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        assert victim.returncode == -signal.SIGKILL
        stopped = _step(killed, "deposits.settle_demand_interest")
        assert stopped is not None and stopped[0] == "running", stopped
        mid = _fingerprint(killed)
        assert mid["state"][0][1] == "closing"  # bookings stay stopped, the date is not rolled
        assert str(mid["state"][0][0]) == str(KILLED_DAY)

        # Run again: it takes over the dead run and resumes at the chunk after the last one committed.
        again = _eod(_env(settings, killed, tmp_path / "var-killed"), tmp_path)
        out, _ = again.communicate(timeout=300)
        assert again.returncode == 0, out
        resumed = _step(killed, "deposits.settle_demand_interest")
        clean_step = _step(clean, "deposits.settle_demand_interest")
        assert resumed is not None and clean_step is not None
        assert resumed[0] == "done" and resumed[1] == clean_step[1] and resumed[2] == clean_step[2]

        a, b = _fingerprint(clean), _fingerprint(killed)
        assert str(a["state"][0][0]) == str(date(2026, 6, 21)) and a["state"][0][1] == "open"
        assert any(k[0] == "interest_settlement" for k in a["entries"])
        for part in a:
            assert a[part] == b[part], part
    finally:
        if admin:
            for u in urls:
                _pg_drop(admin, u)
