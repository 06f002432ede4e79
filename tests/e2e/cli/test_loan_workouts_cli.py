"""`corebank collateral`, the workout and book commands of `corebank loan`, and the base rates of `corebank product`,
run in-process with Typer's CliRunner against their own SQLite bank file (the real `build_bank` from COREBANK_*
settings, as the installed command builds it): collateral registered, revalued, pledged and guaranteed; a base
rate posted and listed; the scorecard shown and a new version published; a loan that cannot be collected,
restructured nor written off while it is performing, then classified doubtful by its officer, written off and
partly recovered, with the portfolio written to CSV between."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from corebank import bootstrap
from corebank.cli.common import build_bank, console, staff_actor
from corebank.cli.main import app
from corebank.loans import applications, servicing
from corebank.loans.schemas import ApprovalTerms, Disbursement
from corebank.loans.scoring import DEFAULT_SCORECARD_DEFINITION
from corebank.security import SYSTEM
from corebank.security import service as security
from corebank.security.schemas import UserCreate
from tests.e2e.cli.test_cli import _query
from tests.factories import new_account, new_customer
from tests.factories.loans import application

PASSWORD = "Workout-cli-pass-2026"
ROLES = {
    "officer": "credit_officer",
    "approver": "credit_approver",
    "risk": "risk_officer",
    "pm1": "product_manager",
}


@dataclass(frozen=True)
class WorkoutBank:
    db: Path
    borrower: str
    account: str
    guarantor: str
    open_application: int  # submitted, not decided: collateral and guarantors go on it
    loan: str  # disbursed, performing


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def ok(r: Result) -> str:
    assert r.exit_code == 0, f"{r.output}{r.exception!r}"
    return r.output


def rows(output: str) -> list[list[str]]:
    """The body rows of the Rich tables printed, each as its cells' text."""
    return [
        [c.strip() for c in line.strip().strip("│").split("│")] for line in output.splitlines() if "│" in line
    ]


def refused(r: Result, code: str) -> None:
    assert r.exit_code == 2, f"{r.output}{r.exception!r}"
    assert code in r.output, r.output


@pytest.fixture(scope="module")
def wb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkoutBank]:
    """A bank initialized on 2 March 2026 with a credit officer, an approver, a risk officer and a product
    manager; a borrower with a demand account, an open application of hers and a disbursed 50,000.00 loan."""
    home = tmp_path_factory.mktemp("workout-cli")
    db = home / "cb.db"
    with pytest.MonkeyPatch.context() as mp:
        for name in [k for k in os.environ if k.startswith("COREBANK_")]:
            mp.delenv(name)
        mp.setenv("COREBANK_DATABASE_URL", f"sqlite:///{db}")
        mp.setenv("COREBANK_VAR_DIR", str(home / "var"))
        mp.setattr(console, "_width", 200)  # no line wrapping by Rich
        bank = build_bank()
        try:
            bootstrap.upgrade_db(bank)
            bootstrap.initialize(bank, date(2026, 3, 2))
            for name, role in ROLES.items():
                bank.run(
                    security.create_user,
                    SYSTEM,
                    UserCreate(username=name, roles=[role], branch_code="0001", password=PASSWORD),
                )
            officer, approver = staff_actor(bank, "officer"), staff_actor(bank, "approver")
            acc = new_account(bank, SYSTEM)
            guarantor = new_customer(bank, SYSTEM).number
            open_app = application(bank, officer, acc.customer_number, acc.number, amount="300000.00")
            loan_app = application(bank, officer, acc.customer_number, acc.number, amount="50000.00")
            bank.run(applications.score_application, officer, loan_app)
            loan = bank.run(
                applications.approve_application, approver, loan_app, ApprovalTerms(annual_rate="4.90")
            ).loan_number
            assert loan is not None
            bank.run(servicing.disburse, officer, loan, Disbursement(), "workout-cli-disburse")
        finally:
            bank.dispose()
        yield WorkoutBank(db, acc.customer_number, acc.number, guarantor, open_app, loan)


