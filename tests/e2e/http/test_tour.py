"""The README's five-minute tour, over HTTP: log in, open a customer and accounts, deposit, transfer, read."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import resident_id


def test_readme_tour_from_login_to_trial_balance(app_client: TestClient, auth, staff) -> None:  # type: ignore[no-untyped-def]
    h = auth("teller")
    products = app_client.get("/api/v1/products", headers=h).json()
    assert "DEMAND_CNY" in [p["code"] for p in products]

    alice = app_client.post(
        "/api/v1/customers",
        headers=h,
        json={
            "type": "individual",
            "name": "Zhang Wei",
            "id_type": "resident_id",
            "id_number": resident_id(9001),
            "phone": "13800138000",
        },
    )
    assert alice.status_code == 201, alice.text
    bob = app_client.post(
        "/api/v1/customers",
        headers=h,
        json={
            "type": "individual",
            "name": "Li Na",
            "id_type": "resident_id",
            "id_number": resident_id(9002),
            "phone": "13900139000",
        },
    )
    assert bob.status_code == 201, bob.text

    a = app_client.post(
        "/api/v1/accounts",
        headers=h,
        json={"customer_number": alice.json()["number"], "product_code": "DEMAND_CNY"},
    ).json()
    b = app_client.post(
        "/api/v1/accounts",
        headers=h,
        json={"customer_number": bob.json()["number"], "product_code": "DEMAND_CNY"},
    ).json()
    dep = app_client.post(
        f"/api/v1/accounts/{a['number']}/cash-deposits",
        headers={**h, "Idempotency-Key": "t-1"},
        json={"amount": "1000.00", "currency": "CNY"},
    )
    assert dep.status_code == 201, dep.text
    assert dep.json()["balance"] == "1000.00"

    tr = app_client.post(
        "/api/v1/transfers",
        headers={**h, "Idempotency-Key": "t-2"},
        json={
            "from_account": a["number"],
            "to_account": b["number"],
            "amount": "250.50",
            "currency": "CNY",
            "memo": "rent",
        },
    )
    assert tr.status_code == 201, tr.text
    assert tr.json()["from_balance_after"] == "749.50"

    acc = app_client.get(f"/api/v1/accounts/{b['number']}", headers=h).json()
    assert (acc["balance"], acc["available_balance"], acc["currency"], acc["status"]) == (
        "250.50",
        "250.50",
        "CNY",
        "active",
    )
    hist = app_client.get(f"/api/v1/accounts/{a['number']}/transactions", headers=h).json()
    assert [(t["amount"], t["balance_after"]) for t in hist["items"]] == [
        ("-250.50", "749.50"),
        ("1000.00", "1000.00"),
    ]

    tb = app_client.get("/api/v1/ledger/trial-balance", headers=auth("accountant")).json()
    assert tb["balanced"] is True
    assert tb["total_debit"] == tb["total_credit"]
