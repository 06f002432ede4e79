"""A customer buys a time deposit from their demand account and withdraws it early into it, applies for a loan
and reads it, and pays a bill (signed over the threshold, within the bill payment limit)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.kernel.ids import with_luhn
from tests.factories import Staff
from tests.integration.channels.me.support import balance, enrolled, key, refused, signing_code
from tests.integration.payments.mandate_support import biller


def test_buy_a_time_deposit_and_withdraw_it_early(bank: Bank, app_client: TestClient, staff: Staff) -> None:
    me = enrolled(bank, staff["teller"].actor, balance="30000.00")
    buy = {"from_account": me.account, "term_months": 12, "amount": "20000.00"}
    k = key()
    r = app_client.post("/api/v1/me/time-deposits", json=buy, headers={**me.headers, **k})
    assert r.status_code == 201, r.text
    td = r.json()
    assert (td["customer_number"], td["principal"], td["term_months"], td["status"]) == (
        me.number,
        "20000.00",
        12,
        "active",
    )
    again = app_client.post("/api/v1/me/time-deposits", json=buy, headers={**me.headers, **k})
    assert again.json()["certificate_number"] == td["certificate_number"]
    assert balance(app_client, me) == "10000.00"
    lines = app_client.get(f"/api/v1/me/accounts/{me.account}/transactions", headers=me.headers).json()
    assert (lines["items"][0]["kind"], lines["items"][0]["channel"]) == ("time_deposit_open", "internet")
    listed = app_client.get("/api/v1/me/time-deposits", headers=me.headers).json()["items"]
    assert [x["certificate_number"] for x in listed] == [td["certificate_number"]]
    path = f"/api/v1/me/time-deposits/{td['certificate_number']}/early-withdrawal"
    # A partial withdrawal leaving less than the product's minimum (50.00) is refused and nothing moves.
    refused(
        bank,
        app_client,
        "POST",
        path,
        422,
        "BELOW_MINIMUM",
        {**me.headers, **key()},
        json={"amount": "19990.00", "to_account": me.account},
    )
    r = app_client.post(
        path, json={"amount": "5000.00", "to_account": me.account}, headers={**me.headers, **key()}
    )
    assert r.status_code == 200, r.text
    assert (r.json()["principal_paid"], r.json()["remaining_principal"], r.json()["paid_to"]) == (
        "5000.00",
        "15000.00",
        me.account,
    )
    r = app_client.post(path, json={"all": True, "to_account": me.account}, headers={**me.headers, **key()})
    assert r.status_code == 200, r.text
    assert r.json()["deposit_status"] == "closed"
    lines = app_client.get(f"/api/v1/me/accounts/{me.account}/transactions", headers=me.headers).json()
    assert lines["items"][0]["channel"] == "internet"
    assert balance(app_client, me) == "30000.00"  # bought and withdrawn the same day: no interest


def test_apply_for_a_loan_and_see_it(bank: Bank, app_client: TestClient, staff: Staff) -> None:
    me = enrolled(bank, staff["teller"].actor, balance="1000.00")
    apply = {
        "amount": "30000.00",
        "term_months": 24,
        "purpose": "a used car",
        "monthly_income": "15000.00",
        "employment": "private_enterprise",
        "employment_years": 5,
        "repay_account": me.account,
    }
    r = app_client.post("/api/v1/me/loan-applications", json=apply, headers=me.headers)
    assert r.status_code == 201, r.text
    app = r.json()
    assert (app["customer_number"], app["status"], app["amount"], app["repay_account"]) == (
        me.number,
        "submitted",
        "30000.00",
        me.account,
    )
    assert app["created_by"].startswith("customer:")
    listed = app_client.get("/api/v1/me/loan-applications", headers=me.headers).json()["items"]
    assert [x["application_id"] for x in listed] == [app["application_id"]]
    r = app_client.post(
        "/api/v1/me/loan-applications", json={**apply, "amount": "999999999.00"}, headers=me.headers
    )
    assert (r.status_code, r.json()["code"]) == (422, "AMOUNT_OUT_OF_RANGE")
    assert app_client.get("/api/v1/me/loans", headers=me.headers).json()["items"] == []


def test_pay_a_bill_signed_over_the_threshold(bank: Bank, app_client: TestClient, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    power, settlement = biller(bank, accountant, teller, max_amount=None)
    me = enrolled(bank, teller, balance="20000.00")
    billers = {b["code"]: b for b in app_client.get("/api/v1/me/billers", headers=me.headers).json()}
    assert billers[power.code]["min_amount"] == "1.00" and "settlement_account" not in billers[power.code]
    ref = with_luhn("400100200")
    pay = {"from_account": me.account, "biller_code": power.code, "reference": ref, "amount": "86.40"}
    k = key()
    r = app_client.post("/api/v1/me/bill-payments", json=pay, headers={**me.headers, **k})
    assert r.status_code == 201, r.text
    assert (r.json()["amount"], r.json()["from_balance_after"]) == ("86.40", "19913.60")
    again = app_client.post("/api/v1/me/bill-payments", json=pay, headers={**me.headers, **k})
    assert again.json() == r.json()
    lines = app_client.get(f"/api/v1/me/accounts/{me.account}/transactions", headers=me.headers).json()
    assert (lines["items"][0]["kind"], lines["items"][0]["channel"]) == ("bill_payment", "internet")
    big: dict[str, Any] = {**pay, "amount": "6000.00"}
    problem = refused(
        bank,
        app_client,
        "POST",
        "/api/v1/me/bill-payments",
        428,
        "SIGNING_REQUIRED",
        {**me.headers, **key()},
        json=big,
    )
    assert problem["payee"] == f"biller:{power.code}:{ref}"
    big["signing"] = signing_code(app_client, bank, me, "6000.00", problem["payee"], "bill_payment")
    r = app_client.post("/api/v1/me/bill-payments", json=big, headers={**me.headers, **key()})
    assert r.status_code == 201, r.text
    assert balance(app_client, me) == "13913.60"
    # A bad reference is the biller's rule, refused before anything moves.
    refused(
        bank,
        app_client,
        "POST",
        "/api/v1/me/bill-payments",
        422,
        "BILLER_REFERENCE_INVALID",
        {**me.headers, **key()},
        json={**pay, "reference": "1234567890" if ref != "1234567890" else "1"},
    )
    assert settlement