def test_collateral_registered_revalued_pledged_guaranteed_and_released(wb: WorkoutBank) -> None:
    out = ok(
        cli(
            "collateral", "register", "--type", "housing", "--owner", wb.borrower, "--value", "800000.00",
            "--valued-on", "2026-03-01", "--description", "Flat 1201, 88 Century Avenue", "--valuer",
            "Sunrise Appraisal", "--as-user", "officer",
        )
    )  # fmt: skip
    found = re.search(r"collateral (\d+) registered", out)
    assert found, out
    number = found.group(1)
    assert "800000.00 CNY" in out and "Flat 1201" in out

    out = ok(cli("collateral", "revalue", number, "--value", "850000.00", "--valued-on", "2026-03-02",
                 "--as-user", "officer"))  # fmt: skip
    assert f"collateral {number} revalued at 850000.00 CNY" in out
    app_id = str(wb.open_application)
    out = ok(cli("collateral", "pledge", app_id, number, "--amount", "600000.00", "--as-user", "officer"))
    assert f"collateral {number} pledged to application {app_id} for 600000.00 CNY" in out
    refused(
        cli("collateral", "pledge", app_id, number, "--as-user", "officer"), "INVALID_COLLATERAL"
    )  # pledged to it already
    out = ok(cli("collateral", "guarantor", app_id, "--customer", wb.guarantor, "--amount", "100000.00",
                 "--as-user", "officer"))  # fmt: skip
    assert f"guarantees application {app_id} for 100000.00 CNY (joint and several" in out
    refused(
        cli("collateral", "guarantor", app_id, "--customer", wb.borrower, "--amount", "1.00",
            "--as-user", "officer"),
        "INVALID_GUARANTOR",
    )  # fmt: skip

    out = ok(cli("collateral", "security", app_id, "--as-user", "officer"))
    assert "600000.00" in out and "100000.00" in out and number in out
    out = ok(cli("collateral", "show", number, "--as-user", "approver"))
    assert "Sunrise Appraisal" in out and "800000.00" in out and "250000.00" in out  # available: 850k − 600k
    listed = ok(cli("collateral", "list", "--owner", wb.borrower, "--as-user", "officer"))
    assert number in listed and "850000.00 CNY" in listed

    # A second collateral, never pledged, is released; a teller may not register one.
    out = ok(cli("collateral", "register", "--type", "vehicle", "--owner", wb.borrower, "--value", "90000.00",
                 "--valued-on", "2026-03-02", "--as-user", "officer"))  # fmt: skip
    found = re.search(r"collateral (\d+) registered", out)
    assert found, out
    assert "released on 2026-03-02" in ok(
        cli("collateral", "release", found.group(1), "--as-user", "officer")
    )
    refused(cli("collateral", "release", found.group(1), "--as-user", "officer"), "COLLATERAL_RELEASED")
    refused(
        cli("collateral", "register", "--type", "yacht", "--owner", wb.borrower, "--value", "1.00",
            "--valued-on", "2026-03-02", "--as-user", "officer"),
        "INVALID_COLLATERAL",
    )  # fmt: skip
    assert _query(wb.db, "SELECT count(*) FROM collateral_valuations") == [(3,)]


def test_base_rate_set_and_listed(wb: WorkoutBank) -> None:
    out = ok(
        cli("product", "set-base-rate", "LPR1Y", "--rate", "2.95", "--from", "2026-03-20", "--as-user", "pm1")
    )
    assert "LPR1Y is 2.95 % from 2026-03-20" in out
    listed = ok(cli("product", "base-rates", "--as-user", "officer"))
    assert rows(listed) == [
        ["LPR1Y", "2026-03-20", "2.95", "pm1"],
        ["LPR1Y", "2025-05-20", "3.00", "system"],
        ["LPR5Y", "2025-05-20", "3.50", "system"],
    ]
    refused(
        cli("product", "set-base-rate", "LPR1Y", "--rate", "2.90", "--from", "2026-03-20", "--as", "pm1"),
        "PRODUCT_EXISTS",
    )
    refused(
        cli("product", "set-base-rate", "LPR1Y", "--rate", "2.90", "--from", "2026-03-01", "--as", "pm1"),
        "INVALID_PRODUCT",
    )  # never backdated
    refused(
        cli("product", "set-base-rate", "LPR1Y", "--rate", "2.90", "--from", "2026-04-20", "--as", "officer"),
        "PERMISSION_DENIED",
    )


