"""Notice deposits (通知存款) and sweep agreements (双利丰) over REST, on the shared bank's business date: open from
a demand account or cash, notices and their cancellation, withdrawals in part and in full, idempotent retries,
and the refusals a teller meets, each with its stable code and nothing changed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.e2e.http.support import assert_problem, key
from tests.factories import Staff, funded_account

API = "/api/v1"


def money(headers: dict[str, str], k: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": k or key()}


def balance(client: TestClient, headers: dict[str, str], number: str) -> str:
    r = client.get(f"{API}/accounts/{number}", headers=headers)
    assert r.status_code == 200, r.text
    return str(r.json()["balance"])


def today(client: TestClient) -> date:
    return date.fromisoformat(client.get("/health").json()["business_date"])


def test_teller_opens_gives_notice_and_withdraws_a_notice_deposit(
    app_client: TestClient, auth: Any, bank: Bank, staff: Staff
) -> None:
    c, teller = app_client, auth("teller")
    acc = funded_account(bank, staff["teller"].actor, "150000.00")
    k = key()
    body = {"from_account": acc.number, "product_code": "NOTICE_CNY", "notice_days": 7, "amount": "100000.00"}
    r = c.post(f"{API}/notice-deposits", headers=money(teller, k), json=body)
    assert r.status_code == 201, r.text
    dep = r.json()
    number = dep["number"]
    assert (dep["term"], dep["balance"], dep["status"], dep["swept"]) == ("7D", "100000.00", "active", False)
    retry = c.post(f"{API}/notice-deposits", headers=money(teller, k), json=body)
    assert retry.status_code == 201 and retry.json()["number"] == number
    assert balance(c, teller, acc.number) == "50000.00"

    got = c.get(f"{API}/notice-deposits/{number}", headers=teller)
    assert got.status_code == 200 and got.json()["balance"] == "100000.00"

    day = today(c)
    notice = {"amount": "50000.00", "withdrawal_date": str(day + timedelta(days=7))}
    r = c.post(f"{API}/notice-deposits/{number}/notices", headers=teller, json=notice)
    assert r.status_code == 201, r.text
    notice_id = r.json()["id"]
    assert_problem(
        c.post(f"{API}/notice-deposits/{number}/notices", headers=teller, json=notice),
        409,
        "NOTICE_ALREADY_REGISTERED",
    )
    r = c.post(f"{API}/notice-deposits/{number}/notices/{notice_id}/cancel", headers=teller)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    too_soon = {"amount": "50000.00", "withdrawal_date": str(day + timedelta(days=6))}
    assert_problem(
        c.post(f"{API}/notice-deposits/{number}/notices", headers=teller, json=too_soon),
        422,
        "NOTICE_PERIOD_TOO_SHORT",
    )

    url = f"{API}/notice-deposits/{number}/withdrawals"
    assert_problem(
        c.post(url, headers=money(teller), json={"amount": "49999.99", "to_account": acc.number}),
        422,
        "BELOW_MINIMUM_WITHDRAWAL",
    )
    assert_problem(
        c.post(url, headers=teller, json={"amount": "50000.00", "to_account": acc.number}),
        400,
        "IDEMPOTENCY_KEY_REQUIRED",
    )
    assert balance(c, teller, acc.number) == "50000.00"
    assert c.get(f"{API}/notice-deposits/{number}", headers=teller).json()["balance"] == "100000.00"

    k = key()
    part = c.post(url, headers=money(teller, k), json={"amount": "50000.00", "to_account": acc.number})
    assert part.status_code == 201, part.text
    # withdrawn the day it opened: no days held, no interest
    assert (part.json()["interest"], part.json()["deposit_balance"]) == ("0.00", "50000.00")
    again = c.post(url, headers=money(teller, k), json={"amount": "50000.00", "to_account": acc.number})
    assert again.json() == part.json()
    assert balance(c, teller, acc.number) == "100000.00"

    # The rest in cash: 50,000.00 is at the authorization threshold, so it waits for a supervisor (202).
    pending = c.post(url, headers=money(teller), json={})
    assert pending.status_code == 202, pending.text
    assert c.get(f"{API}/notice-deposits/{number}", headers=teller).json()["balance"] == "50000.00"
    done = c.post(f"{API}/approvals/{pending.json()['approval_id']}/approve", headers=auth("supervisor"))
    assert done.status_code == 200 and done.json()["status"] == "executed", done.text
    rest = done.json()
    assert (rest["result"]["paid_to"], rest["result"]["total_paid"], rest["result"]["deposit_status"]) == (
        "cash",
        "50000.00",
        "closed",
    )
    assert_problem(
        c.post(url, headers=money(teller), json={"amount": "50000.00"}), 409, "NOTICE_DEPOSIT_CLOSED"
    )


def test_notice_deposit_refusals(app_client: TestClient, auth: Any, bank: Bank, staff: Staff) -> None:
    c, teller = app_client, auth("teller")
    acc = funded_account(bank, staff["teller"].actor, "60000.00")
    base = {"from_account": acc.number, "term": "1D"}
    assert_problem(
        c.post(f"{API}/notice-deposits", headers=money(teller), json={**base, "amount": "49999.99"}),
        422,
        "BELOW_OPENING_MINIMUM",
    )
    assert_problem(
        c.post(f"{API}/notice-deposits", headers=money(auth("auditor")), json={**base, "amount": "50000.00"}),
        403,
        "PERMISSION_DENIED",
    )
    assert_problem(
        c.post(
            f"{API}/notice-deposits", headers=money(auth("east_teller")), json={**base, "amount": "50000.00"}
        ),
        403,
        "OUT_OF_BRANCH_SCOPE",
    )
    assert balance(c, teller, acc.number) == "60000.00"
    r = c.post(f"{API}/notice-deposits", headers=money(teller), json={**base, "amount": "50000.00"})
    assert r.status_code == 201, r.text
    assert_problem(
        c.get(f"{API}/notice-deposits/{r.json()['number']}", headers=auth("east_teller")),
        403,
        "OUT_OF_BRANCH_SCOPE",
    )
    assert_problem(
        c.get(f"{API}/notice-deposits/000107000000000", headers=teller), 404, "NOTICE_DEPOSIT_NOT_FOUND"
    )


def test_sweep_agreement_signed_read_and_cancelled(
    app_client: TestClient, auth: Any, bank: Bank, staff: Staff
) -> None:
    c, teller = app_client, auth("teller")
    acc = funded_account(bank, staff["teller"].actor, "8000.00")
    assert_problem(
        c.post(
            f"{API}/sweep-agreements",
            headers=teller,
            json={"account": acc.number, "retained_balance": "4999.99"},
        ),
        422,
        "SWEEP_RETAINED_BALANCE_TOO_LOW",
    )
    r = c.post(
        f"{API}/sweep-agreements", headers=teller, json={"account": acc.number, "retained_balance": "6000.00"}
    )
    assert r.status_code == 201, r.text
    ag = r.json()
    assert (ag["status"], ag["retained_balance"], ag["account"], ag["swept_balance"]) == (
        "active",
        "6000.00",
        acc.number,
        "0.00",
    )
    got = c.get(f"{API}/sweep-agreements/{ag['id']}", headers=teller)
    assert got.status_code == 200 and got.json()["notice_product_code"] == "NOTICE_CNY"
    assert_problem(
        c.post(f"{API}/sweep-agreements", headers=teller, json={"account": acc.number}),
        409,
        "SWEEP_AGREEMENT_EXISTS",
    )
    assert_problem(
        c.post(f"{API}/sweep-agreements/{ag['id']}/cancel", headers=teller), 400, "IDEMPOTENCY_KEY_REQUIRED"
    )
    done = c.post(f"{API}/sweep-agreements/{ag['id']}/cancel", headers=money(teller))
    assert done.status_code == 200, done.text
    assert (done.json()["drawn_back"], done.json()["agreement"]["status"]) == ("0.00", "cancelled")
    assert balance(c, teller, acc.number) == "8000.00"
