"""Loans over REST, as the issue names them: an application by a credit officer, its score, approval by a
credit approver, disbursement, the loan and its schedule (JSON, CSV, PDF), a repayment and a prepayment; the
refusals a user meets (stable codes, nothing changed) and who may do what."""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader

from corebank.bootstrap import Bank
from corebank.kernel.ids import luhn_valid
from tests.e2e.http.support import assert_problem, customer_body, key, unique_resident_id
from tests.factories import ledger_state

API = "/api/v1"
LOANS = f"{API}/loans"


def money(headers: dict[str, str], k: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": k or key()}


def borrower(client: TestClient, teller: dict[str, str], funds: str = "20000.00") -> tuple[str, str]:
    r = client.post(f"{API}/customers", headers=teller, json=customer_body(id_number=unique_resident_id()))
    assert r.status_code == 201, r.text
    cust = r.json()["number"]
    r = client.post(f"{API}/accounts", headers=teller, json={"customer_number": cust})
    assert r.status_code == 201, r.text
    acc = r.json()["number"]
    r = client.post(
        f"{API}/accounts/{acc}/cash-deposits",
        headers=money(teller),
        json={"amount": funds, "currency": "CNY"},
    )
    assert r.status_code == 201, r.text
    return cust, acc


def apply_body(cust: str, acc: str, **over: Any) -> dict[str, Any]:
    return {
        "customer_number": cust,
        "product_code": "PERSONAL_LOAN_CNY",
        "amount": "100000.00",
        "term_months": 12,
        "method": "equal_installment",
        "purpose": "car repair and furniture",
        "monthly_income": "30000.00",
        "monthly_debt_payments": "1000.00",
        "employment": "state_enterprise",
        "employment_years": 6,
        "documents": ["id_card", "income_proof"],
        "repay_account": acc,
        **over,
    }


def test_a_loan_from_application_to_prepayment_over_rest(app_client: TestClient, auth: Any) -> None:
    teller, credit, approver = auth("teller"), auth("credit"), auth("approver")
    cust, acc = borrower(app_client, teller)
    r = app_client.post(f"{LOANS}/applications", headers=credit, json=apply_body(cust, acc))
    assert r.status_code == 201, r.text
    app_id = r.json()["application_id"]
    assert r.json()["status"] == "submitted"
    r = app_client.post(f"{LOANS}/applications/{app_id}/score", headers=credit)
    assert r.status_code == 200, r.text
    scored = r.json()
    assert scored["status"] == "scored" and scored["rating"] and scored["pd"]
    assert [f["name"] for f in scored["factors"]] == [
        "monthly_income",
        "debt_to_income",
        "employment",
        "years_with_bank",
        "collateral_cover",
    ]
    # The officer who prepared it may not approve it (and lacks the permission anyway).
    assert app_client.post(f"{LOANS}/applications/{app_id}/approve", headers=credit).status_code == 403
    queue = app_client.get(f"{LOANS}/applications?status=scored", headers=approver).json()
    assert app_id in [a["application_id"] for a in queue["items"]]
    r = app_client.post(
        f"{LOANS}/applications/{app_id}/approve", headers=approver, json={"reason": "steady income"}
    )
    assert r.status_code == 200, r.text
    loan_number = r.json()["loan_number"]
    assert luhn_valid(loan_number) and r.json()["approved_rate"] == "4.90"
    k = key()
    r = app_client.post(f"{LOANS}/{loan_number}/disburse", headers=money(credit, k))
    assert r.status_code == 200, r.text
    assert (r.json()["amount"], r.json()["to_account"], r.json()["status"]) == ("100000.00", acc, "active")
    again = app_client.post(f"{LOANS}/{loan_number}/disburse", headers=money(credit, k))
    assert again.json() == r.json()
    assert app_client.get(f"{API}/accounts/{acc}", headers=teller).json()["balance"] == "120000.00"
    loan = app_client.get(f"{LOANS}/{loan_number}", headers=teller).json()
    assert (loan["outstanding_principal"], loan["next_payment"], loan["classification"]) == (
        "100000.00",
        "8556.17",
        "normal",
    )
    sched = app_client.get(f"{LOANS}/{loan_number}/schedule", headers=teller).json()
    assert [x["payment"] for x in sched["lines"][:1]] == ["8556.17"] and sched["lines"][-1][
        "payment"
    ] == "8556.12"
    r = app_client.get(f"{LOANS}/{loan_number}/schedule?format=csv", headers=teller)
    assert r.headers["content-type"].startswith("text/csv")
    rows = [x for x in csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))) if x["period"].isdigit()]
    assert len(rows) == 12 and rows[0]["payment"] == "8556.17"
    r = app_client.get(f"{LOANS}/{loan_number}/schedule?format=pdf", headers=teller)
    assert r.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "8556.17" in text.replace(",", "")
    r = app_client.post(
        f"{LOANS}/{loan_number}/repayments",
        headers=money(teller),
        json={"amount": "8556.17", "from_account": acc},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["interest"], r.json()["principal"]) == ("408.33", "8147.84")
    r = app_client.post(
        f"{LOANS}/{loan_number}/prepayments",
        headers=money(teller),
        json={"full": True, "from_account": acc},
    )
    assert r.status_code == 201, r.text
    # The installment's interest was paid for a month that has not run: it is credited back against the payment.
    assert (r.json()["principal"], r.json()["fee"], r.json()["interest"], r.json()["amount"]) == (
        "91852.16",
        "918.52",
        "-408.33",
        "92362.35",
    )
    assert r.json()["status"] == "closed"
    history = app_client.get(f"{LOANS}/{loan_number}/repayments", headers=teller).json()
    assert [h["kind"] for h in history] == ["counter", "prepayment"]
    r = app_client.post(
        f"{LOANS}/{loan_number}/repayments",
        headers=money(teller),
        json={"amount": "1.00", "from_account": acc},
    )
    assert_problem(r, 409, "LOAN_CLOSED")