def test_scorecard_shown_and_a_new_version_published(wb: WorkoutBank, tmp_path: Path) -> None:
    out = ok(cli("loan", "scorecard", "show", "--as-user", "officer"))
    assert "Scorecard RETAIL_DEFAULT v1: base 200 points" in out
    table = rows(out)
    assert ["monthly_income", "numeric", "(-∞, 3000)", "0"] in table
    assert ["", "", "[6000, 10000)", "40"] in table and ["540", "AA", "0.0007"] in table
    card = tmp_path / "card.json"
    card.write_text(json.dumps({**DEFAULT_SCORECARD_DEFINITION, "version": 2}), encoding="utf-8")
    refused(cli("loan", "scorecard", "publish", str(card), "--as-user", "officer"), "PERMISSION_DENIED")
    assert "scorecard RETAIL_DEFAULT v2 is active" in ok(
        cli("loan", "scorecard", "publish", str(card), "--as-user", "pm1")
    )
    assert "RETAIL_DEFAULT v2" in ok(cli("loan", "scorecard", "show", "RETAIL_DEFAULT"))
    refused(
        cli("loan", "scorecard", "publish", str(card), "--as-user", "pm1"), "INVALID_SCORECARD"
    )  # v2 again
    refused(cli("loan", "scorecard", "show", "NO_SUCH_CARD"), "INVALID_SCORECARD")


def test_a_loan_worked_out_from_performing_to_recovered(wb: WorkoutBank, tmp_path: Path) -> None:
    loan = wb.loan
    assert "nothing is overdue" in ok(cli("loan", "collections", "--as-user", "officer"))
    refused(cli("loan", "collect", loan, "--action", "call", "--as-user", "officer"), "LOAN_NOT_OVERDUE")
    refused(
        cli("loan", "restructure", loan, "--term", "24", "--reason", "hardship", "--as-user", "risk"),
        "RESTRUCTURING_NOT_ALLOWED",
    )
    refused(cli("loan", "write-off", loan, "--reason", "gone", "--as-user", "risk"), "WRITE_OFF_NOT_ALLOWED")
    refused(
        cli("loan", "classify", loan, "--as", "excellent", "--reason", "pays early", "--as-user", "officer"),
        "INVALID_CLASSIFICATION",
    )
    refused(
        cli("loan", "recover", loan, "--amount", "1.00", "--cash", "--as-user", "risk"),
        "LOAN_STATUS_CONFLICT",
    )

    out = ok(cli("loan", "classify", loan, "--as", "doubtful", "--reason", "borrower's shop closed",
                 "--as-user", "officer"))  # fmt: skip
    assert f"Loan {loan} classified doubtful" in out and "normal (0)" in out
    history = ok(cli("loan", "classifications", loan, "--as-user", "risk"))
    assert rows(history) == [["2026-03-02", "normal", "doubtful", "0", "officer", "borrower's shop closed"]]

    # The book before the write-off: the loan is the whole non-performing book.
    refused(cli("loan", "portfolio", "--as-user", "officer"), "INVALID_REQUEST")  # name your branch
    book = tmp_path / "book.csv"
    out = ok(cli("loan", "portfolio", "--out", str(book), "--as-user", "risk"))
    assert "100.00 %" in out and f"portfolio written to {book}" in out
    lines = {
        (r["section"], r["group"]): r for r in csv.DictReader(io.StringIO(book.read_text(encoding="utf-8")))
    }
    assert lines[("classification", "doubtful")]["loans"] == "1"
    assert lines[("classification", "doubtful")]["outstanding_principal"] == "50000.00"
    assert lines[("aging", "current")]["loans"] == "1"
    # A summary line has its value in the third column.
    assert lines[("summary", "npl_ratio")]["loans"] == "100.00"
    assert "Loan book of branch 0001" in ok(
        cli("loan", "portfolio", "--branch", "0001", "--as-user", "officer")
    )

    out = ok(cli("loan", "write-off", loan, "--reason", "no prospect of repayment", "--as-user", "risk"))
    assert f"Loan {loan} written off 50000.00" in out and "written_off" in out
    assert re.fullmatch(r"cli-[0-9a-f]{32}", dict(rows(out))["idempotency key"])  # a fresh key, printed

    recover = (
        "loan",
        "recover",
        loan,
        "--amount",
        "1200.00",
        "--from-account",
        wb.account,
        "--key",
        "wo-rec-1",
    )
    out = ok(cli(*recover, "--as-user", "risk"))
    fields = dict(rows(out))
    assert (fields["from"], fields["recovered so far"], fields["status"]) == (
        wb.account,
        "1200.00",
        "written_off",
    )
    again = dict(rows(ok(cli(*recover, "--as-user", "risk"))))  # a retry with the same key: posted once
    assert again["recovered so far"] == "1200.00" and again["journal entry"] == fields["journal entry"]
    assert _query(wb.db, "SELECT count(*) FROM loan_repayments WHERE kind = 'recovery'") == [(1,)]
    refused(
        cli(
            "loan", "recover", loan, "--amount", "50000.00", "--from-account", wb.account, "--as-user", "risk"
        ),
        "RECOVERY_EXCEEDS_WRITTEN_OFF",
    )
