"""Customers with accounts and sessions for the tests of the customer's own banking (`/api/v1/me/...`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from corebank import customers
from corebank.bootstrap import Bank
from corebank.channels import sms
from corebank.security import Actor
from tests.factories import deposit, ledger_state, new_account, new_customer
from tests.factories.channels import CustomerSession, customer_session

_phones = itertools.count(1)
_keys = itertools.count(1)


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": f"me-{next(_keys)}"}


@dataclass
class Customer:
    """A customer enrolled in e-banking: number, first account, phone and session."""

    number: str
    name: str
    account: str
    phone: str
    session: CustomerSession

    @property
    def headers(self) -> dict[str, str]:
        return self.session.headers


def enrolled(
    bank: Bank,
    teller: Actor,
    *,
    balance: str | None = "100000.00",
    customer_number: str | None = None,
    account: str | None = None,
    channel: str = "internet",
) -> Customer:
    """A customer with a funded Type I account (a new one unless given) and an e-banking session."""
    if customer_number is None:
        cust = new_customer(bank, teller)
        customer_number, name = cust.number, cust.name
    else:
        name = bank.run(customers.customer_ref, customer_number, must_be_active=False, readonly=True).name
    if account is None:
        account = new_account(bank, teller, customer_number).number
    if balance:
        deposit(bank, teller, account, balance)
    phone = f"137{next(_phones) + 5000000:08d}"
    session = customer_session(bank, customer_number, channel=channel, phone=phone)
    return Customer(customer_number, name, account, phone, session)


def balance(client: TestClient, who: Customer, number: str | None = None) -> str:
    """The ledger balance of one of `who`'s accounts, as the customer reads it."""
    r = client.get(f"/api/v1/me/accounts/{number or who.account}", headers=who.headers)
    assert r.status_code == 200, r.text
    return str(r.json()["balance"])


def signing_code(
    client: TestClient, bank: Bank, who: Customer, amount: str, payee: str, tx_type: str = "transfer"
) -> dict[str, Any]:
    """Ask for a signing challenge for `amount` to `payee` and read its code from the SMS outbox."""
    r = client.post(
        "/api/v1/me/signing/challenges",
        json={"amount": amount, "currency": "CNY", "payee": payee, "tx_type": tx_type},
        headers=who.headers,
    )
    assert r.status_code in (200, 201), r.text
    msgs = bank.run(sms.outbox_for, who.phone, readonly=True)
    assert msgs and msgs[0].code
    return {"challenge_id": r.json()["challenge_id"], "code": msgs[0].code}


def refused(
    bank: Bank,
    client: TestClient,
    method: str,
    path: str,
    status: int,
    code: str,
    headers: dict[str, str],
    **kwargs: Any,
) -> dict[str, Any]:
    """Send the request, insist on the refusal (`status`, `code`) and that the books changed not at all."""
    before = ledger_state(bank)
    r = client.request(method, path, headers=headers, **kwargs)
    assert (r.status_code, r.json().get("code")) == (status, code), r.text
    assert ledger_state(bank) == before
    return dict(r.json())
