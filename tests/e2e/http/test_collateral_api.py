"""Collateral and guarantors over REST: a credit officer registers and revalues a flat, pledges it to a mortgage
application, adds a guarantor, reads the application's security and releases; a teller reads but may not
register; bad input gets stable problem+json codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.http.support import assert_problem, customer_body

API = "/api/v1"
COLLATERAL = f"{API}/collateral"
APPLICATIONS = f"{API}/loans/applications"
TODAY = "2026-03-02"
Auth = Callable[[str], dict[str, str]]


def customer(client: TestClient, auth: Auth) -> str:
    r = client.post(f"{API}/customers", headers=auth("teller"), json=customer_body())
    assert r.status_code == 201, r.text
    return str(r.json()["number"])


def flat(owner: str, **overrides: Any) -> dict[str, Any]:
    return {
        "type": "housing",
        "description": "Flat 1201, 8 Century Avenue, Pudong",
        "owner_customer_number": owner,
        "value": "1000000.00",
        "valuation_date": "2026-02-20",
        "valuer": "Shanghai Appraisal Co.",
        **overrides,
    }


def application(client: TestClient, auth: Auth, borrower: str, amount: str = "600000.00") -> int:
    r = client.post(
        APPLICATIONS,
        headers=auth("credit"),
        json={
            "customer_number": borrower,
            "product_code": "MORTGAGE_CNY",
            "amount": amount,
            "term_months": 240,
            "method": "equal_installment",
            "purpose": "buy a flat to live in",
            "monthly_income": "50000.00",
            "employment": "civil_servant",
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["application_id"])


def register(client: TestClient, auth: Auth, owner: str, **overrides: Any) -> str:
    r = client.post(COLLATERAL, headers=auth("credit"), json=flat(owner, **overrides))
    assert r.status_code == 201, r.text
    return str(r.json()["collateral_number"])


def test_a_credit_officer_secures_a_mortgage_application_over_rest(
    app_client: TestClient, auth: Auth
) -> None:
    credit = auth("credit")
    borrower = customer(app_client, auth)
    r = app_client.post(COLLATERAL, headers=credit, json=flat(borrower))
    assert r.status_code == 201, r.text
    number = r.json()["collateral_number"]
    assert (r.json()["value"], r.json()["available"], r.json()["status"]) == (
        "1000000.00",
        "1000000.00",
        "active",
    )

    r = app_client.post(
        f"{COLLATERAL}/{number}/valuations",
        headers=credit,
        json={"value": "1100000.00", "valuation_date": TODAY, "valuer": "the bank", "note": "annual review"},
    )
    assert r.status_code == 201, r.text
    assert [v["value"] for v in r.json()["valuations"]] == ["1000000.00", "1100000.00"]

    app_id = application(app_client, auth, borrower)
    r = app_client.post(
        f"{APPLICATIONS}/{app_id}/collateral",
        headers=credit,
        json={"collateral_number": number, "pledged_amount": "1000000.00"},
    )
    assert r.status_code == 201, r.text
    pledge = r.json()
    assert (pledge["application_id"], pledge["pledged_amount"], pledge["status"]) == (
        app_id,
        "1000000.00",
        "active",
    )

    guarantor = customer(app_client, auth)
    r = app_client.post(
        f"{APPLICATIONS}/{app_id}/guarantors",
        headers=credit,
        json={"customer_number": guarantor, "guaranteed_amount": "300000.00"},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["customer_number"]) == ("joint_and_several", guarantor)

    r = app_client.get(f"{APPLICATIONS}/{app_id}/security", headers=auth("auditor"))
    assert r.status_code == 200, r.text
    security = r.json()
    assert (security["collateral_value"], security["lendable_value"], security["guaranteed"]) == (
        "1000000.00",
        "700000.00",
        "300000.00",
    )
    assert security["lines"] == [
        {
            "collateral_number": number,
            "type": "housing",
            "pledged": "1000000.00",
            "cap": "0.70",
            "lendable": "700000.00",
        }
    ]

    r = app_client.get(COLLATERAL, headers=credit, params={"owner": borrower})
    assert r.status_code == 200, r.text
    assert [c["collateral_number"] for c in r.json()["items"]] == [number]
    assert r.json()["items"][0]["available"] == "100000.00"
    r = app_client.get(f"{COLLATERAL}/{number}", headers=auth("teller"))
    assert r.status_code == 200, r.text
    assert [p["application_id"] for p in r.json()["pledges"]] == [app_id]

    r = app_client.post(f"{APPLICATIONS}/{app_id}/collateral/{pledge['id']}/release", headers=credit)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "released"
    r = app_client.post(f"{COLLATERAL}/{number}/release", headers=credit)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["released_on"]) == ("released", TODAY)
    r = app_client.post(f"{COLLATERAL}/{number}/release", headers=credit)
    assert_problem(r, 409, "COLLATERAL_RELEASED")


def test_a_teller_reads_collateral_but_may_not_register_or_pledge(app_client: TestClient, auth: Auth) -> None:
    owner = customer(app_client, auth)
    r = app_client.post(COLLATERAL, headers=auth("teller"), json=flat(owner))
    assert_problem(r, 403, "PERMISSION_DENIED")
    number = register(app_client, auth, owner)
    app_id = application(app_client, auth, owner)
    r = app_client.post(
        f"{APPLICATIONS}/{app_id}/collateral", headers=auth("teller"), json={"collateral_number": number}
    )
    assert_problem(r, 403, "PERMISSION_DENIED")
    r = app_client.get(COLLATERAL, headers=auth("teller"), params={"owner": owner})
    assert r.status_code == 200, r.text
    assert [c["collateral_number"] for c in r.json()["items"]] == [number]


def test_bad_input_gets_stable_problem_codes(app_client: TestClient, auth: Auth) -> None:
    credit = auth("credit")
    owner = customer(app_client, auth)
    cases = [
        (flat(owner, type="painting"), 422, "INVALID_COLLATERAL"),
        (flat(owner, value="0.00"), 422, "INVALID_AMOUNT"),
        (flat(owner, valuation_date="2026-03-03"), 422, "INVALID_COLLATERAL"),
        (flat("800000000"), 404, "CUSTOMER_NOT_FOUND"),
    ]
    for body, status, code in cases:
        assert_problem(app_client.post(COLLATERAL, headers=credit, json=body), status, code)
    assert_problem(
        app_client.get(f"{COLLATERAL}/0001419999999999", headers=credit), 404, "COLLATERAL_NOT_FOUND"
    )

    number = register(app_client, auth, owner)
    first, second = (
        application(app_client, auth, owner),
        application(app_client, auth, customer(app_client, auth)),
    )
    url = f"{APPLICATIONS}/{{}}/collateral"
    r = app_client.post(url.format(first), headers=credit, json={"collateral_number": number})
    assert r.status_code == 201, r.text
    over = app_client.post(url.format(second), headers=credit, json={"collateral_number": number})
    body = assert_problem(over, 409, "COLLATERAL_OVERPLEDGED")
    assert "at most 0.00 more" in body["detail"]
    again = app_client.post(url.format(first), headers=credit, json={"collateral_number": number})
    assert_problem(again, 422, "INVALID_COLLATERAL")
    missing = app_client.post(url.format(99_999_999), headers=credit, json={"collateral_number": number})
    assert_problem(missing, 404, "APPLICATION_NOT_FOUND")

    own = app_client.post(
        f"{APPLICATIONS}/{first}/guarantors",
        headers=credit,
        json={"customer_number": owner, "guaranteed_amount": "1000.00"},
    )
    assert_problem(own, 422, "INVALID_GUARANTOR")
    r = app_client.post(f"{APPLICATIONS}/{first}/cancel", headers=credit)
    assert r.status_code == 200, r.text
    closed = app_client.post(
        url.format(first), headers=credit, json={"collateral_number": register(app_client, auth, owner)}
    )
    assert_problem(closed, 409, "APPLICATION_CLOSED")


def test_every_collateral_route_needs_a_token(app_client: TestClient) -> None:
    for method, url in (
        ("post", COLLATERAL),
        ("get", COLLATERAL),
        ("get", f"{COLLATERAL}/0001410001000011"),
        ("post", f"{COLLATERAL}/0001410001000011/valuations"),
        ("post", f"{COLLATERAL}/0001410001000011/release"),
        ("post", f"{APPLICATIONS}/1/collateral"),
        ("post", f"{APPLICATIONS}/1/collateral/1/release"),
        ("post", f"{APPLICATIONS}/1/guarantors"),
        ("post", f"{APPLICATIONS}/1/guarantors/1/release"),
        ("get", f"{APPLICATIONS}/1/security"),
    ):
        r = app_client.post(url, json={}) if method == "post" else app_client.get(url)
        assert_problem(r, 401, "NOT_AUTHENTICATED")
