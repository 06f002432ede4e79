"""Banking stories over REST: logging in and lockout, idempotent retries, maker-checker, reversal, freezes,
holds, closing, history and statements, customer search and history, branch scope, till balancing, audit."""

from __future__ import annotations

import csv
import io
import re
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.ledger import chart
from tests.e2e.http.support import assert_problem, customer_body, key, unique_phone, unique_resident_id
from tests.factories import Staff, deposit, funded_account, ledger_state, new_account

API = "/api/v1"


def money_headers(headers: dict[str, str], idempotency_key: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": idempotency_key or key()}


def balance(client: TestClient, headers: dict[str, str], number: str) -> tuple[str, str]:
    """(balance, available_balance) of an account."""
    r = client.get(f"{API}/accounts/{number}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["balance"], r.json()["available_balance"]


def cash_in(client: TestClient, headers: dict[str, str], number: str, amount: str) -> httpx.Response:
    return client.post(
        f"{API}/accounts/{number}/cash-deposits",
        headers=money_headers(headers),
        json={"amount": amount, "currency": "CNY"},
    )


def cash_out(
    client: TestClient, headers: dict[str, str], number: str, amount: str, k: str | None = None
) -> httpx.Response:
    return client.post(
        f"{API}/accounts/{number}/cash-withdrawals",
        headers=money_headers(headers, k),
        json={"amount": amount, "currency": "CNY", "memo": "counter withdrawal"},
    )


def send_transfer(
    client: TestClient, headers: dict[str, str], payer: str, payee: str, amount: str, k: str | None = None
) -> httpx.Response:
    return client.post(
        f"{API}/transfers",
        headers=money_headers(headers, k),
        json={
            "from_account": payer,
            "to_account": payee,
            "amount": amount,
            "currency": "CNY",
            "memo": "rent",
        },
    )


def add_staff(client: TestClient, admin: dict[str, str], role: str = "teller") -> tuple[str, str]:
    """A throwaway staff user at head office (so lockouts and till closes never touch the shared staff)."""
    username = f"e2e-{role}-{uuid.uuid4().hex[:8]}"
    password = "Throwaway-pass-2026"
    r = client.post(
        f"{API}/users",
        headers=admin,
        json={"username": username, "roles": [role], "branch_code": "0001", "password": password},
    )
    assert r.status_code == 201, r.text
    assert r.json()["user"]["status"] == "active"
    return username, password


def login(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post(f"{API}/auth/token", data={"username": username, "password": password})


# ---------------------------------------------------------------- logging in


def test_five_wrong_passwords_lock_the_user_until_an_administrator_unlocks_it(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    username, password = add_staff(app_client, auth("admin2"))
    for _ in range(4):
        assert_problem(login(app_client, username, "Wrong-pass-2026"), 401, "LOGIN_FAILED")
    assert_problem(login(app_client, username, "Wrong-pass-2026"), 401, "USER_LOCKED")
    # Locked means locked: the right password no longer helps.
    assert_problem(login(app_client, username, password), 401, "USER_LOCKED")

    assert_problem(
        app_client.post(f"{API}/users/{username}/unlock", headers=auth("teller")), 403, "PERMISSION_DENIED"
    )
    r = app_client.post(f"{API}/users/{username}/unlock", headers=auth("admin2"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active"

    ok = login(app_client, username, password)
    assert ok.status_code == 200, ok.text
    token = ok.json()
    assert token["token_type"] == "bearer" and token["expires_in"] > 0
    me = app_client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json()["username"] == username
    assert "cash.operate" in me.json()["permissions"]


def test_unknown_user_and_wrong_password_look_the_same(app_client: TestClient, auth) -> None:  # type: ignore[no-untyped-def]
    username, _ = add_staff(app_client, auth("admin2"))
    unknown = assert_problem(
        login(app_client, f"nobody-{uuid.uuid4().hex[:6]}", "Whatever-2026"), 401, "LOGIN_FAILED"
    )
    wrong = assert_problem(login(app_client, username, "Wrong-pass-2026"), 401, "LOGIN_FAILED")
    assert unknown["detail"] == wrong["detail"]
    assert login(app_client, username, "Wrong-pass-2026").headers["www-authenticate"] == "Bearer"


def test_teller_lockout_counter_resets_after_a_good_login(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    username, password = add_staff(app_client, auth("admin2"))
    for _ in range(4):
        login(app_client, username, "Wrong-pass-2026")
    assert login(app_client, username, password).status_code == 200
    for _ in range(4):
        assert_problem(login(app_client, username, "Wrong-pass-2026"), 401, "LOGIN_FAILED")
    assert login(app_client, username, password).status_code == 200


# ---------------------------------------------------------------- what answers without a token, and what does not


def test_health_metrics_and_api_docs_answer_without_a_token(app_client: TestClient) -> None:
    health = app_client.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.json()["business_date"]

    metrics = app_client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "corebank_http_requests_total" in metrics.text
    # Counted by route template, not raw path, so account numbers never become label values.
    assert 'route="/health"' in metrics.text

    docs = app_client.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()

    spec = app_client.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "CoreBank"
    transfer_params = spec.json()["paths"][f"{API}/transfers"]["post"]["parameters"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= transfer_params[0].items()


def _api_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route the app serves, however this FastAPI version nests included routers."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before route contexts lists the routes themselves
        routes: list[Any] = list(app.routes)
    else:
        routes = list(iter_route_contexts(app.routes))
    out = []
    for r in routes:
        for method in sorted(getattr(r, "methods", None) or ()):
            if method != "HEAD":
                out.append((method, r.path))
    return out


# The ways in: staff and customer login, and online enrollment (the customer proves who they are with an account
# or card, their ID and an SMS code instead of a token; tests/integration/channels/identity tests each).
PUBLIC = {
    f"{API}/auth/token",
    f"{API}/me/enrollment/start",
    f"{API}/me/enrollment",
    f"{API}/me/auth/token",
    f"{API}/me/auth/second-factor",
    f"{API}/me/auth/refresh",
    f"{API}/me/auth/logout",
}


def test_every_api_route_but_login_refuses_a_request_without_a_token(app_client: TestClient) -> None:
    routes = [(m, p) for m, p in _api_routes(app_client.app) if p.startswith(API) and p not in PUBLIC]
    spec = app_client.get("/openapi.json").json()["paths"]
    documented = {(m.upper(), p) for p, ops in spec.items() if p.startswith(API) for m in ops}
    assert {(m, p) for m, p in documented if p not in PUBLIC} <= set(routes), "the walk missed routes"
    assert len(routes) >= 30

    for method, path in routes:
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for headers in ({}, {"Authorization": "Bearer expired.or.forged"}):
            r = app_client.request(method, concrete, headers=headers, json={})
            assert r.status_code == 401, f"{method} {path}: {r.status_code} {r.text}"
            assert_problem(r, 401, "NOT_AUTHENTICATED")
            assert r.headers["www-authenticate"] == "Bearer"


# ---------------------------------------------------------------- opening an account


def test_opening_deposit_is_paid_in_from_the_till(app_client: TestClient, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("teller2")
    customer = app_client.post(f"{API}/customers", headers=h, json=customer_body()).json()["number"]
    till_before = Decimal(_till(app_client, h, "teller2")["balance"])
    body = {"customer_number": customer, "product_code": "DEMAND_CNY", "opening_deposit": "500.00"}
    no_key = app_client.post(f"{API}/accounts", headers=h, json=body)
    assert_problem(no_key, 400, "IDEMPOTENCY_KEY_REQUIRED")
    keyed = {**h, "Idempotency-Key": f"open-{customer}"}
    r = app_client.post(f"{API}/accounts", headers=keyed, json=body)
    assert r.status_code == 201, r.text
    # A retry returns the account first opened: no second account, no second deposit.
    retry = app_client.post(f"{API}/accounts", headers=keyed, json=body)
    assert retry.status_code == 201 and retry.json()["number"] == r.json()["number"]
    acc = r.json()
    assert (acc["status"], acc["balance"], acc["available_balance"]) == ("active", "500.00", "500.00")
    assert acc["number"].startswith("0001") and acc["customer_number"] == customer
    assert Decimal(_till(app_client, h, "teller2")["balance"]) == till_before + 500
    (movement,) = app_client.get(f"{API}/accounts/{acc['number']}/transactions", headers=h).json()["items"]
    assert (movement["amount"], movement["memo"], movement["kind"]) == (
        "500.00",
        "opening deposit",
        "cash_deposit",
    )
    # One Type I account per person: the second is refused.
    again = app_client.post(f"{API}/accounts", headers=h, json={"customer_number": customer})
    assert_problem(again, 409, "TYPE_I_ACCOUNT_EXISTS")


# ---------------------------------------------------------------- idempotent retries


def test_retried_transfer_returns_the_first_answer_and_posts_once(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h = auth("teller")
    payer = funded_account(bank, staff["teller"].actor, "800.00").number
    payee = new_account(bank, staff["teller"].actor).number
    k = key()
    before = ledger_state(bank)
    first = send_transfer(app_client, h, payer, payee, "120.00", k)
    assert first.status_code == 201, first.text
    mid = ledger_state(bank)
    assert mid["entries"] == before["entries"] + 1
    for _ in range(3):
        again = send_transfer(app_client, h, payer, payee, "120.00", k)
        assert again.status_code == 201, again.text
        assert again.json() == first.json()
    after = ledger_state(bank)
    assert (after["entries"], after["lines"], after["balances"]) == (
        mid["entries"],
        mid["lines"],
        mid["balances"],
    )
    assert balance(app_client, h, payer) == ("680.00", "680.00")
    assert balance(app_client, h, payee) == ("120.00", "120.00")

    # The key belongs to its user: another teller's identical request with the same key is a new transfer.
    other = send_transfer(app_client, auth("teller2"), payer, payee, "120.00", k)
    assert other.status_code == 201, other.text
    assert other.json()["entry_id"] != first.json()["entry_id"]


def test_retried_cash_deposit_pays_in_once(app_client: TestClient, bank: Bank, staff: Staff, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("teller")
    number = new_account(bank, staff["teller"].actor).number
    k = key()
    receipts = [
        app_client.post(
            f"{API}/accounts/{number}/cash-deposits",
            headers=money_headers(h, k),
            json={"amount": "300.00", "currency": "CNY"},
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in receipts] == [201, 201]
    assert receipts[0].json() == receipts[1].json()
    assert re.fullmatch(r"0001-\d{8}-\d{6}", receipts[0].json()["voucher"])
    assert balance(app_client, h, number) == ("300.00", "300.00")


# ---------------------------------------------------------------- maker-checker on large cash withdrawals


def _till(client: TestClient, headers: dict[str, str], username: str) -> dict[str, Any]:
    tills = client.get(f"{API}/tills", headers=headers).json()
    return next(t for t in tills if t["username"] == username and t["status"] == "open")


def test_large_withdrawal_waits_for_a_supervisor_then_pays_out(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h = auth("teller")
    number = funded_account(bank, staff["teller"].actor, "120000.00").number
    till_before = _till(app_client, h, "teller")["balance"]
    before = ledger_state(bank)
    k = key()
    r = cash_out(app_client, h, number, "50000.00", k)
    assert r.status_code == 202, r.text
    pending = r.json()
    assert pending["status"] == "pending_approval"
    approval_id = pending["approval_id"]
    assert "50000.00" in pending["summary"]
    # Nothing has moved yet, and a retry finds the same request rather than making a second one.
    assert balance(app_client, h, number) == ("120000.00", "120000.00")
    assert ledger_state(bank)["entries"] == before["entries"]
    retry = cash_out(app_client, h, number, "50000.00", k)
    assert retry.status_code == 202 and retry.json() == pending

    listed = app_client.get(f"{API}/approvals", headers=auth("supervisor")).json()
    assert approval_id in [a["id"] for a in listed]

    # A teller may not authorize at all, nor a supervisor of another branch.
    assert_problem(
        app_client.post(f"{API}/approvals/{approval_id}/approve", headers=h), 403, "PERMISSION_DENIED"
    )
    assert_problem(
        app_client.post(f"{API}/approvals/{approval_id}/approve", headers=auth("east_supervisor")),
        403,
        "OUT_OF_BRANCH_SCOPE",
    )
    assert ledger_state(bank)["entries"] == before["entries"]
    done = app_client.post(
        f"{API}/approvals/{approval_id}/approve", headers=auth("manager"), json={"reason": "ID checked"}
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["maker"], done.json()["checker"]) == (
        "executed",
        "teller",
        "manager",
    )
    assert done.json()["result"]["balance"] == "70000.00"
    assert balance(app_client, h, number) == ("70000.00", "70000.00")
    # The cash left the maker's till.
    assert Decimal(_till(app_client, h, "teller")["balance"]) == Decimal(till_before) - 50000
    # Decided once: approving again is refused.
    assert_problem(
        app_client.post(f"{API}/approvals/{approval_id}/approve", headers=auth("supervisor")),
        409,
        "APPROVAL_NOT_PENDING",
    )


def test_maker_may_not_approve_their_own_request(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    sup = auth("supervisor")
    number = funded_account(bank, staff["teller"].actor, "90000.00").number
    r = cash_out(app_client, sup, number, "60000.00")
    assert r.status_code == 202, r.text
    approval_id = r.json()["approval_id"]
    before = ledger_state(bank)
    assert_problem(
        app_client.post(f"{API}/approvals/{approval_id}/approve", headers=sup), 403, "SELF_APPROVAL"
    )
    assert ledger_state(bank) == before
    done = app_client.post(f"{API}/approvals/{approval_id}/approve", headers=auth("manager"))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "executed"
    assert balance(app_client, sup, number) == ("30000.00", "30000.00")


def test_rejecting_needs_a_reason_and_moves_nothing(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h, sup = auth("teller"), auth("supervisor")
    number = funded_account(bank, staff["teller"].actor, "55000.00").number
    approval_id = cash_out(app_client, h, number, "55000.00").json()["approval_id"]
    before = ledger_state(bank)
    reject = f"{API}/approvals/{approval_id}/reject"
    assert_problem(app_client.post(reject, headers=sup, json={"reason": "  "}), 422, "INVALID_REQUEST")
    assert_problem(app_client.post(reject, headers=sup), 422, "VALIDATION_ERROR")
    assert ledger_state(bank) == before
    r = app_client.post(reject, headers=sup, json={"reason": "signature does not match"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["reason"], r.json()["checker"]) == (
        "rejected",
        "signature does not match",
        "supervisor",
    )
    assert balance(app_client, h, number) == ("55000.00", "55000.00")
    assert_problem(
        app_client.post(f"{API}/approvals/{approval_id}/approve", headers=sup), 409, "APPROVAL_NOT_PENDING"
    )
    assert app_client.get(f"{API}/approvals/{approval_id}", headers=h).json()["status"] == "rejected"


# ---------------------------------------------------------------- reversal (冲正)


def test_transfer_reversal_is_approved_then_restores_both_balances(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h = auth("teller")
    payer = funded_account(bank, staff["teller"].actor, "1000.00").number
    payee = new_account(bank, staff["teller"].actor).number
    entry_id = send_transfer(app_client, h, payer, payee, "400.00").json()["entry_id"]

    assert_problem(
        app_client.post(f"{API}/transfers/{entry_id}/reversal", headers=h, json={}), 422, "VALIDATION_ERROR"
    )
    r = app_client.post(f"{API}/transfers/{entry_id}/reversal", headers=h, json={"reason": "wrong payee"})
    assert r.status_code == 202, r.text
    assert (r.json()["status"], r.json()["entry_id"]) == ("pending_approval", entry_id)
    assert balance(app_client, h, payee) == ("400.00", "400.00")

    done = app_client.post(f"{API}/approvals/{r.json()['approval_id']}/approve", headers=auth("supervisor"))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "executed"
    reversal_id = done.json()["result"]["reversal_entry_id"]

    view = app_client.get(f"{API}/transfers/{entry_id}", headers=h).json()
    assert (view["status"], view["reversed_by"], view["amount"]) == ("reversed", reversal_id, "400.00")
    assert balance(app_client, h, payer) == ("1000.00", "1000.00")
    assert balance(app_client, h, payee) == ("0.00", "0.00")
    history = app_client.get(f"{API}/accounts/{payer}/transactions", headers=h).json()["items"]
    assert history[0]["reverses_entry"] == entry_id and history[0]["amount"] == "400.00"

    assert_problem(
        app_client.post(f"{API}/transfers/{entry_id}/reversal", headers=h, json={"reason": "again"}),
        409,
        "ALREADY_REVERSED",
    )
    assert_problem(
        app_client.post(f"{API}/transfers/{reversal_id}/reversal", headers=h, json={"reason": "x"}),
        404,
        "TRANSFER_NOT_FOUND",
    )


# ---------------------------------------------------------------- freezes and holds


def test_full_freeze_lets_money_in_but_not_out_until_lifted(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h, sup = auth("teller"), auth("supervisor")
    number = funded_account(bank, staff["teller"].actor, "1000.00").number
    other = funded_account(bank, staff["teller"].actor, "100.00").number
    r = app_client.post(
        f"{API}/accounts/{number}/freeze",
        headers=sup,
        json={
            "kind": "full",
            "reason": "judicial freeze",
            "authority": "Chaoyang court",
            "document_no": "J-7",
        },
    )
    assert r.status_code == 201, r.text
    freeze_id = r.json()["id"]
    acc = app_client.get(f"{API}/accounts/{number}", headers=h).json()
    assert (acc["status"], acc["available_balance"]) == ("frozen", "0.00")

    # Money still comes in, by cash and by transfer; nothing goes out.
    assert cash_in(app_client, h, number, "50.00").status_code == 201
    assert send_transfer(app_client, h, other, number, "20.00").status_code == 201
    assert_problem(cash_out(app_client, h, number, "10.00"), 422, "ACCOUNT_FROZEN")
    assert_problem(send_transfer(app_client, h, number, other, "10.00"), 422, "ACCOUNT_FROZEN")
    assert balance(app_client, h, number) == ("1070.00", "0.00")

    assert_problem(
        app_client.post(f"{API}/accounts/{number}/unfreeze", headers=h, json={"reason": "x"}),
        403,
        "PERMISSION_DENIED",
    )
    lifted = app_client.post(
        f"{API}/accounts/{number}/unfreeze",
        headers=sup,
        json={"freeze_id": freeze_id, "reason": "court lifted"},
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["status"] == "released"
    assert app_client.get(f"{API}/accounts/{number}", headers=h).json()["status"] == "active"
    assert cash_out(app_client, h, number, "10.00").status_code == 201
    assert send_transfer(app_client, h, number, other, "60.00").status_code == 201
    assert balance(app_client, h, number) == ("1000.00", "1000.00")
    assert_problem(
        app_client.post(f"{API}/accounts/{number}/unfreeze", headers=sup, json={"reason": "again"}),
        404,
        "HOLD_NOT_FOUND",
    )


def test_partial_freeze_reduces_what_is_available(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h, sup = auth("teller"), auth("supervisor")
    number = funded_account(bank, staff["teller"].actor, "1000.00").number
    r = app_client.post(
        f"{API}/accounts/{number}/freeze",
        headers=sup,
        json={"kind": "partial", "amount": "300.00", "reason": "tax authority"},
    )
    assert r.status_code == 201, r.text
    acc = app_client.get(f"{API}/accounts/{number}", headers=h).json()
    assert (acc["status"], acc["balance"], acc["available_balance"], acc["held"]) == (
        "active",
        "1000.00",
        "700.00",
        "300.00",
    )
    assert_problem(cash_out(app_client, h, number, "700.01"), 422, "INSUFFICIENT_FUNDS")
    assert cash_out(app_client, h, number, "700.00").status_code == 201
    assert balance(app_client, h, number) == ("300.00", "0.00")
    app_client.post(f"{API}/accounts/{number}/unfreeze", headers=sup, json={"reason": "paid"})
    assert balance(app_client, h, number) == ("300.00", "300.00")


def test_holds_are_listed_and_released(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h = auth("teller")
    number = funded_account(bank, staff["teller"].actor, "500.00").number
    placed = [
        app_client.post(
            f"{API}/accounts/{number}/holds",
            headers=h,
            json={"amount": amount, "reason": "card pre-authorization"},
        )
        for amount in ("100.00", "50.00")
    ]
    assert [p.status_code for p in placed] == [201, 201]
    listed = app_client.get(f"{API}/accounts/{number}/holds", headers=h).json()
    assert [(x["id"], x["kind"], x["amount"], x["status"]) for x in listed] == [
        (placed[0].json()["id"], "hold", "100.00", "active"),
        (placed[1].json()["id"], "hold", "50.00", "active"),
    ]
    assert balance(app_client, h, number) == ("500.00", "350.00")

    first = placed[0].json()["id"]
    release = f"{API}/accounts/{number}/holds/{first}/release"
    assert_problem(app_client.post(release, headers=h), 422, "VALIDATION_ERROR")  # no reason
    r = app_client.post(release, headers=h, params={"reason": "merchant settled"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["released_by"]) == ("released", "teller")
    assert balance(app_client, h, number) == ("500.00", "450.00")
    assert [x["id"] for x in app_client.get(f"{API}/accounts/{number}/holds", headers=h).json()] == [
        placed[1].json()["id"]
    ]
    everything = app_client.get(f"{API}/accounts/{number}/holds", headers=h, params={"all": "true"}).json()
    assert [x["status"] for x in everything] == ["released", "active"]
    assert_problem(app_client.post(release, headers=h, params={"reason": "twice"}), 404, "HOLD_NOT_FOUND")


# ---------------------------------------------------------------- closing (销户)


def test_empty_account_closes_at_once(app_client: TestClient, bank: Bank, staff: Staff, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("teller")
    number = new_account(bank, staff["teller"].actor).number
    r = app_client.post(
        f"{API}/accounts/{number}/close", headers=money_headers(h), json={"reason": "moving away"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["account"]["status"], body["settled_amount"], body["settled_to"], body["entry_id"]) == (
        "closed",
        "0.00",
        "none",
        None,
    )
    assert body["account"]["closed_on"]
    assert_problem(
        app_client.post(f"{API}/accounts/{number}/close", headers=money_headers(h), json={}),
        422,
        "ACCOUNT_CLOSED",
    )


def test_account_with_a_balance_closes_after_approval_and_pays_out(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h = auth("teller")
    number = funded_account(bank, staff["teller"].actor, "234.56").number
    assert_problem(
        app_client.post(f"{API}/accounts/{number}/close", headers=money_headers(h), json={}),
        422,
        "ACCOUNT_NOT_EMPTY",
    )
    r = app_client.post(
        f"{API}/accounts/{number}/close",
        headers=money_headers(h),
        json={"settle_to": "cash", "reason": "emigrating"},
    )
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending_approval"
    assert app_client.get(f"{API}/accounts/{number}", headers=h).json()["status"] == "active"

    done = app_client.post(f"{API}/approvals/{r.json()['approval_id']}/approve", headers=auth("supervisor"))
    assert done.status_code == 200, done.text
    result = done.json()["result"]
    assert (result["settled_amount"], result["settled_to"]) == ("234.56", "cash")
    assert result["voucher"] and result["entry_id"]
    acc = app_client.get(f"{API}/accounts/{number}", headers=h).json()
    assert (acc["status"], acc["balance"]) == ("closed", "0.00")
    assert_problem(cash_in(app_client, h, number, "1.00"), 422, "ACCOUNT_CLOSED")


def test_balance_settled_to_another_account_on_closing(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h = auth("teller")
    number = funded_account(bank, staff["teller"].actor, "99.99").number
    heir = new_account(bank, staff["teller"].actor).number
    r = app_client.post(
        f"{API}/accounts/{number}/close",
        headers=money_headers(h),
        json={"settle_to": "account", "to_account": heir},
    )
    assert r.status_code == 202, r.text
    done = app_client.post(f"{API}/approvals/{r.json()['approval_id']}/approve", headers=auth("manager"))
    assert done.status_code == 200, done.text
    assert balance(app_client, h, heir) == ("99.99", "99.99")
    assert app_client.get(f"{API}/accounts/{number}", headers=h).json()["status"] == "closed"


# ---------------------------------------------------------------- history and statements


@pytest.fixture(scope="module")
def busy_account(bank: Bank, staff: Staff) -> str:
    """An account with five cash deposits, 100.00 to 500.00."""
    teller = staff["teller"].actor
    number = new_account(bank, teller).number
    for amount in ("100.00", "200.00", "300.00", "400.00", "500.00"):
        deposit(bank, teller, number, amount)
    return number


def test_history_pages_cover_every_movement_exactly_once(
    app_client: TestClient,
    auth,
    busy_account: str,  # type: ignore[no-untyped-def]
) -> None:
    h = auth("teller")
    number = busy_account
    assert cash_out(app_client, h, number, "50.00").status_code == 201
    assert cash_out(app_client, h, number, "25.00").status_code == 201
    full = app_client.get(f"{API}/accounts/{number}/transactions", headers=h).json()
    assert full["next_cursor"] is None
    assert [t["amount"] for t in full["items"]] == [
        "-25.00",
        "-50.00",
        "500.00",
        "400.00",
        "300.00",
        "200.00",
        "100.00",
    ]
    assert [t["balance_after"] for t in full["items"]][:3] == ["1425.00", "1450.00", "1500.00"]

    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = app_client.get(f"{API}/accounts/{number}/transactions", headers=h, params=params).json()
        pages += 1
        assert 1 <= len(page["items"]) <= 2
        seen += [t["line_id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert seen == [t["line_id"] for t in full["items"]]
    assert len(set(seen)) == 7

    assert_problem(
        app_client.get(f"{API}/accounts/{number}/transactions", headers=h, params={"cursor": "abc"}),
        422,
        "INVALID_REQUEST",
    )
    assert_problem(
        app_client.get(f"{API}/accounts/{number}/transactions", headers=h, params={"limit": 0}),
        422,
        "VALIDATION_ERROR",
    )


def test_csv_statement_has_a_header_and_one_row_per_movement(
    app_client: TestClient,
    auth,
    busy_account: str,  # type: ignore[no-untyped-def]
) -> None:
    h = auth("teller")
    number = busy_account
    history = app_client.get(f"{API}/accounts/{number}/transactions", headers=h).json()["items"]
    r = app_client.get(f"{API}/accounts/{number}/statement.csv", headers=h)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert f"statement-{number}-" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == [
        "booking_date",
        "value_date",
        "entry_id",
        "kind",
        "reference",
        "memo",
        "amount",
        "balance",
        "channel",
    ]
    body = rows[1:]
    assert len(body) == len(history) >= 5
    # Oldest first, amounts and running balances as the history shows them newest first.
    assert [(row[2], row[6], row[7]) for row in body] == [
        (str(t["entry_id"]), t["amount"], t["balance_after"]) for t in reversed(history)
    ]
    assert_problem(
        app_client.get(f"{API}/accounts/000101999999990/statement.csv", headers=h), 404, "ACCOUNT_NOT_FOUND"
    )


# ---------------------------------------------------------------- customers


def test_customer_is_found_by_name_prefix_phone_id_number_and_number(
    app_client: TestClient,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    h = auth("teller")
    stem = f"Ouyang{uuid.uuid4().hex[:6]}"
    id_number, phone = unique_resident_id(), unique_phone()
    created = app_client.post(
        f"{API}/customers",
        headers=h,
        json=customer_body(name=f"{stem} Xiu", id_number=id_number, phone=phone),
    )
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    assert created.json()["id_number_masked"] == id_number[:3] + "*" * 11 + id_number[-4:]
    assert created.json()["phone_masked"] == phone[:3] + "****" + phone[-4:]
    sibling = app_client.post(f"{API}/customers", headers=h, json=customer_body(name=f"{stem} Lan"))
    assert sibling.status_code == 201

    def found(q: str) -> list[str]:
        r = app_client.get(f"{API}/customers", headers=h, params={"q": q})
        assert r.status_code == 200, r.text
        return [c["number"] for c in r.json()]

    assert found(stem) == sorted([number, sibling.json()["number"]])
    assert found(f"{stem} X") == [number]
    assert found(phone) == [number]
    assert found(id_number) == [number]
    assert found(id_number.lower()) == [number]
    assert found(number) == [number]
    assert found(f"Nobody{uuid.uuid4().hex[:6]}") == []
    assert_problem(app_client.get(f"{API}/customers", headers=h, params={"q": ""}), 422, "VALIDATION_ERROR")


def test_customer_changes_are_kept_in_history(app_client: TestClient, auth) -> None:  # type: ignore[no-untyped-def]
    h = auth("teller")
    created = app_client.post(f"{API}/customers", headers=h, json=customer_body(address="1 Old Lane")).json()
    number = created["number"]
    new_phone = unique_phone()
    r = app_client.patch(
        f"{API}/customers/{number}",
        headers=auth("teller2"),
        json={"address": "8 New Road", "phone": new_phone, "risk_level": "medium"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["address"], r.json()["risk_level"]) == (2, "8 New Road", "medium")
    # The same values again change nothing and add no history.
    same = app_client.patch(f"{API}/customers/{number}", headers=h, json={"address": "8 New Road"})
    assert same.json()["version"] == 2

    history = app_client.get(f"{API}/customers/{number}/history", headers=h)
    assert history.status_code == 200, history.text
    (change,) = history.json()
    assert (change["version"], change["changed_by"]) == (2, "teller2")
    assert change["changes"]["address"] == ["1 Old Lane", "8 New Road"]
    assert change["changes"]["risk_level"] == ["low", "medium"]
    assert change["changes"]["phone"] == [created["phone_masked"], new_phone[:3] + "****" + new_phone[-4:]]
    assert (
        app_client.get(f"{API}/customers", headers=h, params={"q": new_phone}).json()[0]["number"] == number
    )

    assert_problem(
        app_client.patch(f"{API}/customers/{number}", headers=h, json={"phone": "12"}), 422, "INVALID_PHONE"
    )
    assert_problem(
        app_client.patch(f"{API}/customers/8000000000", headers=h, json={"address": "x"}),
        404,
        "CUSTOMER_NOT_FOUND",
    )


# ---------------------------------------------------------------- branch scope


def test_other_branch_teller_may_pay_in_but_not_look_or_take_out(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    east = auth("east_teller")
    number = funded_account(bank, staff["teller"].actor, "700.00").number
    east_account = new_account(bank, staff["east_teller"].actor).number
    assert east_account.startswith("0002")
    for path in (
        f"{API}/accounts/{number}",
        f"{API}/accounts/{number}/transactions",
        f"{API}/accounts/{number}/holds",
    ):
        assert_problem(app_client.get(path, headers=east), 403, "OUT_OF_BRANCH_SCOPE")
    assert_problem(send_transfer(app_client, east, number, east_account, "10.00"), 403, "OUT_OF_BRANCH_SCOPE")
    assert_problem(cash_out(app_client, east, number, "10.00"), 403, "OUT_OF_BRANCH_SCOPE")

    # 通存: cash paid in at any branch reaches the account; the east till takes the cash.
    east_till = _till(app_client, east, "east_teller")["balance"]
    r = cash_in(app_client, east, number, "150.00")
    assert r.status_code == 201, r.text
    assert balance(app_client, auth("teller"), number) == ("850.00", "850.00")
    assert Decimal(_till(app_client, east, "east_teller")["balance"]) == Decimal(east_till) + 150

    acct = auth("accountant")
    entry = app_client.get(f"{API}/ledger/entries/{r.json()['entry_id']}", headers=acct).json()
    inter_branch = {
        (ln["branch_code"], ln["side"], ln["amount"])
        for ln in entry["lines"]
        if ln["gl_code"] == chart.INTER_BRANCH
    }
    assert inter_branch == {("0001", "debit", "150.00"), ("0002", "credit", "150.00")}
    for branch in ("0001", "0002", None):
        params = {"branch": branch} if branch else {}
        tb = app_client.get(f"{API}/ledger/trial-balance", headers=acct, params=params)
        assert tb.status_code == 200, tb.text
        assert tb.json()["balanced"] is True, (branch, tb.json())
        assert tb.json()["total_debit"] == tb.json()["total_credit"]
        assert tb.json()["branch_code"] == branch
    # A branch teller's supervisor may read its own branch's books only.
    assert_problem(
        app_client.get(
            f"{API}/ledger/trial-balance", headers=auth("east_supervisor"), params={"branch": "0001"}
        ),
        403,
        "OUT_OF_BRANCH_SCOPE",
    )


# ---------------------------------------------------------------- till balancing (轧账)


def test_till_closes_with_a_shortage_booked_as_cash_short(
    app_client: TestClient,
    bank: Bank,
    staff: Staff,
    auth,  # type: ignore[no-untyped-def]
) -> None:
    username, password = add_staff(app_client, auth("admin2"))
    token = login(app_client, username, password).json()["access_token"]
    me = {"Authorization": f"Bearer {token}"}
    opened = app_client.post(f"{API}/tills", headers=me, json={"opening_cash": "5000.00"})
    assert opened.status_code == 201, opened.text
    till = opened.json()
    assert (till["username"], till["status"], till["balance"]) == (username, "open", "5000.00")
    assert_problem(app_client.post(f"{API}/tills", headers=me, json={}), 409, "TILL_ALREADY_OPEN")

    number = new_account(bank, staff["teller"].actor).number
    assert cash_in(app_client, me, number, "1200.00").status_code == 201
    assert cash_out(app_client, me, number, "200.00").status_code == 201
    assert app_client.get(f"{API}/tills/{till['id']}", headers=me).json()["balance"] == "6000.00"

    assert_problem(
        app_client.post(
            f"{API}/tills/{till['id']}/close", headers=auth("teller"), json={"counted": "6000.00"}
        ),
        422,
        "NOT_YOUR_TILL",
    )
    assert_problem(
        app_client.post(f"{API}/tills/{till['id']}/close", headers=me, json={"counted": "-1.00"}),
        422,
        "INVALID_AMOUNT",
    )
    closed = app_client.post(f"{API}/tills/{till['id']}/close", headers=me, json={"counted": "5990.00"})
    assert closed.status_code == 200, closed.text
    c = closed.json()
    assert (c["status"], c["counted"], c["difference"], c["balance"]) == (
        "closed",
        "5990.00",
        "-10.00",
        "0.00",
    )
    assert c["closed_at"]

    assert_problem(
        app_client.post(f"{API}/tills/{till['id']}/close", headers=me, json={"counted": "0.00"}),
        409,
        "TILL_CLOSED",
    )
    assert_problem(cash_in(app_client, me, number, "1.00"), 422, "TILL_NOT_OPEN")
    tb = app_client.get(
        f"{API}/ledger/trial-balance", headers=auth("accountant"), params={"branch": "0001"}
    ).json()
    assert tb["balanced"] is True
    assert any(line["gl_code"] == chart.CASH_SHORT and line["debit"] != "0.00" for line in tb["lines"])


# ---------------------------------------------------------------- audit


def test_auditor_verifies_the_audit_chain(app_client: TestClient, auth) -> None:  # type: ignore[no-untyped-def]
    r = app_client.get(f"{API}/audit/verify", headers=auth("auditor"))
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is True
    assert r.json()["records"] > 0
    assert r.json()["first_bad_seq"] is None
    assert_problem(app_client.get(f"{API}/audit/verify", headers=auth("teller")), 403, "PERMISSION_DENIED")
