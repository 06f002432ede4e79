"""Codes and sessions expire: on a bank whose clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from corebank.channels import principal, signing, tokens
from corebank.channels.errors import SigningCodeInvalid
from corebank.kernel.money import Money
from tests.integration.channels.identity.conftest import ClockBank
from tests.integration.channels.identity.support import (
    PASSWORD,
    bearer,
    enroll,
    last_code,
    login,
    login_row,
    person,
    refresh,
    start_login,
)


@pytest.fixture(autouse=True)
def real_time(clock_bank: ClockBank) -> Iterator[None]:
    """Each story starts at the real time (access tokens are checked against it)."""
    clock_bank.clock.offset = timedelta()
    yield
    clock_bank.clock.offset = timedelta()


def test_a_login_code_expires_after_its_lifetime(clock_bank: ClockBank) -> None:
    cb = clock_bank
    p = person(cb.bank, cb.teller)
    enroll(cb.client, cb.teller_headers, p)
    ticket = start_login(cb.client, p).json()["login_ticket"]
    code = last_code(cb.bank, p.phone)
    cb.clock.advance(seconds=cb.bank.settings.otp_ttl_seconds + 1)
    r = cb.client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": code})
    assert r.status_code == 401 and r.json()["code"] == "OTP_EXPIRED"
    assert login_row(cb.bank, p.login_name)["failed_logins"] == 0
    login(cb.client, cb.bank, p)


def test_an_enrollment_code_expires(clock_bank: ClockBank) -> None:
    cb = clock_bank
    p = person(cb.bank, cb.teller)
    r = cb.client.post(
        "/api/v1/me/enrollment/start",
        json={"account_number": p.account, "id_number": p.id_number, "phone": p.phone},
    )
    assert r.status_code == 200, r.text
    cb.clock.advance(seconds=cb.bank.settings.otp_ttl_seconds + 1)
    r = cb.client.post(
        "/api/v1/me/enrollment",
        json={
            "enrollment_id": r.json()["enrollment_id"],
            "code": last_code(cb.bank, p.phone),
            "login_name": p.login_name,
            "password": PASSWORD,
        },
    )
    assert r.status_code == 401 and r.json()["code"] == "OTP_EXPIRED"


def test_a_session_cannot_be_refreshed_past_its_hours(clock_bank: ClockBank) -> None:
    cb = clock_bank
    p = person(cb.bank, cb.teller)
    enroll(cb.client, cb.teller_headers, p)
    t = login(cb.client, cb.bank, p)
    cb.clock.advance(hours=cb.bank.settings.customer_refresh_hours - 1)
    r = refresh(cb.client, t["refresh_token"])
    assert r.status_code == 200
    cb.clock.advance(hours=2)
    r = refresh(cb.client, r.json()["refresh_token"])
    assert r.status_code == 401 and r.json()["code"] == "REFRESH_TOKEN_INVALID"


def test_a_signing_code_expires(clock_bank: ClockBank) -> None:
    cb = clock_bank
    p = person(cb.bank, cb.teller)
    enroll(cb.client, cb.teller_headers, p)
    t = login(cb.client, cb.bank, p)
    payee = "internal:000101000000017"
    r = cb.client.post(
        "/api/v1/me/signing/challenges", json={"amount": "8000.00", "payee": payee}, headers=bearer(t)
    )
    assert r.status_code == 201, r.text
    actor = principal.customer_actor(tokens.read(cb.bank.settings.jwt_secret, t["access_token"]))
    cb.clock.advance(seconds=cb.bank.settings.otp_ttl_seconds + 1)
    with pytest.raises(SigningCodeInvalid, match="expired"):
        cb.bank.run(
            signing.verify,
            actor,
            r.json()["challenge_id"],
            last_code(cb.bank, p.phone),
            amount=Money.of("8000.00", "CNY"),
            payee=payee,
        )
