"""Helpers for the internet banking page tests: a customer enrolled at the counter (through the real REST
route), funded, and signed in to /bank through the real login pages with the code from the SMS outbox."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.factories import Staff, deposit
from tests.integration.channels.identity.support import PASSWORD, Person, enroll, last_code, person
from tests.integration.pages.conftest import PageClient


@dataclass
class BankCustomer:
    """A customer enrolled in e-banking with a funded account, and a browser signed in to /bank."""

    person: Person
    browser: PageClient

    @property
    def account(self) -> str:
        return self.person.account

    @property
    def phone(self) -> str:
        return self.person.phone


def sign_in(bank: Bank, b: PageClient, p: Person, password: str = PASSWORD) -> Any:
    """The two login pages: password, then the SMS code from the outbox; the final response."""
    b.get("/bank/login")
    r = b.post("/bank/login", {"username": p.login_name, "password": password, "next": "/bank"})
    assert r.status_code == 200 and r.url.path == "/bank/login/code", r.text[:800]
    return b.post("/bank/login/code", {"code": last_code(bank, p.phone)})


def enrolled_person(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Any, balance: str = "50000.00"
) -> Person:
    """A new customer enrolled at the counter, with `balance` paid into the first account."""
    p = person(bank, staff["teller"].actor, prefix="web")
    enroll(app_client, auth("teller"), p)
    if balance:
        deposit(bank, staff["teller"].actor, p.account, balance)
    return p


@pytest.fixture
def customer(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Any, pages: Callable[[], PageClient]
) -> Callable[..., BankCustomer]:
    """customer() -> a new enrolled, funded customer signed in to internet banking in a browser of its own."""

    def make(balance: str = "50000.00") -> BankCustomer:
        p = enrolled_person(bank, staff, app_client, auth, balance)
        b = pages()
        r = sign_in(bank, b, p)
        assert r.status_code == 200 and r.url.path == "/bank", r.text[:800]
        return BankCustomer(p, b)

    return make
