"""ATM transfers (processing code 40, payee in field 103): to another person's account they wait 24 hours in
GL 2262 and can be revoked meanwhile, by the bank or by the payer; to the customer's own account they are
credited at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from corebank import ledger
from corebank.bootstrap import Bank
from corebank.channels.atm import transfers
from corebank.ledger import chart
from tests.e2e.iso8583.conftest import Card, Conn, Terminal, account_id, balances, card_request, issue_card
from tests.factories import Staff, ledger_state, new_account
from tests.factories.channels import customer_session


def pending_2262(bank: Bank) -> int:
    def read(uow: Any) -> int:
        return sum(
            bal
            for gl, _br, _cur, bal in ledger.gl_balances(uow, uow.business_date)
            if gl == chart.ATM_TRANSFERS_PENDING
        )

    return bank.run(read, readonly=True)


def transfer(conn: Conn, atm: Terminal, card: Card, amount: str, payee: str) -> dict[str, str]:
    return conn.ask(card_request(atm, card, "401000", amount, **{"103": payee}))


def find(
    app_client: TestClient, headers: dict[str, str], payer: str, path: str = "/api/v1/atm/transfers"
) -> dict[str, Any]:
    r = app_client.get(path, headers=headers)
    assert r.status_code == 200, r.text
    return next(t for t in r.json() if t["payer_account"] == payer)


def test_a_transfer_to_another_person_waits_a_day_then_is_credited(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff, app_client: TestClient, auth: Any
) -> None:
    payer = issue_card(bank, staff, "5000.00")
    payee = issue_card(bank, staff, "10.00")
    in_2262 = pending_2262(bank)
    answer = transfer(conn, atm, payer, "1200.00", payee.account_number)
    assert answer["39"] == "00" and answer["103"] == payee.account_number
    assert balances(bank, [payer.account_id, payee.account_id]) == {
        payer.account_id: 380000,
        payee.account_id: 1000,
    }
    assert pending_2262(bank) == in_2262 - 120000  # a liability: credit balances are negative
    row = find(app_client, auth("accountant"), payer.account_number)
    assert row["status"] == "pending" and row["amount"] == "1200.00"
    due = datetime.fromisoformat(row["due_at"])
    assert (
        timedelta(hours=23, minutes=59)
        < due.replace(tzinfo=due.tzinfo or UTC) - datetime.now(UTC)
        <= timedelta(hours=24)
    )

    bank.run(transfers.credit_due, datetime.now(UTC))  # not due yet
    assert find(app_client, auth("accountant"), payer.account_number)["status"] == "pending"
    bank.run(transfers.credit_due, datetime.now(UTC) + timedelta(hours=25))
    assert find(app_client, auth("accountant"), payer.account_number)["status"] == "credited"
    assert balances(bank, [payee.account_id])[payee.account_id] == 121000
    assert pending_2262(bank) == in_2262


def test_a_transfer_to_an_own_account_is_credited_at_once(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff, app_client: TestClient, auth: Any
) -> None:
    payer = issue_card(bank, staff, "900.00")
    own = new_account(bank, staff["teller"].actor, payer.customer_number, account_class=2)
    own_id = account_id(bank, own.number)
    assert transfer(conn, atm, payer, "100.00", own.number)["39"] == "00"
    assert balances(bank, [payer.account_id, own_id]) == {payer.account_id: 80000, own_id: 10000}
    assert find(app_client, auth("accountant"), payer.account_number)["status"] == "credited"


def test_the_bank_revokes_a_pending_transfer_and_the_payer_gets_it_back(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff, app_client: TestClient, auth: Any
) -> None:
    payer = issue_card(bank, staff, "2000.00")
    payee = issue_card(bank, staff, "0")
    assert transfer(conn, atm, payer, "700.00", payee.account_number)["39"] == "00"
    tid = find(app_client, auth("accountant"), payer.account_number)["id"]
    url = f"/api/v1/atm/transfers/{tid}/revoke"
    # Reading is not enough: revoking needs payment.operate.
    assert (
        app_client.post(
            url, json={"reason": "x"}, headers={**auth("teller"), "Idempotency-Key": "r0"}
        ).status_code
        == 403
    )
    r = app_client.post(
        url,
        json={"reason": "customer called: fraud"},
        headers={**auth("accountant"), "Idempotency-Key": f"rv-{tid}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "revoked" and r.json()["revoke_reason"] == "customer called: fraud"
    assert balances(bank, [payer.account_id, payee.account_id]) == {
        payer.account_id: 200000,
        payee.account_id: 0,
    }
    again = app_client.post(
        url,
        json={"reason": "customer called: fraud"},
        headers={**auth("accountant"), "Idempotency-Key": f"rv-{tid}"},
    )
    assert again.json() == r.json()
    before = ledger_state(bank)
    late = app_client.post(url, json={}, headers={**auth("accountant"), "Idempotency-Key": f"rv2-{tid}"})
    assert late.status_code == 409 and late.json()["code"] == "ATM_TRANSFER_NOT_PENDING"
    bank.run(transfers.credit_due, datetime.now(UTC) + timedelta(hours=25))
    assert ledger_state(bank)["balances"] == before["balances"]


def test_the_payer_revokes_their_own_transfer_and_no_one_else_can(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff, app_client: TestClient, auth: Any
) -> None:
    payer = issue_card(bank, staff, "2000.00")
    payee = issue_card(bank, staff, "0")
    assert transfer(conn, atm, payer, "300.00", payee.account_number)["39"] == "00"
    mine = customer_session(bank, payer.customer_number)
    other = customer_session(bank, payee.customer_number)
    row = find(app_client, mine.headers, payer.account_number, "/api/v1/me/atm-transfers")
    url = f"/api/v1/me/atm-transfers/{row['id']}/revoke"
    assert app_client.get("/api/v1/me/atm-transfers", headers=other.headers).json() == []
    refused = app_client.post(url, json={}, headers={**other.headers, "Idempotency-Key": "o1"})
    assert refused.status_code == 404 and refused.json()["code"] == "NOT_FOUND"
    assert app_client.get(f"/api/v1/me/atm-transfers/{row['id']}", headers=other.headers).status_code == 404
    # A staff token is not a customer's, nor the other way round.
    assert (
        app_client.post(url, json={}, headers={**auth("accountant"), "Idempotency-Key": "s1"}).status_code
        == 401
    )
    assert app_client.get("/api/v1/atm/transfers", headers=mine.headers).status_code == 401
    ok = app_client.post(
        url, json={"reason": "typed the wrong account"}, headers={**mine.headers, "Idempotency-Key": "m1"}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "revoked" and ok.json()["revoked_by"].startswith("customer:")
    assert balances(bank, [payer.account_id])[payer.account_id] == 200000


def test_a_transfer_to_no_account_of_ours_is_12_and_changes_nothing(
    conn: Conn, atm: Terminal, bank: Bank, staff: Staff
) -> None:
    payer = issue_card(bank, staff, "2000.00")
    before = ledger_state(bank)
    assert transfer(conn, atm, payer, "100.00", "0001019999999999")["39"] == "12"
    assert transfer(conn, atm, payer, "100.00", payer.account_number)["39"] == "12"
    no_payee = card_request(atm, payer, "401000", "100.00")
    assert conn.ask(no_payee)["39"] == "12"
    assert ledger_state(bank) == before
