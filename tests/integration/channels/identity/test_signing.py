"""Transaction signing (dynamic linking): a code bound to amount and payee, checked by `signing.verify` in the
caller's transaction, refused for another amount, payee or customer, and good once."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.channels import principal, registry, signing, sms, tokens
from corebank.channels.errors import SigningCodeInvalid
from corebank.kernel.money import Money
from corebank.security import SYSTEM, Actor
from tests.factories import Staff, ledger_state
from tests.integration.channels.identity.support import (
    Person,
    bearer,
    enroll,
    last_code,
    login,
    person,
    wrong,
)

Auth = Any
PAYEE = "internal:000101000012345"
AMOUNT = Money.of("6000.00", "CNY")


@pytest.fixture
def signer(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth
) -> tuple[Person, dict[str, Any], Actor]:
    p = person(bank, staff["teller"].actor)
    enroll(app_client, auth("teller"), p)
    t = login(app_client, bank, p)
    return p, t, principal.customer_actor(tokens.read(bank.settings.jwt_secret, t["access_token"]))


def _challenge(client: TestClient, t: dict[str, Any], amount: str = "6000.00", payee: str = PAYEE) -> Any:
    return client.post(
        "/api/v1/me/signing/challenges",
        json={"amount": amount, "currency": "CNY", "payee": payee},
        headers=bearer(t),
    )


def _verify(
    bank: Bank, actor: Actor, challenge_id: int, code: str, amount: Money = AMOUNT, payee: str = PAYEE
) -> None:
    bank.run(signing.verify, actor, challenge_id, code, amount=amount, payee=payee)


def test_signing_is_required_above_the_threshold_and_for_foreign_currency(bank: Bank) -> None:
    def check(uow: Any, money: Money) -> bool:
        return signing.required(uow, money)

    assert not bank.run(check, Money.of("5000.00", "CNY"), readonly=True)
    assert bank.run(check, Money.of("5000.01", "CNY"), readonly=True)
    assert bank.run(check, Money.of("10.00", "USD"), readonly=True)


def test_the_sms_names_amount_and_payee_and_the_code_verifies_once(
    bank: Bank, app_client: TestClient, signer: tuple[Person, dict[str, Any], Actor]
) -> None:
    p, t, actor = signer
    r = _challenge(app_client, t)
    assert r.status_code == 201, r.text
    ch = r.json()
    assert ch["method"] == "sms"
    msg = bank.run(sms.outbox_for, p.phone, readonly=True)[0]
    assert "6000.00 CNY" in msg.text and "ending 2345" in msg.text and msg.purpose == "sign"
    before = ledger_state(bank)
    _verify(bank, actor, ch["challenge_id"], msg.code or "")
    after = ledger_state(bank)
    assert after["audit"] == before["audit"] + 1
    with pytest.raises(SigningCodeInvalid, match="already used"):
        _verify(bank, actor, ch["challenge_id"], msg.code or "")


def test_another_amount_or_payee_voids_the_code_and_a_refusal_changes_nothing(
    bank: Bank, app_client: TestClient, signer: tuple[Person, dict[str, Any], Actor]
) -> None:
    p, t, actor = signer
    ch = _challenge(app_client, t).json()
    code = last_code(bank, p.phone)
    before = ledger_state(bank)
    for amount, payee in (
        (Money.of("6000.01", "CNY"), PAYEE),
        (Money.of("600.00", "CNY"), PAYEE),
        (Money.of("6000.00", "USD"), PAYEE),
        (AMOUNT, "internal:000101000099999"),
        (AMOUNT, "102100099996:000101000012345"),
    ):
        with pytest.raises(SigningCodeInvalid, match="another amount or payee"):
            _verify(bank, actor, ch["challenge_id"], code, amount, payee)
    with pytest.raises(SigningCodeInvalid, match="wrong"):
        _verify(bank, actor, ch["challenge_id"], wrong(code))
    assert ledger_state(bank) == before
    _verify(bank, actor, ch["challenge_id"], code)


def test_another_customers_challenge_is_refused_like_a_wrong_code(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth, signer: tuple[Person, dict[str, Any], Actor]
) -> None:
    p, t, actor = signer
    ch = _challenge(app_client, t).json()
    code = last_code(bank, p.phone)
    q = person(bank, staff["teller"].actor)
    enroll(app_client, auth("teller"), q)
    qt = login(app_client, bank, q)
    thief = principal.customer_actor(tokens.read(bank.settings.jwt_secret, qt["access_token"]))
    with pytest.raises(SigningCodeInvalid, match="no such signing challenge"):
        _verify(bank, thief, ch["challenge_id"], code)
    with pytest.raises(SigningCodeInvalid, match="no such signing challenge"):
        _verify(bank, actor, 10**9, code)
    bank.run(signing.record_failure, thief, ch["challenge_id"])  # counts nothing on someone else's
    _verify(bank, actor, ch["challenge_id"], code)


def test_recorded_failures_void_the_challenge(
    bank: Bank, app_client: TestClient, signer: tuple[Person, dict[str, Any], Actor]
) -> None:
    p, t, actor = signer
    ch = _challenge(app_client, t).json()
    code = last_code(bank, p.phone)
    for _ in range(bank.settings.otp_max_attempts):
        with pytest.raises(SigningCodeInvalid):
            _verify(bank, actor, ch["challenge_id"], wrong(code))
        bank.run(signing.record_failure, actor, ch["challenge_id"])
    with pytest.raises(SigningCodeInvalid, match="expired"):
        _verify(bank, actor, ch["challenge_id"], code)


def test_a_totp_customer_signs_with_the_authenticator(
    bank: Bank, app_client: TestClient, signer: tuple[Person, dict[str, Any], Actor]
) -> None:
    p, t, actor = signer
    setup = app_client.post("/api/v1/me/totp", headers=bearer(t)).json()
    totp = pyotp.TOTP(setup["secret"])
    confirmed = totp.now()
    assert (
        app_client.post("/api/v1/me/totp/confirm", json={"code": confirmed}, headers=bearer(t)).status_code
        == 200
    )
    sent = len(bank.run(sms.outbox_for, p.phone, readonly=True))
    ch = _challenge(app_client, t).json()
    assert ch["method"] == "totp"
    assert len(bank.run(sms.outbox_for, p.phone, readonly=True)) == sent
    with pytest.raises(SigningCodeInvalid):
        _verify(bank, actor, ch["challenge_id"], confirmed)  # a used step cannot be replayed
    code = totp.at(time.time() + 30)
    with pytest.raises(SigningCodeInvalid, match="another amount or payee"):
        _verify(bank, actor, ch["challenge_id"], code, Money.of("6000.50", "CNY"))
    _verify(bank, actor, ch["challenge_id"], code)


def test_bad_challenge_requests_are_refused(
    bank: Bank, app_client: TestClient, auth: Auth, signer: tuple[Person, dict[str, Any], Actor]
) -> None:
    p, t, _actor = signer
    sent = len(bank.run(sms.outbox_for, p.phone, readonly=True))
    r = _challenge(app_client, t, amount="-5.00")
    assert r.status_code == 422 and r.json()["code"] == "INVALID_AMOUNT"
    r = _challenge(app_client, t, amount="5.001")
    assert r.status_code == 422 and r.json()["code"] == "INVALID_AMOUNT"
    r = _challenge(app_client, t, payee="no-colon")
    assert r.status_code == 422
    r = app_client.post(
        "/api/v1/me/signing/challenges", json={"amount": "6000.00", "payee": PAYEE}, headers=auth("teller")
    )
    assert r.status_code == 401
    bank.run(registry.close_channel, SYSTEM, "internet", "transfer", "maintenance")
    try:
        r = _challenge(app_client, t)
        assert r.status_code == 503 and r.json()["code"] == "CHANNEL_TX_CLOSED"
    finally:
        bank.run(registry.open_channel, SYSTEM, "internet", "transfer", "done")
    assert len(bank.run(sms.outbox_for, p.phone, readonly=True)) == sent