def test_refusals_over_rest_change_nothing(app_client: TestClient, auth: Any, bank: Bank) -> None:
    teller, credit, manager = auth("teller"), auth("credit"), auth("manager")
    cust, acc = borrower(app_client, teller)
    before = ledger_state(bank)
    r = app_client.post(
        f"{LOANS}/applications", headers=credit, json=apply_body(cust, acc, amount="600000.00")
    )
    assert_problem(r, 422, "AMOUNT_OUT_OF_RANGE")
    r = app_client.post(f"{LOANS}/applications", headers=credit, json=apply_body(cust, acc, term_months=72))
    assert_problem(r, 422, "TERM_OUT_OF_RANGE")
    assert ledger_state(bank) == before
    # A teller takes applications at the counter; scoring them is the credit officer's.
    r = app_client.post(f"{LOANS}/applications", headers=teller, json=apply_body(cust, acc))
    assert r.status_code == 201, r.text
    assert (
        app_client.post(
            f"{LOANS}/applications/{r.json()['application_id']}/score", headers=teller
        ).status_code
        == 403
    )
    r = app_client.post(
        f"{LOANS}/applications",
        headers=credit,
        json=apply_body(cust, acc, amount="400000.00", term_months=36, monthly_income="90000.00"),
    )
    app_id = r.json()["application_id"]
    r = app_client.post(f"{LOANS}/applications/{app_id}/approve", headers=manager)
    assert_problem(r, 409, "APPLICATION_NOT_SCORED")
    app_client.post(f"{LOANS}/applications/{app_id}/score", headers=credit)
    before = ledger_state(bank)
    r = app_client.post(f"{LOANS}/applications/{app_id}/approve", headers=manager)
    body = assert_problem(r, 403, "NO_APPROVAL_AUTHORITY")
    assert "300000.00" in body["detail"]
    assert ledger_state(bank) == before
    r = app_client.post(f"{LOANS}/applications/{app_id}/reject", headers=manager, json={"reason": "no"})
    assert r.status_code == 422  # a reason of at least three characters
    r = app_client.post(
        f"{LOANS}/applications/{app_id}/reject",
        headers=manager,
        json={"reason": "debt too high for the income"},
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert_problem(app_client.get(f"{LOANS}/0001139999999", headers=teller), 404, "LOAN_NOT_FOUND")
    assert_problem(
        app_client.get(f"{LOANS}/applications/999999", headers=teller), 404, "APPLICATION_NOT_FOUND"
    )


def test_base_rates_are_read_and_a_new_fixing_is_posted(app_client: TestClient, auth: Any) -> None:
    rates = app_client.get(f"{API}/base-rates", headers=auth("teller")).json()
    assert {(r["code"], r["annual_rate"]) for r in rates} >= {("LPR1Y", "3.00"), ("LPR5Y", "3.50")}
    admin = auth("admin2")
    r = app_client.put(
        f"{API}/base-rates/LPR5Y", headers=admin, json={"annual_rate": "3.45", "effective_date": "2026-03-20"}
    )
    assert r.status_code == 201, r.text
    assert r.json()[0] == {
        "code": "LPR5Y",
        "annual_rate": "3.45",
        "effective_date": "2026-03-20",
        "created_by": "admin2",
    }
    r = app_client.put(
        f"{API}/base-rates/LPR5Y", headers=admin, json={"annual_rate": "3.40", "effective_date": "2026-03-20"}
    )
    assert_problem(r, 409, "PRODUCT_EXISTS")
    r = app_client.put(
        f"{API}/base-rates/LPR5Y", headers=admin, json={"annual_rate": "3.40", "effective_date": "2026-01-01"}
    )
    assert_problem(r, 422, "INVALID_PRODUCT")
    assert (
        app_client.put(
            f"{API}/base-rates/LPR5Y",
            headers=auth("teller"),
            json={"annual_rate": "3.40", "effective_date": "2026-04-01"},
        ).status_code
        == 403
    )
