"""`corebank eod run --to` catches a bank up day by day; `corebank eod status --json` shows what ran; a date
already closed is refused; a staff user without the permission may not run it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.e2e.cli.test_cli import _query, _runner

pytestmark = pytest.mark.slow


def test_eod_catches_up_day_by_day_and_reports_each_step(tmp_path: Path) -> None:
    db, var = tmp_path / "cb.db", tmp_path / "var"
    run = _runner(db, var)
    assert run("init", "--business-date", "2026-03-18").returncode == 0
    target = date(2026, 3, 20)

    r = run("eod", "run", "--to", str(target))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "closed 2026-03-18, 2026-03-19, 2026-03-20" in r.stdout
    assert _query(db, "SELECT business_date, phase FROM bank_state") == [
        (str(target + timedelta(days=1)), "open")
    ]

    status = run("eod", "status", "--json", "--limit", "5")
    assert status.returncode == 0, status.stderr
    body = json.loads(status.stdout)
    assert body["state"]["business_date"] == "2026-03-21"
    runs = body["runs"]
    assert [r["business_date"] for r in runs] == ["2026-03-20", "2026-03-19", "2026-03-18"]
    assert all(r["status"] == "done" for r in runs)
    names = [s["name"] for s in runs[0]["steps"]]
    assert names[0] == "eod.stop_bookings" and names[-1] == "eod.open_next_day"
    assert "ledger.close_books" in names and "deposits.settle_demand_interest" in names
    assert all(s["status"] == "done" and s["seconds"] is not None for s in runs[0]["steps"])
    # The GL was snapshot for each day closed.
    snaps = _query(db, "SELECT DISTINCT business_date FROM gl_daily_balances ORDER BY 1")
    assert [d for (d,) in snaps] == ["2026-03-18", "2026-03-19", "2026-03-20"]

    # A date already closed: refused, nothing changes.
    again = run("eod", "run", "--to", "2026-03-19")
    assert again.returncode == 2
    assert "INVALID_REQUEST" in again.stdout
    assert _query(db, "SELECT business_date FROM bank_state") == [("2026-03-21",)]

    # A teller may not run end of day.
    add = run(
        "user",
        "add",
        "tina",
        "--role",
        "teller",
        "--branch",
        "0001",
        "--password-stdin",
        stdin="Teller-pass-2026\n",
    )
    assert add.returncode == 0, add.stdout + add.stderr
    denied = run("eod", "run", "--as-user", "tina")
    assert denied.returncode == 2
    assert "PERMISSION_DENIED" in denied.stdout
    assert _query(db, "SELECT business_date FROM bank_state") == [("2026-03-21",)]
