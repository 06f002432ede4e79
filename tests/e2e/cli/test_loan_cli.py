"""`corebank loan` run for real in a subprocess against its own SQLite bank: a credit officer takes and scores an
application, cannot approve it himself, an approver does; the officer disburses it, reads it, writes its
schedule to CSV, takes a repayment (retried with the same key: posted once) and writes the loan statement to a
PDF. The borrower and her account are opened through the bank itself (there is no customer CLI)."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest

from corebank import bootstrap
from corebank.config import Settings
from corebank.security import SYSTEM
from tests.e2e.cli.test_cli import Run, _query, _runner
from tests.factories import new_account

PASSWORD = "Loan-cli-pass-2026"


@dataclass(frozen=True)
class LoanBank:
    db: Path
    run: Run
    customer: str
    account: str


def ok(r: subprocess.CompletedProcess[str]) -> str:
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def refused(r: subprocess.CompletedProcess[str], code: str) -> None:
    assert r.returncode == 2, r.stdout + r.stderr
    assert code in r.stdout, r.stdout


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> LoanBank:
    """A bank initialized on 2 March 2026 with a credit officer, a credit approver, and a borrower with a demand
    account."""
    home = tmp_path_factory.mktemp("loan-cli")
    db, var = home / "cb.db", home / "var"
    run = _runner(db, var)
    ok(run("init", "--business-date", "2026-03-02"))
    for name, role in (("officer", "credit_officer"), ("approver", "credit_approver")):
        ok(run("user", "add", name, "--role", role, "--password-stdin", stdin=f"{PASSWORD}\n"))
    # The same settings as the command line's: its database, and the development keys `init` left in var/.
    settings = Settings(
        database_url=f"sqlite:///{db}",
        var_dir=var,
        environment="development",
        jwt_secret="",
        data_keys="",
        hash_key="",
    )
    bank = bootstrap.build(settings)
    try:
        acc = new_account(bank, SYSTEM)
    finally:
        bank.dispose()
    return LoanBank(db, run, acc.customer_number, acc.number)


def test_a_loan_from_application_to_statement(cli: LoanBank, tmp_path: Path) -> None:
    run = cli.run
    out = ok(
        run(
            "loan",
            "apply",
            "--customer",
            cli.customer,
            "--product",
            "PERSONAL_LOAN_CNY",
            "--amount",
            "50000.00",
            "--term",
            "12",
            "--method",
            "equal_installment",
            "--income",
            "30000.00",
            "--employment",
            "state_enterprise",
            "--years",
            "8",
            "--purpose",
            "home renovation",
            "--account",
            cli.account,
            "--as-user",
            "officer",
        )
    )
    found = re.search(r"application (\d+) submitted", out)
    assert found, out
    app_id = found.group(1)
    assert "50000.00 CNY" in out and "submitted" in out

    out = ok(run("loan", "score", app_id, "--as-user", "officer"))
    assert re.search(rf"application {app_id} scored \d+, rated \w+", out), out
    assert "Score, factor by factor" in out and "employment" in out

    # The officer who prepared it has no right to approve it.
    refused(run("loan", "approve", app_id, "--rate", "4.90", "--as-user", "officer"), "PERMISSION_DENIED")
    assert (
        ok(run("loan", "applications", "--status", "scored", "--as-user", "approver")).count(cli.customer)
        == 1
    )

    out = ok(
        run("loan", "approve", app_id, "--rate", "4.90", "--reason", "good payer", "--as-user", "approver")
    )
    found = re.search(r"approved: loan (\d+)", out)
    assert found, out
    loan = found.group(1)
    assert "4.90 %" in out

    out = ok(run("loan", "disburse", loan, "--as-user", "officer"))
    assert f"Loan {loan} disbursed 50000.00" in out and cli.account in out
    assert _query(cli.db, "SELECT count(*) FROM loan_disbursements") == [(1,)]

    out = ok(run("loan", "show", loan, "--as-user", "officer"))
    assert "active" in out and "50000.00 CNY" in out and "equal_installment" in out

    listed = ok(run("loan", "list", "--customer", cli.customer, "--as-user", "officer"))
    assert loan in listed and "50000.00" in listed

    schedule_file = tmp_path / "x.csv"
    out = ok(run("loan", "schedule", loan, "--out", str(schedule_file), "--as-user", "officer"))
    assert "12 periods" in out
    rows = list(csv.DictReader(io.StringIO(schedule_file.read_text(encoding="utf-8"))))
    assert [r["period"] for r in rows] == [*map(str, range(1, 13)), "total"]
    assert rows[-1]["principal"] == "50000.00"
    # 50,000 over 12 months at 4.90 %: numpy-financial's pmt is 4,278.0831, so 4,278.08 a month; 204.17 interest.
    assert (rows[0]["payment"], rows[0]["interest"]) == ("4278.08", "204.17")
    printed = ok(run("loan", "schedule", loan, "--as-user", "officer"))
    assert "4278.08" in printed and "schedule v1" in printed

    repay = (
        "loan",
        "repay",
        loan,
        "--amount",
        "500.00",
        "--from-account",
        cli.account,
        "--key",
        "cli-repay-1",
    )
    first = ok(run(*repay, "--as-user", "officer"))
    assert "interest" in first and "204.17" in first and "295.83" in first and "49704.17" in first
    again = ok(
        run(*repay, "--as-user", "officer")
    )  # a retry with the same key: the first answer, posted once
    assert "49704.17" in again
    assert _query(cli.db, "SELECT count(*) FROM loan_repayments") == [(1,)]

    pdf_file = tmp_path / "x.pdf"
    out = ok(run("loan", "statement", loan, "--out", str(pdf_file), "--as-user", "officer"))
    assert f"statement written to {pdf_file}" in out and "49704.17" in out
    assert not pdf_file.with_name("x.pdf.part").exists()
    text = pypdf.PdfReader(pdf_file).pages[0].extract_text()
    for needle in (loan, cli.customer, "50000.00", "500.00", "204.17", "295.83", "49704.17"):
        assert needle in text, needle


def test_refusals_carry_their_code_and_exit_2(cli: LoanBank, tmp_path: Path) -> None:
    run = cli.run
    refused(run("loan", "show", "000113999999999", "--as-user", "officer"), "LOAN_NOT_FOUND")
    refused(run("loan", "statement", "000113999999999", "--out", str(tmp_path / "s.txt")), "INVALID_REQUEST")
    refused(
        run("loan", "statement", "000113999999999", "--out", str(tmp_path / "s.csv"), "--from", "2026-02-30"),
        "INVALID_PERIOD",
    )
    refused(run("loan", "show", "000113999999999", "--as-user", "nobody"), "NOT_FOUND")
    refused(run("loan", "score", "999999", "--as-user", "officer"), "APPLICATION_NOT_FOUND")
    refused(
        run("loan", "reject", "999999", "--reason", "no", "--as-user", "approver"), "INVALID_REQUEST"
    )  # too short
    refused(
        run(
            "loan",
            "apply",
            "--customer",
            cli.customer,
            "--product",
            "PERSONAL_LOAN_CNY",
            "--amount",
            "99999999.00",
            "--term",
            "12",
            "--method",
            "equal_installment",
            "--income",
            "30000.00",
            "--employment",
            "state_enterprise",
            "--as-user",
            "officer",
        ),
        "AMOUNT_OUT_OF_RANGE",
    )
    assert not list(tmp_path.iterdir())  # nothing written for a refused statement
