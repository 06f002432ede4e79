"""Every customer route answers only about the customer's own objects: another customer's account, payee,
time deposit or loan is NOT_FOUND (exactly like one that does not exist) and nothing changes; a staff token and
no token are both refused with 401 on every route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.factories import Staff
from tests.factories.loans import active_loan
from tests.integration.channels.me.support import Customer, enrolled, key, refused


@dataclass
class World:
    alice: Customer
    bob: Customer
    payee_id: int
    certificate: str
    loan_number: str
    application_id: int


@pytest.fixture(scope="module")
def world(bank: Bank, staff: Staff, app_client: TestClient) -> World:
    teller, credit, approver = staff["teller"].actor, staff["credit"].actor, staff["approver"].actor
    loan = active_loan(bank, teller, credit, approver, amount="20000.00")
    alice = enrolled(bank, teller, customer_number=loan.customer_number, account=loan.account_number)
    bob = enrolled(bank, teller)
    r = app_client.post(
        "/api/v1/me/payees",
        json={"name": bob.name, "account_number": bob.account, "nickname": "Bob"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    payee_id = r.json()["payee_id"]
    r = app_client.post(
        "/api/v1/me/time-deposits",
        json={"from_account": alice.account, "term_months": 12, "amount": "10000.00"},
        headers={**alice.headers, **key()},
    )
    assert r.status_code == 201, r.text
    certificate = r.json()["certificate_number"]
    r = app_client.post(
        "/api/v1/me/transfers",
        json={"from_account": alice.account, "payee_id": payee_id, "amount": "10.00"},
        headers={**alice.headers, **key()},
    )
    assert r.status_code == 201, r.text
    return World(alice, bob, payee_id, certificate, loan.loan_number, loan.application_id)


def _others_objects(w: World) -> list[tuple[str, str, dict[str, Any]]]:
    """Bob's requests that each name one of Alice's objects."""
    a, b = w.alice, w.bob
    td = {"from_account": a.account, "term_months": 12, "amount": "10000.00"}
    apply = {
        "amount": "10000.00",
        "term_months": 12,
        "purpose": "a new kitchen",
        "monthly_income": "20000.00",
        "employment": "state_enterprise",
    }
    return [
        ("GET", f"/api/v1/me/accounts/{a.account}", {}),
        ("GET", f"/api/v1/me/accounts/{a.account}/transactions", {}),
        ("GET", f"/api/v1/me/accounts/{a.account}/statement?from=2026-03-01&to=2026-03-02", {}),
        ("DELETE", f"/api/v1/me/payees/{w.payee_id}", {}),
        (
            "POST",
            "/api/v1/me/transfers/quote",
            {"json": {"from_account": a.account, "to_account": b.account, "amount": "1.00"}},
        ),
        (
            "POST",
            "/api/v1/me/transfers/quote",
            {"json": {"from_account": b.account, "payee_id": w.payee_id, "amount": "1.00"}},
        ),
        (
            "POST",
            "/api/v1/me/transfers",
            {"json": {"from_account": a.account, "to_account": b.account, "amount": "1.00"}},
        ),
        (
            "POST",
            "/api/v1/me/transfers",
            {"json": {"from_account": b.account, "payee_id": w.payee_id, "amount": "1.00"}},
        ),
        ("POST", "/api/v1/me/time-deposits", {"json": td}),
        (
            "POST",
            "/api/v1/me/time-deposits",
            {
                "json": {
                    **td,
                    "from_account": b.account,
                    "maturity_instruction": "pay_to_account",
                    "linked_account": a.account,
                }
            },
        ),
        (
            "POST",
            f"/api/v1/me/time-deposits/{w.certificate}/early-withdrawal",
            {"json": {"all": True, "to_account": b.account}},
        ),
        ("POST", "/api/v1/me/loan-applications", {"json": {**apply, "repay_account": a.account}}),
        ("GET", f"/api/v1/me/loans/{w.loan_number}", {}),
        (
            "POST",
            "/api/v1/me/bill-payments",
            {
                "json": {
                    "from_account": a.account,
                    "biller_code": "NONE",
                    "reference": "1234567890",
                    "amount": "1.00",
                }
            },
        ),
        ("GET", f"/api/v1/me/limits?account={a.account}", {}),
    ]


def test_another_customers_objects_are_not_found_and_nothing_changes(
    bank: Bank, app_client: TestClient, world: World
) -> None:
    for method, path, kwargs in _others_objects(world):
        body = refused(
            bank, app_client, method, path, 404, "NOT_FOUND", {**world.bob.headers, **key()}, **kwargs
        )
        assert world.alice.name not in str(body), body  # nothing of Alice's leaks


def test_the_owner_reaches_the_same_objects(app_client: TestClient, world: World) -> None:
    a = world.alice
    for path in (
        f"/api/v1/me/accounts/{a.account}",
        f"/api/v1/me/accounts/{a.account}/transactions",
        f"/api/v1/me/accounts/{a.account}/statement?from=2026-03-01&to=2026-03-02",
        f"/api/v1/me/loans/{world.loan_number}",
        f"/api/v1/me/limits?account={a.account}",
    ):
        r = app_client.get(path, headers=a.headers)
        assert r.status_code == 200, (path, r.text)
    assert app_client.get(f"/api/v1/me/loans/{world.loan_number}", headers=a.headers).json()["schedule"][
        "lines"
    ]


def test_none_by_that_number_is_answered_alike(bank: Bank, app_client: TestClient, world: World) -> None:
    b = world.bob
    for method, path, kwargs in (
        ("GET", "/api/v1/me/accounts/000101999999999", {}),
        ("DELETE", "/api/v1/me/payees/99999999", {}),
        ("GET", "/api/v1/me/loans/L0000000000", {}),
        (
            "POST",
            "/api/v1/me/time-deposits/TD0000000000/early-withdrawal",
            {"json": {"all": True, "to_account": b.account}},
        ),
    ):
        refused(bank, app_client, method, path, 404, "NOT_FOUND", {**b.headers, **key()}, **kwargs)


def test_lists_show_only_the_customers_own(app_client: TestClient, world: World) -> None:
    a, b = world.alice, world.bob
    get = lambda path, who: app_client.get(path, headers=who.headers).json()  # noqa: E731
    assert [x["number"] for x in get("/api/v1/me/accounts", b)] == [b.account]
    assert a.account in [x["number"] for x in get("/api/v1/me/accounts", a)]
    assert get("/api/v1/me/payees", b) == []
    assert [p["payee_id"] for p in get("/api/v1/me/payees", a)] == [world.payee_id]
    assert get("/api/v1/me/transfers", b)["items"] == []
    assert len(get("/api/v1/me/transfers", a)["items"]) == 1
    assert get("/api/v1/me/time-deposits", b)["items"] == []
    assert [t["certificate_number"] for t in get("/api/v1/me/time-deposits", a)["items"]] == [
        world.certificate
    ]
    assert get("/api/v1/me/loan-applications", b)["items"] == []
    assert [x["application_id"] for x in get("/api/v1/me/loan-applications", a)["items"]] == [
        world.application_id
    ]
    assert get("/api/v1/me/loans", b)["items"] == []
    assert [x["loan_number"] for x in get("/api/v1/me/loans", a)["items"]] == [world.loan_number]


ROUTES = [
    ("GET", "/api/v1/me/accounts"),
    ("GET", "/api/v1/me/accounts/{account}"),
    ("GET", "/api/v1/me/accounts/{account}/transactions"),
    ("GET", "/api/v1/me/accounts/{account}/statement?month=2026-03"),
    ("GET", "/api/v1/me/payees"),
    ("POST", "/api/v1/me/payees"),
    ("DELETE", "/api/v1/me/payees/{payee}"),
    ("POST", "/api/v1/me/transfers/quote"),
    ("POST", "/api/v1/me/transfers"),
    ("GET", "/api/v1/me/transfers"),
    ("GET", "/api/v1/me/time-deposits"),
    ("POST", "/api/v1/me/time-deposits"),
    ("POST", "/api/v1/me/time-deposits/{certificate}/early-withdrawal"),
    ("POST", "/api/v1/me/loan-applications"),
    ("GET", "/api/v1/me/loan-applications"),
    ("GET", "/api/v1/me/loans"),
    ("GET", "/api/v1/me/loans/{loan}"),
    ("GET", "/api/v1/me/billers"),
    ("POST", "/api/v1/me/bill-payments"),
    ("GET", "/api/v1/me/limits"),
    ("PUT", "/api/v1/me/limits/transfer"),
    ("GET", "/api/v1/me/notifications"),
    ("PUT", "/api/v1/me/notifications"),
]


@pytest.mark.parametrize("method,template", ROUTES)
def test_staff_token_and_no_token_are_refused(
    bank: Bank, app_client: TestClient, auth: Any, world: World, method: str, template: str
) -> None:
    path = template.format(
        account=world.alice.account,
        payee=world.payee_id,
        certificate=world.certificate,
        loan=world.loan_number,
    )
    body: dict[str, Any] = {"json": {}} if method in ("POST", "PUT") else {}
    staff_or_nobody: list[dict[str, str]] = [auth("manager"), auth("teller"), {}]
    for headers in staff_or_nobody:
        refused(bank, app_client, method, path, 401, "NOT_AUTHENTICATED", {**headers, **key()}, **body)


def test_every_route_is_covered(app_client: TestClient) -> None:
    """The list above is every /api/v1/me route of this area (others own auth, signing, cards, points ...)."""
    paths = app_client.get("/openapi.json").json()["paths"]
    mine = {(m.upper(), p) for p, ops in paths.items() if p.startswith("/api/v1/me/") for m in ops}
    listed = {
        (
            m,
            t.split("?")[0]
            .replace("{account}", "{number}")
            .replace("{payee}", "{payee_id}")
            .replace("{certificate}", "{certificate_number}")
            .replace("{loan}", "{loan_number}")
            .replace("/limits/transfer", "/limits/{tx_type}"),
        )
        for m, t in ROUTES
    }
    others = (
        "/auth",
        "/enrollment",
        "/totp",
        "/devices",
        "/password",
        "/signing",
        "/cards",
        "/points",
        "/atm-transfers",
    )
    ours = {(m, p) for m, p in mine if not any(p.startswith("/api/v1/me" + o) for o in others)}
    assert ours == listed, ours ^ listed
