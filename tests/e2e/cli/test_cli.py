"""The real `corebank` command line, run in a subprocess against its own SQLite file (even in the PostgreSQL
run: backup and restore here are the SQLite kind): init, users, the audit chain, backup and restore."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from corebank.security.passwords import verify_password

Run = Callable[..., subprocess.CompletedProcess[str]]


@dataclass(frozen=True)
class CliBank:
    db: Path
    var: Path
    run: Run
    init: subprocess.CompletedProcess[str]


def _runner(db: Path, var: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COREBANK_")}
    env.update(
        COREBANK_DATABASE_URL=f"sqlite:///{db}",
        COREBANK_VAR_DIR=str(var),
        COLUMNS="200",  # no line wrapping by Rich
        NO_COLOR="1",
    )

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "corebank.cli.main", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=var.parent,
            timeout=120,
        )

    return run


def _query(db: Path, sql: str, *params: object) -> list[tuple]:  # type: ignore[type-arg]
    # Closed at once: an open connection in this process would outlive `restore` swapping the file under it.
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def cli_bank(tmp_path_factory: pytest.TempPathFactory) -> CliBank:
    """A bank set up by `corebank init` in a temporary directory."""
    home = tmp_path_factory.mktemp("cli")
    db, var = home / "cb.db", home / "var"
    run = _runner(db, var)
    first = run("init")
    assert first.returncode == 0, first.stdout + first.stderr
    return CliBank(db, var, run, first)


def test_init_shows_the_admin_password_once_and_is_safe_to_rerun(cli_bank: CliBank) -> None:
    out = cli_bank.init.stdout
    assert "bank initialized" in out
    found = re.search(r"admin password \(shown once\): (\S+)", out)
    assert found, out
    password = found.group(1)
    (stored,) = _query(cli_bank.db, "SELECT password_hash FROM staff_users WHERE username = 'admin'")
    assert verify_password(stored[0], password)
    assert password not in stored[0]
    # Development only: the password is also left in var/ for the operator, readable by the owner alone.
    pw_file = cli_bank.var / "admin-password.txt"
    assert pw_file.read_text().strip() == password
    assert pw_file.stat().st_mode & 0o077 == 0

    again = cli_bank.run("init")
    assert again.returncode == 0, again.stderr
    assert "already initialized" in again.stdout
    assert "admin password" not in again.stdout
    assert _query(cli_bank.db, "SELECT count(*) FROM staff_users WHERE username = 'admin'") == [(1,)]
    assert _query(cli_bank.db, "SELECT count(*) FROM bank_state") == [(1,)]


def test_user_add_reads_the_password_from_stdin(cli_bank: CliBank) -> None:
    r = cli_bank.run(
        "user",
        "add",
        "bob",
        "--role",
        "teller",
        "--branch",
        "0001",
        "--password-stdin",
        stdin="Bob-pass-2026\n",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "user bob (teller) at branch 0001" in r.stdout
    assert "Bob-pass-2026" not in r.stdout and "password (shown once)" not in r.stdout
    rows = _query(
        cli_bank.db,
        "SELECT u.branch_code, u.status, u.password_hash, r.role FROM staff_users u "
        "JOIN staff_roles r ON r.user_id = u.id WHERE u.username = 'bob'",
    )
    assert [(b, s, role) for b, s, _h, role in rows] == [("0001", "active", "teller")]
    assert verify_password(rows[0][2], "Bob-pass-2026")


def test_weak_password_is_refused_with_exit_code_2(cli_bank: CliBank) -> None:
    r = cli_bank.run("user", "add", "weakling", "--role", "teller", "--password-stdin", stdin="short1\n")
    assert r.returncode == 2, r.stdout + r.stderr
    assert "WEAK_PASSWORD" in r.stdout
    assert _query(cli_bank.db, "SELECT count(*) FROM staff_users WHERE username = 'weakling'") == [(0,)]


def test_audit_verify_passes_and_catches_a_tampered_record(cli_bank: CliBank, tmp_path: Path) -> None:
    ok = cli_bank.run("audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "audit chain intact" in ok.stdout

    # Tamper with a copy, so the other tests keep an honest bank.
    copy = tmp_path / "tampered.db"
    with closing(sqlite3.connect(cli_bank.db)) as live, closing(sqlite3.connect(copy)) as target:
        live.backup(target)
    with closing(sqlite3.connect(copy)) as conn, conn:
        conn.execute("UPDATE audit_log SET detail='x' WHERE seq=1")
    tampered = _runner(copy, cli_bank.var)("audit", "verify")
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
    assert "audit chain broken at record 1" in tampered.stdout


def test_backup_and_restore_round_trip(cli_bank: CliBank, tmp_path: Path) -> None:
    path = tmp_path / "before-carol.db"
    r = cli_bank.run("backup", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert path.exists()

    added = cli_bank.run(
        "user", "add", "carol", "--role", "auditor", "--password-stdin", stdin="Carol-pass-2026\n"
    )
    assert added.returncode == 0, added.stdout + added.stderr
    assert _query(cli_bank.db, "SELECT count(*) FROM staff_users WHERE username = 'carol'") == [(1,)]

    restored = cli_bank.run("restore", str(path), "--yes")
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert _query(cli_bank.db, "SELECT count(*) FROM staff_users WHERE username = 'carol'") == [(0,)]
    assert _query(cli_bank.db, "SELECT count(*) FROM staff_users WHERE username = 'admin'") == [(1,)]
    verify = cli_bank.run("audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
