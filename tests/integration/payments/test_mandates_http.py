"""Billers, bill payment, mandates and standing orders over REST, end to end: an accountant registers a biller,
a teller pays a bill (a retry with the same Idempotency-Key answers the same), signs a mandate, the accountant
collects under it and schedules a debit, the teller revokes it; a standing order is set up, read and
cancelled; refusals answer problem+json with their stable codes and change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.kernel.ids import with_luhn
from tests.e2e.http.support import assert_problem, customer_body, key
from tests.factories import ledger_state

API = "/api/v1"


def _money(headers: dict[str, str], k: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": k or key()}


def _customer_with_account(client: TestClient, teller: dict[str, str], funds: str | None) -> tuple[str, str]:
    r = client.post(f"{API}/customers", headers=teller, json=customer_body())
    assert r.status_code == 201, r.text
    cust = r.json()["number"]
    r = client.post(f"{API}/accounts", headers=teller, json={"customer_number": cust})
    assert r.status_code == 201, r.text
    acc = r.json()["number"]
    if funds:
        r = client.post(
            f"{API}/accounts/{acc}/cash-deposits",
            headers=_money(teller),
            json={"amount": funds, "currency": "CNY"},
        )
        assert r.status_code == 201, r.text
    return cust, acc


def test_mandates_billers_and_standing_orders_over_rest(
    app_client: TestClient, auth: Any, bank: Bank
) -> None:
    c, teller, accountant = app_client, auth("teller"), auth("accountant")
    today = bank.run(lambda uow: uow.business_date, readonly=True)
    _c, settlement = _customer_with_account(c, teller, None)

    # Billers: the accountant registers one; a teller may not.
    body = {
        "code": "HTTP_WATER",
        "name": "City Water",
        "category": "utilities",
        "settlement_account": settlement,
        "reference_pattern": "[0-9]{8}",
        "check_digit": "luhn",
        "min_amount": "1.00",
        "max_amount": "2000.00",
    }
    assert_problem(c.post(f"{API}/billers", headers=teller, json=body), 403, "PERMISSION_DENIED")
    r = c.post(f"{API}/billers", headers=accountant, json=body)
    assert r.status_code == 201, r.text
    assert r.json()["check_digit"] == "luhn"
    assert "HTTP_WATER" in [b["code"] for b in c.get(f"{API}/billers", headers=teller).json()]

    # A bill payment, its retry, and a wrong reference.
    cust, payer = _customer_with_account(c, teller, "800.00")
    ref = with_luhn("1234567")
    bill = {"from_account": payer, "biller_code": "HTTP_WATER", "reference": ref, "amount": "45.30"}
    k = key()
    r = c.post(f"{API}/bill-payments", headers=_money(teller, k), json=bill)
    assert r.status_code == 201, r.text
    assert (r.json()["from_balance_after"], r.json()["biller_name"]) == ("754.70", "City Water")
    again = c.post(f"{API}/bill-payments", headers=_money(teller, k), json=bill)
    assert again.status_code == 201 and again.json() == r.json()
    before = ledger_state(bank)
    wrong = {**bill, "reference": ref[:-1] + str((int(ref[-1]) + 1) % 10)}
    assert_problem(
        c.post(f"{API}/bill-payments", headers=_money(teller), json=wrong), 422, "BILLER_REFERENCE_INVALID"
    )
    assert_problem(c.post(f"{API}/bill-payments", headers=teller, json=bill), 400, "IDEMPOTENCY_KEY_REQUIRED")
    assert ledger_state(bank) == before

    # A mandate for the biller, collected on demand by the accountant.
    mandate = {
        "customer_number": cust,
        "debtor_account": payer,
        "biller_code": "HTTP_WATER",
        "creditor_reference": ref,
        "limit_per_debit": "100.00",
        "limit_per_month": "150.00",
        "expiry_date": str(today + timedelta(days=180)),
    }
    r = c.post(f"{API}/mandates", headers=teller, json=mandate)
    assert r.status_code == 201, r.text
    m = r.json()
    assert (m["status"], m["creditor_account"], m["customer_number"]) == ("active", settlement, cust)
    mid = m["mandate_id"]
    k = key()
    r = c.post(f"{API}/mandates/{mid}/collections", headers=_money(accountant, k), json={"amount": "99.00"})
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.json()["creditor_reference"]) == ("collected", ref)
    again = c.post(
        f"{API}/mandates/{mid}/collections", headers=_money(accountant, k), json={"amount": "99.00"}
    )
    assert again.json() == r.json()
    before = ledger_state(bank)
    over = c.post(f"{API}/mandates/{mid}/collections", headers=_money(accountant), json={"amount": "100.01"})
    assert_problem(over, 422, "MANDATE_LIMIT_EXCEEDED")
    month = c.post(f"{API}/mandates/{mid}/collections", headers=_money(accountant), json={"amount": "51.01"})
    assert_problem(month, 422, "MANDATE_MONTHLY_LIMIT_EXCEEDED")
    teller_collect = c.post(
        f"{API}/mandates/{mid}/collections", headers=_money(teller), json={"amount": "1.00"}
    )
    assert_problem(teller_collect, 403, "PERMISSION_DENIED")
    assert ledger_state(bank) == before
    r = c.post(
        f"{API}/mandates/{mid}/debits",
        headers=accountant,
        json={"amount": "20.00", "due_date": str(today + timedelta(days=5))},
    )
    assert r.status_code == 201 and r.json()["status"] == "scheduled", r.text
    assert [d["status"] for d in c.get(f"{API}/mandates/{mid}/debits", headers=teller).json()] == [
        "scheduled",
        "collected",
    ]
    assert c.get(f"{API}/mandates/{mid}", headers=auth("auditor")).json()["month_collected"] == "99.00"
    assert mid in [
        x["mandate_id"] for x in c.get(f"{API}/mandates", headers=teller, params={"customer": cust}).json()
    ]
    r = c.post(f"{API}/mandates/{mid}/revoke", headers=teller, json={"reason": "customer asked"})
    assert r.status_code == 200 and r.json()["status"] == "revoked", r.text
    assert_problem(
        c.post(f"{API}/mandates/{mid}/collections", headers=_money(accountant), json={"amount": "1.00"}),
        409,
        "MANDATE_NOT_ACTIVE",
    )
    assert_problem(c.get(f"{API}/mandates/999999999", headers=teller), 404, "MANDATE_NOT_FOUND")

    # A standing order: set up, read with its runs, listed, cancelled.
    _c2, landlord = _customer_with_account(c, teller, None)
    order = {"from_account": payer, "to_account": landlord, "amount": "300.00", "day": 31, "memo": "rent"}
    r = c.post(f"{API}/standing-orders", headers=teller, json=order)
    assert r.status_code == 201, r.text
    oid = r.json()["order_id"]
    got = c.get(f"{API}/standing-orders/{oid}", headers=teller).json()
    assert (got["status"], got["frequency"], got["day"], got["runs"]) == ("active", "monthly", 31, [])
    assert oid in [
        o["order_id"]
        for o in c.get(f"{API}/standing-orders", headers=teller, params={"account": payer}).json()
    ]
    r = c.post(f"{API}/standing-orders/{oid}/cancel", headers=teller)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert_problem(
        c.post(f"{API}/standing-orders/{oid}/cancel", headers=teller), 409, "STANDING_ORDER_NOT_ACTIVE"
    )
    bad = c.post(f"{API}/standing-orders", headers=teller, json={**order, "frequency": "weekly", "day": 9})
    assert_problem(bad, 422, "STANDING_ORDER_INVALID")
