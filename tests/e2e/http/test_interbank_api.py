"""The interbank REST flow as a teller: send to another bank, watch it settle through the clearing house,
list it; and the clearing house's deliveries to /api/v1/clearing/inbound."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corebank import iso20022
from corebank.bootstrap import Bank
from corebank.iso20022 import CreditTransfer, Pacs008, Party
from tests.e2e.http.support import assert_problem, customer_body, key
from tests.integration.payments.interbank_support import OTHER_BANK, FixedClock, Simulator, simulator

API = "/api/v1"
MORNING = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai on the session bank's date


@pytest.fixture
def sim(
    app_client: TestClient, bank: Bank, auth: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Simulator]:
    """The clearing house in-process: the bank app sends to it, and its deliveries reach the bank app.
    The bank's clock stands at 10:00 (HVPS open); logins happen first, on the real clock."""
    for name in ("teller", "auditor", "accountant"):
        auth(name)
    monkeypatch.setattr(bank.uow, "clock", FixedClock(MORNING))
    s = simulator(tmp_path)
    s.router.add("bank", app_client)
    s.router.add("other", None)
    st = bank.settings
    s.house.add_participant(st.bank_code, st.bank_name, "http://bank", st.clearing_token, "100000000.00")
    s.house.add_participant(OTHER_BANK, "Other Bank", "http://other", "other-bank-token-1", "100000000.00")
    app_client.app.state.clearing_client = s.client  # type: ignore[attr-defined]
    yield s
    del app_client.app.state.clearing_client  # type: ignore[attr-defined]


def open_funded_account(client: TestClient, h: dict[str, str], amount: str) -> dict[str, Any]:
    customer = client.post(f"{API}/customers", headers=h, json=customer_body()).json()["number"]
    body = {"customer_number": customer, "product_code": "DEMAND_CNY", "opening_deposit": amount}
    r = client.post(f"{API}/accounts", headers={**h, "Idempotency-Key": key()}, json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_teller_sends_an_interbank_payment_that_settles_at_once(
    app_client: TestClient, auth: Any, sim: Simulator
) -> None:
    h = auth("teller")
    acc = open_funded_account(app_client, h, "90000.00")
    body = {
        "from_account": acc["number"],
        "creditor_bank_code": OTHER_BANK,
        "creditor_account": "6222000011112222",
        "creditor_name": "Li Na",
        "amount": "60000.00",
        "remittance": "invoice 42",
    }
    assert_problem(
        app_client.post(f"{API}/payments/interbank", headers=h, json=body), 400, "IDEMPOTENCY_KEY_REQUIRED"
    )
    keyed = {**h, "Idempotency-Key": key()}
    r = app_client.post(f"{API}/payments/interbank", headers=keyed, json=body)
    assert r.status_code == 201, r.text
    paid = r.json()
    assert (paid["status"], paid["system"], paid["fee"], paid["amount"]) == (
        "created",
        "HVPS",
        "10.00",
        "60000.00",
    )
    # The request's background task has sent it already: HVPS settles gross.
    got = app_client.get(f"{API}/payments/{paid['payment_id']}", headers=h)
    assert got.status_code == 200
    assert got.json()["status"] == "settled"
    retry = app_client.post(f"{API}/payments/interbank", headers=keyed, json=body)
    assert retry.status_code == 201 and retry.json()["payment_id"] == paid["payment_id"]
    balance = app_client.get(f"{API}/accounts/{acc['number']}", headers=h).json()["balance"]
    assert balance == "29990.00"
    listed = app_client.get(f"{API}/payments", headers=h, params={"account": acc["number"]}).json()
    assert [p["payment_id"] for p in listed["items"]] == [paid["payment_id"]]
    assert app_client.get(f"{API}/payments/{paid['payment_id']}", headers=auth("auditor")).status_code == 200


def test_interbank_requests_refused_with_stable_codes(
    app_client: TestClient, auth: Any, sim: Simulator
) -> None:
    h = auth("teller")
    acc = open_funded_account(app_client, h, "100.00")
    base = {
        "from_account": acc["number"],
        "creditor_bank_code": OTHER_BANK,
        "creditor_account": "6222000011112222",
        "creditor_name": "Li Na",
        "amount": "10.00",
    }
    own_code = app_client.app.state.bank.settings.bank_code  # type: ignore[attr-defined]
    for change, code in [
        ({"creditor_bank_code": "31310000001"}, "BAD_BANK_CODE"),
        ({"creditor_bank_code": own_code}, "SAME_BANK"),
        ({"amount": "1000.00"}, "INSUFFICIENT_FUNDS"),
        ({"amount": "-1.00"}, "INVALID_AMOUNT"),
    ]:
        r = app_client.post(
            f"{API}/payments/interbank", headers={**h, "Idempotency-Key": key()}, json={**base, **change}
        )
        assert_problem(r, 422, code)
    assert app_client.get(f"{API}/accounts/{acc['number']}", headers=h).json()["balance"] == "100.00"
    assert_problem(app_client.get(f"{API}/payments/99999999", headers=h), 404, "INTERBANK_PAYMENT_NOT_FOUND")
    assert_problem(
        app_client.post(
            f"{API}/payments/interbank", headers={**auth("accountant"), "Idempotency-Key": key()}, json=base
        ),
        403,
        "PERMISSION_DENIED",
    )


def credit_xml(bank: Bank, account: str, name: str, amount: str, msg_id: str) -> bytes:
    ours = bank.settings.bank_code
    return iso20022.build_pacs008(
        Pacs008(
            msg_id=msg_id,
            created_at=MORNING,
            settlement_date=date(2026, 3, 2),
            system="BEPS",
            instructing_agent=iso20022.CLEARING_BANK_CODE,
            instructed_agent=ours,
            transactions=(
                CreditTransfer(
                    f"{msg_id}T1",
                    f"{msg_id}E1",
                    Decimal(amount),
                    "CNY",
                    Party("Zhao", "1", OTHER_BANK),
                    Party(name, account, ours),
                ),
            ),
        )
    )


def test_clearing_deliveries_need_the_token_and_a_valid_document(
    app_client: TestClient, auth: Any, bank: Bank
) -> None:
    h = auth("teller")
    acc = open_funded_account(app_client, h, "1.00")
    xml = credit_xml(bank, acc["number"], acc["name"], "25.00", "E2EINBOUND1")
    url = f"{API}/clearing/inbound"
    assert_problem(app_client.post(url, content=xml), 401, "NOT_AUTHENTICATED")
    assert_problem(
        app_client.post(url, content=xml, headers={"X-Clearing-Token": "wrong"}), 401, "NOT_AUTHENTICATED"
    )
    token = {"X-Clearing-Token": bank.settings.clearing_token, "Content-Type": "application/xml"}
    bad = app_client.post(url, content=b"<Document><broken", headers=token)
    assert bad.status_code == 400 and bad.json()["code"] == "XML_MALFORMED"
    ok = app_client.post(url, content=xml, headers=token)
    assert ok.status_code == 200, ok.text
    assert ok.json()["credited"] == 1
    again = app_client.post(url, content=xml, headers=token)
    assert again.status_code == 200 and again.json()["repeated"] == 1
    assert app_client.get(f"{API}/accounts/{acc['number']}", headers=h).json()["balance"] == "26.00"
