"""Helpers for the e-banking identity tests: customers with a known ID number and phone, enrollment and login
through the real routes, codes read from the development SMS outbox."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from corebank.bootstrap import Bank
from corebank.channels import sms
from corebank.channels.identity_models import EbankLogin
from corebank.security import Actor
from tests.factories import new_account, new_customer, resident_id

_n = itertools.count(1)
PASSWORD = "Ebank-pass-2026"


@dataclass
class Person:
    """A customer with the ID number and phone they would present, and one account."""

    number: str
    id_number: str
    phone: str
    account: str
    login_name: str


def person(bank: Bank, teller: Actor, prefix: str = "p") -> Person:
    """A new customer of `teller`'s branch with a Type I account."""
    n = 700000 + next(_n)
    id_number = resident_id(n)
    phone = f"137{n % 100000000:08d}"
    c = new_customer(bank, teller, id_number=id_number, phone=phone)
    acc = new_account(bank, teller, c.number)
    return Person(c.number, id_number, phone, acc.number, f"{prefix}{c.number}".lower())


def last_code(bank: Bank, phone: str) -> str:
    """The newest one-time code the outbox holds for `phone`."""
    msgs = bank.run(sms.outbox_for, phone, readonly=True)
    assert msgs, f"no SMS to {phone}"
    code = msgs[0].code
    assert code is not None
    return code


def outbox_count(bank: Bank, phone: str) -> int:
    return len(bank.run(sms.outbox_for, phone, readonly=True))


def enroll(
    client: TestClient, headers: dict[str, str], p: Person, password: str = PASSWORD
) -> dict[str, Any]:
    """Enroll `p` at the counter."""
    r = client.post(
        f"/api/v1/customers/{p.number}/ebanking",
        json={"login_name": p.login_name, "password": password, "phone": p.phone, "id_number": p.id_number},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def start_login(
    client: TestClient,
    p: Person,
    *,
    password: str = PASSWORD,
    channel: str = "internet",
    device: str | None = None,
) -> Any:
    body: dict[str, Any] = {"login_name": p.login_name, "password": password, "channel": channel}
    if device:
        body["device_id"] = device
    return client.post("/api/v1/me/auth/token", json=body)


def login(
    client: TestClient, bank: Bank, p: Person, *, channel: str = "internet", device: str | None = None
) -> dict[str, Any]:
    """Log `p` in with the SMS code from the outbox; the tokens."""
    r = start_login(client, p, channel=channel, device=device)
    assert r.status_code == 200, r.text
    assert r.json()["method"] == "sms"
    r = client.post(
        "/api/v1/me/auth/second-factor",
        json={"login_ticket": r.json()["login_ticket"], "code": last_code(bank, p.phone)},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def login_row(bank: Bank, login_name: str) -> dict[str, Any]:
    """The login's status, failure count and token version."""

    def read(uow: Any) -> dict[str, Any]:
        row = uow.session.execute(
            select(
                EbankLogin.status,
                EbankLogin.failed_logins,
                EbankLogin.token_version,
                EbankLogin.second_factor,
            ).where(EbankLogin.login_name == login_name)
        ).one()
        return dict(row._mapping)

    return bank.run(read, readonly=True)


def wrong(code: str) -> str:
    """A code of the same length that is not `code`."""
    return f"{(int(code) + 1) % 10 ** len(code):0{len(code)}d}"


def refresh(client: TestClient, refresh_token: str) -> Any:
    """POST /api/v1/me/auth/refresh."""
    return client.post("/api/v1/me/auth/refresh", json={"refresh_token": refresh_token})
