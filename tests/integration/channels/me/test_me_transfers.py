"""A customer's transfers on internet banking: within the bank (the entry says channel internet) and to another
bank (an interbank payment, no fee on an e-channel); the fee and signing shown before confirming; over the
signing threshold a code bound to amount and payee; the channel's single and daily limits; one answer per
Idempotency-Key with the limit counted once; a closed channel refuses everything."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.channels import registry
from corebank.products import fee_schedule
from corebank.products.fee_schemas import FeeRuleSet
from corebank.security import SYSTEM
from tests.factories import Staff, ledger_state
from tests.integration.channels.me.support import Customer, balance, enrolled, key, refused, signing_code

OTHER_BANK = "102100099996"  # a 12-digit bank code that is not ours
URL = "/api/v1/me/transfers"


@pytest.fixture
def pair(bank: Bank, staff: Staff) -> tuple[Customer, Customer]:
    """A payer with CNY 300,000 and a payee with CNY 1,000, both enrolled on internet banking."""
    teller = staff["teller"].actor
    return enrolled(bank, teller, balance="300000.00"), enrolled(bank, teller, balance="1000.00")


def _send(
    client: TestClient, who: Customer, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Any:
    return client.post(URL, json=body, headers={**who.headers, **(headers or key())})


def _books(bank: Bank) -> dict[str, Any]:
    """The money part of the books (a refused signing code is counted, so the audit trail grows by design)."""
    state = ledger_state(bank)
    return {k: state[k] for k in ("entries", "lines", "balances")}


def test_internal_transfer_moves_money_and_the_entry_says_internet(
    app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    payer, payee = pair
    r = _send(
        app_client,
        payer,
        {
            "from_account": payer.account,
            "to_account": payee.account,
            "amount": "250.00",
            "memo": "rent share",
        },
    )
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["kind"], t["status"], t["amount"], t["fee"], t["signed"], t["channel"]) == (
        "internal",
        "posted",
        "250.00",
        "0.00",
        False,
        "internet",
    )
    assert balance(app_client, payer) == "299750.00"
    assert balance(app_client, payee) == "1250.00"
    lines = app_client.get(f"/api/v1/me/accounts/{payer.account}/transactions", headers=payer.headers).json()
    assert (lines["items"][0]["entry_id"], lines["items"][0]["channel"]) == (t["entry_id"], "internet")
    assert lines["items"][0]["memo"] == "rent share"
    mine = app_client.get(URL, headers=payer.headers).json()["items"]
    assert [x["transfer_id"] for x in mine] == [t["transfer_id"]]


def test_quote_shows_fee_total_signing_and_what_the_day_still_allows(
    app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    payer, payee = pair
    ask = {"from_account": payer.account, "to_account": payee.account, "amount": "1000.00"}
    q = app_client.post(f"{URL}/quote", json=ask, headers=payer.headers).json()
    assert (q["fee"], q["total"], q["signing_required"], q["internal"]) == ("0.00", "1000.00", False, True)
    assert q["signing_payee"] == f"internal:{payee.account}"
    assert q["limit_remaining_today"] == "200000.00"
    q = app_client.post(f"{URL}/quote", json={**ask, "amount": "5000.01"}, headers=payer.headers).json()
    assert q["signing_required"] is True
    q = app_client.post(
        f"{URL}/quote",
        json={**ask, "to_account": "6222020200012345", "bank_code": OTHER_BANK},
        headers=payer.headers,
    ).json()
    assert (q["internal"], q["fee"], q["signing_payee"]) == (False, "0.00", f"{OTHER_BANK}:6222020200012345")


def test_over_the_threshold_needs_a_code_bound_to_amount_and_payee(
    bank: Bank, app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    payer, payee = pair
    body = {"from_account": payer.account, "to_account": payee.account, "amount": "6000.00"}
    problem = refused(
        bank, app_client, "POST", URL, 428, "SIGNING_REQUIRED", {**payer.headers, **key()}, json=body
    )
    assert "/api/v1/me/signing/challenges" in problem["detail"]
    assert problem["payee"] == f"internal:{payee.account}"
    signing = signing_code(app_client, bank, payer, "6000.00", f"internal:{payee.account}")
    # The code for 6000.00 does not sign 6000.01, and a wrong code is wrong; each try counts (two of three).
    before = _books(bank)
    r = _send(app_client, payer, {**body, "amount": "6000.01", "signing": signing})
    assert (r.status_code, r.json()["code"]) == (401, "SIGNING_CODE_INVALID"), r.text
    r = _send(app_client, payer, {**body, "signing": {**signing, "code": _wrong(signing["code"])}})
    assert (r.status_code, r.json()["code"]) == (401, "SIGNING_CODE_INVALID"), r.text
    assert _books(bank) == before
    r = _send(app_client, payer, {**body, "signing": signing})
    assert r.status_code == 201, r.text
    assert r.json()["signed"] is True
    assert balance(app_client, payee) == "7000.00"
    # Used once: the same code again (a new request) is refused and nothing moves.
    before = _books(bank)
    r = _send(app_client, payer, {**body, "signing": signing})
    assert (r.status_code, r.json()["code"]) == (401, "SIGNING_CODE_INVALID"), r.text
    assert _books(bank) == before


def _wrong(code: str) -> str:
    return "".join(str((int(c) + 1) % 10) for c in code)


def test_wrong_codes_are_counted_and_void_the_challenge(
    bank: Bank, app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    """A refused code rolls back with the transfer, yet the try is remembered: after three, the right code
    no longer works either."""
    payer, payee = pair
    body = {"from_account": payer.account, "payee_id": None, "to_account": payee.account, "amount": "7000.00"}
    signing = signing_code(app_client, bank, payer, "7000.00", f"internal:{payee.account}")
    before = _books(bank)
    for _ in range(3):
        r = _send(app_client, payer, {**body, "signing": {**signing, "code": _wrong(signing["code"])}})
        assert (r.status_code, r.json()["code"]) == (401, "SIGNING_CODE_INVALID"), r.text
    r = _send(app_client, payer, {**body, "signing": signing})
    assert (r.status_code, r.json()["code"]) == (401, "SIGNING_CODE_INVALID"), r.text
    assert _books(bank) == before


def test_over_the_single_limit_is_refused_and_nothing_posts(
    bank: Bank, app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    payer, payee = pair
    payee_name = f"internal:{payee.account}"
    body: dict[str, Any] = {"from_account": payer.account, "to_account": payee.account, "amount": "50000.01"}
    body["signing"] = signing_code(app_client, bank, payer, "50000.01", payee_name)
    problem = refused(
        bank, app_client, "POST", URL, 422, "LIMIT_EXCEEDED", {**payer.headers, **key()}, json=body
    )
    assert (problem["limit"], problem["tx_type"], problem["channel"]) == ("single", "transfer", "internet")
    assert balance(app_client, payer) == "300000.00"
    body = {**body, "amount": "50000.00"}
    body["signing"] = signing_code(app_client, bank, payer, "50000.00", payee_name)
    assert _send(app_client, payer, body).status_code == 201


def test_the_daily_limit_counts_across_transfers(
    bank: Bank, app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    payer, payee = pair
    r = app_client.put("/api/v1/me/limits/transfer", json={"daily": "8000.00"}, headers=payer.headers)
    assert r.status_code == 200, r.text
    body = {"from_account": payer.account, "to_account": payee.account, "amount": "5000.00"}
    assert _send(app_client, payer, body).status_code == 201
    problem = refused(
        bank, app_client, "POST", URL, 422, "LIMIT_EXCEEDED", {**payer.headers, **key()}, json=body
    )
    assert problem["limit"] == "daily"
    assert _send(app_client, payer, {**body, "amount": "3000.00"}).status_code == 201
    q = app_client.post(f"{URL}/quote", json=body, headers=payer.headers).json()
    assert q["limit_remaining_today"] == "0.00"


def test_lower_my_limit_then_be_refused_by_it(
    bank: Bank, app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    payer, payee = pair
    r = app_client.put("/api/v1/me/limits/transfer", json={"single": "1000.00"}, headers=payer.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["single"], r.json()["own_single"]) == ("1000.00", "1000.00")
    body = {"from_account": payer.account, "to_account": payee.account, "amount": "1000.01"}
    problem = refused(
        bank, app_client, "POST", URL, 422, "LIMIT_EXCEEDED", {**payer.headers, **key()}, json=body
    )
    assert problem["limit"] == "single"
    assert _send(app_client, payer, {**body, "amount": "1000.00"}).status_code == 201
    # Never above the bank's.
    refused(
        bank,
        app_client,
        "PUT",
        "/api/v1/me/limits/transfer",
        422,
        "LIMIT_ABOVE_BANK",
        payer.headers,
        json={"single": "50000.01"},
    )
    limits = {x["tx_type"]: x for x in app_client.get("/api/v1/me/limits", headers=payer.headers).json()}
    assert (limits["transfer"]["single"], limits["transfer"]["bank_single"]) == ("1000.00", "50000.00")


def test_interbank_transfer_makes_a_payment_with_no_fee_on_internet(
    bank: Bank, app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    payer, _ = pair
    body = {
        "from_account": payer.account,
        "to_account": "6222020200012345",
        "bank_code": OTHER_BANK,
        "amount": "1200.00",
        "memo": "tuition",
    }
    refused(
        bank, app_client, "POST", URL, 422, "CREDITOR_NAME_REQUIRED", {**payer.headers, **key()}, json=body
    )
    r = _send(app_client, payer, {**body, "creditor_name": "Zhang San"})
    assert r.status_code == 201, r.text
    t = r.json()
    assert (t["kind"], t["status"], t["fee"], t["bank_code"], t["creditor_name"]) == (
        "interbank",
        "created",
        "0.00",
        OTHER_BANK,
        "Zhang San",
    )
    assert t["payment_id"] is not None
    assert balance(app_client, payer) == "298800.00"
    listed = app_client.get(URL, headers=payer.headers).json()["items"]
    assert (listed[0]["payment_id"], listed[0]["status"]) == (t["payment_id"], "created")
    lines = app_client.get(f"/api/v1/me/accounts/{payer.account}/transactions", headers=payer.headers).json()
    assert lines["items"][0]["channel"] == "internet"


def test_a_retry_returns_the_first_answer_and_uses_the_limit_once(
    bank: Bank, app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    payer, payee = pair
    app_client.put("/api/v1/me/limits/transfer", json={"daily": "1500.00"}, headers=payer.headers)
    body = {"from_account": payer.account, "to_account": payee.account, "amount": "1000.00"}
    k = key()
    first = _send(app_client, payer, body, k)
    assert first.status_code == 201, first.text
    before = ledger_state(bank)
    again = _send(app_client, payer, body, k)
    assert (again.status_code, again.json()) == (201, first.json())
    assert ledger_state(bank) == before
    assert balance(app_client, payer) == "299000.00"
    limits = {x["tx_type"]: x for x in app_client.get("/api/v1/me/limits", headers=payer.headers).json()}
    assert (limits["transfer"]["used_today"], limits["transfer"]["remaining_today"]) == ("1000.00", "500.00")
    refused(
        bank,
        app_client,
        "POST",
        URL,
        409,
        "IDEMPOTENCY_KEY_REUSED",
        {**payer.headers, **k},
        json={**body, "amount": "1000.01"},
    )
    refused(bank, app_client, "POST", URL, 400, "IDEMPOTENCY_KEY_REQUIRED", payer.headers, json=body)
    assert _send(app_client, payer, {**body, "amount": "500.00"}).status_code == 201


def test_a_saved_payee_is_paid_by_its_id(app_client: TestClient, pair: tuple[Customer, Customer]) -> None:
    payer, payee = pair
    r = app_client.post(
        "/api/v1/me/payees", json={"name": payee.name, "account_number": payee.account}, headers=payer.headers
    )
    assert r.status_code == 201, r.text
    r = _send(
        app_client,
        payer,
        {"from_account": payer.account, "payee_id": r.json()["payee_id"], "amount": "10.00"},
    )
    assert r.status_code == 201, r.text
    assert (r.json()["to_account"], r.json()["creditor_name"]) == (payee.account, payee.name)
    r = _send(
        app_client,
        payer,
        {"from_account": payer.account, "payee_id": 1, "to_account": payee.account, "amount": "10.00"},
    )
    assert (r.status_code, r.json()["code"]) == (422, "TRANSFER_TARGET_INVALID")


@pytest.fixture
def mobile_closed(bank: Bank) -> Iterator[None]:
    bank.run(registry.close_channel, SYSTEM, "mobile", None, "tests")
    try:
        yield
    finally:
        bank.run(registry.open_channel, SYSTEM, "mobile", None, "tests")


def test_a_closed_channel_refuses_and_the_others_keep_working(
    bank: Bank, app_client: TestClient, staff: Staff, mobile_closed: None
) -> None:
    teller = staff["teller"].actor
    on_internet = enrolled(bank, teller, balance="1000.00")
    on_mobile = enrolled(
        bank,
        teller,
        customer_number=on_internet.number,
        account=on_internet.account,
        balance=None,
        channel="mobile",
    )
    body = {"from_account": on_mobile.account, "to_account": on_internet.account, "amount": "1.00"}
    for method, path, kw in (
        ("POST", URL, {"json": body}),
        ("GET", "/api/v1/me/accounts", {}),
        ("GET", "/api/v1/me/payees", {}),
        ("GET", "/api/v1/me/notifications", {}),
    ):
        refused(bank, app_client, method, path, 503, "CHANNEL_CLOSED", {**on_mobile.headers, **key()}, **kw)
    assert app_client.get("/api/v1/me/accounts", headers=on_internet.headers).status_code == 200


def test_a_closed_transaction_type_refuses_only_itself(
    bank: Bank, app_client: TestClient, pair: tuple[Customer, Customer]
) -> None:
    payer, payee = pair
    bank.run(registry.close_channel, SYSTEM, "internet", "transfer", "tests")
    try:
        body = {"from_account": payer.account, "to_account": payee.account, "amount": "1.00"}
        refused(
            bank, app_client, "POST", URL, 503, "CHANNEL_TX_CLOSED", {**payer.headers, **key()}, json=body
        )
        assert app_client.get("/api/v1/me/accounts", headers=payer.headers).status_code == 200
    finally:
        bank.run(registry.open_channel, SYSTEM, "internet", "transfer", "tests")
    assert _send(app_client, payer, body).status_code == 201


def test_a_fee_in_the_fee_table_is_quoted_and_charged_to_fee_income(
    bank: Bank, app_client: TestClient, staff: Staff
) -> None:
    """Transfers within the bank are free on e-channels by default; a fee the bank sets is shown by the quote
    and posted beside the transfer, payer to fee income."""
    teller = staff["teller"].actor
    payee = enrolled(bank, teller, balance=None)
    payer = enrolled(bank, teller, balance="1000.00", channel="mobile")
    rule = FeeRuleSet(tx_type="transfer", channel="mobile", fixed_fee="2.00")
    bank.run(fee_schedule.set_fee_rule, SYSTEM, rule)
    try:
        body = {"from_account": payer.account, "to_account": payee.account, "amount": "100.00"}
        q = app_client.post(f"{URL}/quote", json=body, headers=payer.headers).json()
        assert (q["fee"], q["total"]) == ("2.00", "102.00")
        r = _send(app_client, payer, body)
        assert r.status_code == 201, r.text
        assert (r.json()["fee"], r.json()["channel"]) == ("2.00", "mobile")
        assert balance(app_client, payer) == "898.00"
        lines = app_client.get(f"/api/v1/me/accounts/{payer.account}/transactions", headers=payer.headers)
        kinds = [(x["kind"], x["amount"], x["channel"]) for x in lines.json()["items"][:2]]
        assert kinds == [("transfer.fee", "-2.00", "mobile"), ("transfer", "-100.00", "mobile")]
    finally:
        bank.run(fee_schedule.set_fee_rule, SYSTEM, rule.model_copy(update={"active": False}))
