"""The loan statement over REST: GET /api/v1/loans/{loan_number}/statement as JSON (the default), CSV and PDF, for
the loan's whole life by default or a period; LOAN_NOT_FOUND for an unknown loan or one outside the reader's
branches; INVALID_PERIOD for a bad period."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pypdf
import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.e2e.http.support import assert_problem, key
from tests.factories import Staff
from tests.factories.loans import MadeLoan, active_loan

API = "/api/v1/loans"


@pytest.fixture(scope="module")
def repaid(bank: Bank, staff: Staff, app_client: TestClient, auth) -> MadeLoan:  # type: ignore[no-untyped-def]
    """A loan of 100000.00 disbursed today, with 1000.00 repaid over REST from the borrower's account."""
    made = active_loan(bank, staff["teller"].actor, staff["credit"].actor, staff["approver"].actor)
    r = app_client.post(
        f"{API}/{made.loan_number}/repayments",
        json={"amount": "1000.00", "from_account": made.account_number},
        headers={**auth("credit"), "Idempotency-Key": key()},
    )
    assert r.status_code == 201, r.text
    return made


def today(bank: Bank) -> date:
    return bank.run(lambda uow: uow.business_date, readonly=True)  # type: ignore[no-any-return]


def test_json_by_default_from_the_first_disbursement_to_today(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    bank: Bank,
    repaid: MadeLoan,
) -> None:
    r = app_client.get(f"{API}/{repaid.loan_number}/statement", headers=auth("teller"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    day = today(bank).isoformat()
    assert (body["loan_number"], body["borrower_number"], body["date_from"], body["date_to"]) == (
        repaid.loan_number,
        repaid.customer_number,
        day,
        day,
    )
    assert (body["opening_principal"], body["contract_amount"], body["annual_rate"]) == (
        "0.00",
        "100000.00",
        "4.90",
    )
    kinds = [(m["kind"], m["principal_balance"]) for m in body["movements"]]
    assert kinds[0] == ("disbursement", "100000.00")
    assert kinds[1][0] == "counter"
    repayment = body["movements"][1]
    assert repayment["repaid"] == "1000.00" and repayment["interest"] == "408.33"
    assert repayment["principal"] == "591.67" and repayment["principal_balance"] == "99408.33"
    assert body["closing_principal"] == "99408.33"
    assert body["totals"]["disbursed"] == "100000.00" and body["totals"]["repaid"] == "1000.00"


def test_csv_and_pdf_are_files_with_their_content_types(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    bank: Bank,
    repaid: MadeLoan,
) -> None:
    day = today(bank).isoformat()
    url = f"{API}/{repaid.loan_number}/statement"
    r = app_client.get(url, params={"format": "csv", "from": day, "to": day}, headers=auth("credit"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"] == (
        f'attachment; filename="loan-statement-{repaid.loan_number}-{day}-{day}.csv"'
    )
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    lines = [row for row in rows if row["record"] == "line"]
    assert [(row["type"], row["principal_balance"]) for row in lines] == [
        ("disbursement", "100000.00"),
        ("counter", "99408.33"),
    ]
    assert next(row for row in rows if row["record"] == "closing")["principal_balance"] == "99408.33"

    r = app_client.get(url, params={"format": "pdf"}, headers=auth("approver"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].endswith('.pdf"')
    assert r.content.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(r.content)).pages[0].extract_text()
    assert repaid.loan_number in text and "99408.33" in text and "1000.00" in text


def test_a_period_before_the_loan_has_no_movements(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    bank: Bank,
    repaid: MadeLoan,
) -> None:
    before = today(bank) - timedelta(days=1)
    r = app_client.get(
        f"{API}/{repaid.loan_number}/statement",
        params={"from": (before - timedelta(days=30)).isoformat(), "to": before.isoformat()},
        headers=auth("teller"),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["opening_principal"], body["closing_principal"], body["movements"]) == ("0.00", "0.00", [])


def test_unknown_loans_bad_periods_and_other_branches_are_refused(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
    repaid: MadeLoan,
) -> None:
    assert_problem(
        app_client.get(f"{API}/000113999999999/statement", headers=auth("teller")), 404, "LOAN_NOT_FOUND"
    )
    # A teller of the east branch reads loans, but not head office's: the loan is not there for them.
    assert_problem(
        app_client.get(f"{API}/{repaid.loan_number}/statement", headers=auth("east_teller")),
        404,
        "LOAN_NOT_FOUND",
    )
    url = f"{API}/{repaid.loan_number}/statement"
    assert_problem(
        app_client.get(url, params={"from": "2026-13-01"}, headers=auth("teller")), 422, "INVALID_PERIOD"
    )
    assert_problem(
        app_client.get(url, params={"from": "2026-03-10", "to": "2026-03-01"}, headers=auth("teller")),
        422,
        "INVALID_PERIOD",
    )
    assert_problem(
        app_client.get(url, params={"format": "xlsx"}, headers=auth("teller")), 422, "VALIDATION_ERROR"
    )
    assert_problem(app_client.get(url), 401, "NOT_AUTHENTICATED")
