"""`corebank product` and `corebank calendar` run for real in a subprocess against their own SQLite bank: define
a product from a JSON file, propose rates as one product manager, approve as another, sell and retire it; load
the 2026 example calendar."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]
EXAMPLE = Path(__file__).parents[3] / "examples" / "calendar-2026.csv"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """`corebank ...` against a bank initialized on 2 March 2026, with product managers pm1 and pm2."""
    home = tmp_path_factory.mktemp("product-cli")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COREBANK_")}
    env.update(
        COREBANK_DATABASE_URL=f"sqlite:///{home / 'cb.db'}",
        COREBANK_VAR_DIR=str(home / "var"),
        COLUMNS="200",
        NO_COLOR="1",
    )

    def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "corebank.cli.main", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=home,
            timeout=120,
        )

    assert cli("init", "--business-date", "2026-03-02").returncode == 0
    for name in ("pm1", "pm2"):
        r = cli(
            "user", "add", name, "--role", "product_manager", "--password-stdin", stdin="Product-pass-2026\n"
        )
        assert r.returncode == 0, r.stdout + r.stderr
    r = cli("user", "add", "acct", "--role", "accountant", "--password-stdin", stdin="Product-pass-2026\n")
    assert r.returncode == 0, r.stdout + r.stderr
    return cli


def ok(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_a_product_from_file_to_retirement(run: Run, tmp_path: Path) -> None:
    spec = tmp_path / "product.json"
    spec.write_text(
        json.dumps(
            {
                "code": "CLI_TIME",
                "name": "Counter time deposit",
                "kind": "time_deposit",
                "gl_code": "2012",
                "terms": ["12M", "24M"],
                "min_opening_amount": "50.00",
                "min_balance": "50.00",
                "demand_product_code": "DEMAND_CNY",
            }
        )
    )
    assert "product CLI_TIME created as a draft" in ok(
        run("product", "create", "--file", str(spec), "--as", "pm1")
    )
    r = run("product", "activate", "CLI_TIME", "--as", "pm1")
    assert r.returncode == 2 and "RATES_MISSING" in r.stdout

    out = ok(
        run(
            "product", "propose-rates", "CLI_TIME", "--effective", "2026-03-02",
            "--rate", "12M=1.55", "--rate", "24M=2.15", "--as", "pm1",
        )
    )  # fmt: skip
    found = re.search(r"approval (\d+) is waiting", out)
    assert found, out
    approval = found.group(1)
    r = run("product", "approve-rates", approval, "--as", "pm1")
    assert r.returncode == 2 and "SELF_APPROVAL" in r.stdout
    assert "executed by pm2" in ok(run("product", "approve-rates", approval, "--as", "pm2"))

    table = ok(run("product", "rates", "CLI_TIME"))
    assert re.search(r"2026-03-02\s+│\s+12M\s+│\s+1\.55\s+│\s+0\.00\s+│\s+pm1\s+│\s+pm2", table), table
    assert re.search(r"2026-03-02\s+│\s+24M\s+│\s+2\.15", table), table
    assert "is active" in ok(run("product", "activate", "CLI_TIME", "--as", "pm1"))
    assert re.search(r"CLI_TIME\s+│.*│\s+active", ok(run("product", "list")))
    assert re.search(r"minimum opening\s+│\s+50\.00", ok(run("product", "show", "CLI_TIME")))
    assert "sells no more" in ok(run("product", "retire", "CLI_TIME", "--as", "pm1"))
    assert re.search(r"status\s+│\s+retired", ok(run("product", "show", "CLI_TIME")))


def test_bad_proposals_and_files_exit_2_with_the_code(run: Run, tmp_path: Path) -> None:
    r = run(
        "product",
        "propose-rates",
        "TIME_CNY",
        "--effective",
        "2026-03-01",
        "--rate",
        "12M=1.4",
        "--as",
        "pm1",
    )
    assert r.returncode == 2 and "RATE_DATE_IN_PAST" in r.stdout, r.stdout + r.stderr
    r = run(
        "product", "propose-rates", "TIME_CNY", "--effective", "2026-03-09", "--rate", "9M=1.4", "--as", "pm1"
    )
    assert r.returncode == 2 and "TERM_NOT_OFFERED" in r.stdout, r.stdout + r.stderr
    r = run(
        "product", "propose-rates", "TIME_CNY", "--effective", "2026-03-09", "--rate", "12M", "--as", "pm1"
    )
    assert r.returncode == 2 and "INVALID_REQUEST" in r.stdout, r.stdout + r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = run("product", "create", "--file", str(bad), "--as", "pm1")
    assert r.returncode == 2 and "INVALID_REQUEST" in r.stdout, r.stdout + r.stderr
    r = run("product", "show", "NO_SUCH")
    assert r.returncode == 2 and "PRODUCT_NOT_FOUND" in r.stdout


def test_the_example_calendar_loads_and_shows(run: Run) -> None:
    assert "39 days in 1 year(s)" in ok(run("calendar", "load", str(EXAMPLE), "--as", "acct"))
    out = ok(run("calendar", "show", "2026"))
    assert re.search(r"2026-02-14\s+│\s+Sat\s+│\s+working", out), out
    assert re.search(r"2026-10-07\s+│\s+Wed\s+│\s+holiday\s+│\s+国庆节 National Day", out), out
    r = run("calendar", "load", str(EXAMPLE), "--as", "pm1")
    assert r.returncode == 2 and "PERMISSION_DENIED" in r.stdout
