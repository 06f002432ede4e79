"""Time deposits over REST at the counter: open from an account and from cash, read, list, an idempotent
early withdrawal, the maturity instruction, loss report and release, the interest certificate PDF, and the
problems a teller meets (stable codes, nothing changed). The shared bank's date never moves here; stories
across dates are in tests/integration/deposits/test_time_deposits.py."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.kernel.ids import luhn_valid
from tests.e2e.http.support import assert_problem, customer_body, key, unique_resident_id
from tests.factories import ledger_state

API = "/api/v1"
TD = f"{API}/time-deposits"


def money(headers: dict[str, str], k: str | None = None) -> dict[str, str]:
    return {**headers, "Idempotency-Key": k or key()}


def holder(client: TestClient, teller: dict[str, str], funds: str = "20000.00") -> tuple[str, str, str]:
    """(customer number, demand account, ID number) opened and funded over REST."""
    idn = unique_resident_id()
    r = client.post(f"{API}/customers", headers=teller, json=customer_body(id_number=idn))
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
    return cust, acc, idn


def open_td(client: TestClient, teller: dict[str, str], k: str | None = None, **body: Any) -> Any:
    return client.post(TD, headers=money(teller, k), json={"term_months": 12, "amount": "10000.00", **body})


def test_open_read_list_and_withdraw_early_over_rest(app_client: TestClient, auth: Any) -> None:
    teller = auth("teller")
    cust, acc, _ = holder(app_client, teller)
    k = key()
    r = open_td(app_client, teller, k, from_account=acc, maturity_instruction="pay_to_account")
    assert r.status_code == 201, r.text
    td = r.json()
    cert = td["certificate_number"]
    assert luhn_valid(cert) and cert.startswith("000112")
    assert (td["principal"], td["annual_rate"], td["expected_interest"]) == ("10000.00", "1.50", "150.00")
    assert (td["opened_on"], td["maturity_date"], td["linked_account"]) == ("2026-03-02", "2027-03-02", acc)
    again = open_td(app_client, teller, k, from_account=acc, maturity_instruction="pay_to_account")
    assert again.status_code == 201 and again.json()["certificate_number"] == cert
    assert app_client.get(f"{API}/accounts/{acc}", headers=teller).json()["balance"] == "10000.00"

    cash = open_td(app_client, teller, cash=True, customer_number=cust, term_months=3, amount="50.00")
    assert cash.status_code == 201, cash.text
    assert cash.json()["expected_interest"] == "0.14"  # 50.00 × 1.10 % × 3 ÷ 12 = 0.1375 -> 0.14

    got = app_client.get(f"{TD}/{cert}", headers=auth("auditor"))
    assert got.status_code == 200 and got.json()["status"] == "active"
    page = app_client.get(TD, headers=teller, params={"customer": cust, "limit": 1})
    assert page.status_code == 200, page.text
    assert [d["certificate_number"] for d in page.json()["items"]] == [cert]
    rest = app_client.get(TD, headers=teller, params={"customer": cust, "cursor": page.json()["next_cursor"]})
    assert [d["certificate_number"] for d in rest.json()["items"]] == [cash.json()["certificate_number"]]

    wk = key()
    body = {"amount": "4000.00", "to_account": acc}
    out = app_client.post(f"{TD}/{cert}/early-withdrawal", headers=money(teller, wk), json=body)
    assert out.status_code == 200, out.text
    # withdrawn the day it was opened: no days held, no interest
    assert (out.json()["principal_paid"], out.json()["interest"], out.json()["remaining_principal"]) == (
        "4000.00",
        "0.00",
        "6000.00",
    )
    retry = app_client.post(f"{TD}/{cert}/early-withdrawal", headers=money(teller, wk), json=body)
    assert retry.json() == out.json()
    assert app_client.get(f"{API}/accounts/{acc}", headers=teller).json()["balance"] == "14000.00"
    second = app_client.post(f"{TD}/{cert}/early-withdrawal", headers=money(teller), json=body)
    assert_problem(second, 422, "PARTIAL_WITHDRAWAL_USED")

    pdf = app_client.get(f"{TD}/{cert}/interest-certificate", headers=teller)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_bad_input_gets_stable_codes_and_changes_nothing(
    app_client: TestClient, auth: Any, bank: Bank
) -> None:
    teller = auth("teller")
    cust, acc, _ = holder(app_client, teller, "500.00")
    before = ledger_state(bank)
    assert_problem(
        open_td(app_client, teller, from_account=acc, term_months=9, amount="100.00"), 422, "TERM_NOT_OFFERED"
    )
    assert_problem(open_td(app_client, teller, from_account=acc, amount="49.99"), 422, "BELOW_MINIMUM")
    assert_problem(open_td(app_client, teller, from_account=acc, amount="600.00"), 422, "INSUFFICIENT_FUNDS")
    assert_problem(open_td(app_client, teller, from_account=acc, amount=100), 422, "INVALID_AMOUNT")
    no_key = app_client.post(
        TD, headers=teller, json={"from_account": acc, "term_months": 3, "amount": "100.00"}
    )
    assert_problem(no_key, 400, "IDEMPOTENCY_KEY_REQUIRED")
    auditor = open_td(app_client, auth("auditor"), from_account=acc, amount="100.00")
    assert_problem(auditor, 403, "PERMISSION_DENIED")
    assert_problem(app_client.get(f"{TD}/000112999999999", headers=teller), 404, "TIME_DEPOSIT_NOT_FOUND")
    assert ledger_state(bank) == before
    td = open_td(app_client, teller, from_account=acc, amount="100.00").json()["certificate_number"]
    east = auth("east_teller")
    assert_problem(app_client.get(f"{TD}/{td}", headers=east), 403, "OUT_OF_BRANCH_SCOPE")
    far = app_client.post(
        f"{TD}/{td}/early-withdrawal", headers=money(east), json={"all": True, "cash": True}
    )
    assert_problem(far, 403, "OUT_OF_BRANCH_SCOPE")
    assert cust


def test_loss_report_blocks_until_the_holder_releases_it(app_client: TestClient, auth: Any) -> None:
    teller = auth("teller")
    _cust, acc, idn = holder(app_client, teller)
    cert = open_td(app_client, teller, from_account=acc).json()["certificate_number"]
    url = f"{TD}/{cert}/maturity-instruction"
    bare = app_client.put(url, headers=teller, json={"maturity_instruction": "rollover_principal"})
    assert_problem(bare, 422, "INSTRUCTION_NOT_ALLOWED")  # its interest needs somewhere to go
    put = app_client.put(
        url, headers=teller, json={"maturity_instruction": "rollover_principal", "linked_account": acc}
    )
    assert put.status_code == 200, put.text
    assert (put.json()["maturity_instruction"], put.json()["linked_account"]) == ("rollover_principal", acc)
    r = app_client.post(f"{TD}/{cert}/loss-reports", headers=teller, json={"kind": "oral"})
    assert r.status_code == 201, r.text
    assert (r.json()["status"], r.json()["blocks_until"]) == ("active", "2026-03-07")
    blocked = app_client.post(
        f"{TD}/{cert}/early-withdrawal", headers=money(teller), json={"all": True, "to_account": acc}
    )
    assert_problem(blocked, 422, "CERTIFICATE_REPORTED_LOST")
    too_early = app_client.post(f"{TD}/{cert}/reissue", headers=teller, json={"id_number": idn})
    assert_problem(too_early, 422, "REISSUE_TOO_EARLY")
    wrong = app_client.post(f"{TD}/{cert}/loss-reports/release", headers=teller, json={"id_number": "X"})
    assert_problem(wrong, 403, "IDENTITY_MISMATCH")
    ok = app_client.post(f"{TD}/{cert}/loss-reports/release", headers=teller, json={"id_number": idn})
    assert ok.status_code == 200 and ok.json()["status"] == "released"
    out = app_client.post(
        f"{TD}/{cert}/early-withdrawal", headers=money(teller), json={"all": True, "to_account": acc}
    )
    assert out.status_code == 200 and out.json()["deposit_status"] == "closed"
    assert app_client.get(f"{TD}/{cert}", headers=teller).json()["status"] == "closed"


def test_every_time_deposit_route_needs_a_token(app_client: TestClient) -> None:
    routes = [
        ("POST", TD),
        ("GET", TD),
        ("GET", f"{TD}/1"),
        ("POST", f"{TD}/1/early-withdrawal"),
        ("POST", f"{TD}/1/withdrawal"),
        ("PUT", f"{TD}/1/maturity-instruction"),
        ("POST", f"{TD}/1/loss-reports"),
        ("POST", f"{TD}/1/loss-reports/release"),
        ("POST", f"{TD}/1/reissue"),
        ("GET", f"{TD}/1/interest-certificate"),
    ]
    for method, path in routes:
        assert_problem(app_client.request(method, path, json={}), 401, "NOT_AUTHENTICATED")
