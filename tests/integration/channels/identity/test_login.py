"""Customer authentication: password then an SMS or TOTP code, the lockout, mobile devices, sessions with
rotating refresh tokens, logout, and which tokens each kind of route accepts."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.channels import registry
from corebank.security import SYSTEM
from tests.factories import Staff, ledger_state
from tests.factories.channels import customer_session
from tests.integration.channels.identity.support import (
    PASSWORD,
    Person,
    bearer,
    enroll,
    last_code,
    login,
    login_row,
    outbox_count,
    person,
    refresh,
    start_login,
    wrong,
)

Auth = Any


@pytest.fixture
def enrolled(bank: Bank, staff: Staff, app_client: TestClient, auth: Auth) -> Person:
    p = person(bank, staff["teller"].actor)
    enroll(app_client, auth("teller"), p)
    return p


def _books(bank: Bank) -> dict[str, Any]:
    state = ledger_state(bank)
    state.pop("audit")  # refused logins are audited: that is the point
    return state


def test_an_unknown_login_and_a_wrong_password_answer_the_same(
    bank: Bank, app_client: TestClient, enrolled: Person
) -> None:
    r1 = start_login(app_client, enrolled, password="Wrong-pass-2026")
    r2 = app_client.post(
        "/api/v1/me/auth/token", json={"login_name": "nobody-here", "password": "Wrong-pass-2026"}
    )
    assert r1.status_code == r2.status_code == 401
    assert r1.json() == r2.json()
    assert r1.json()["code"] == "LOGIN_FAILED"
    assert outbox_count(bank, enrolled.phone) == 0


def test_five_wrong_passwords_lock_the_login_and_it_stays_locked_until_a_counter_reset(
    bank: Bank, app_client: TestClient, auth: Auth, enrolled: Person
) -> None:
    before = _books(bank)
    limit = bank.settings.customer_lockout_after_failures
    for i in range(1, limit):
        r = start_login(app_client, enrolled, password=f"Wrong-pass-{i}")
        assert r.status_code == 401 and r.json()["code"] == "LOGIN_FAILED"
        assert login_row(bank, enrolled.login_name)["failed_logins"] == i
    r = start_login(app_client, enrolled, password="Wrong-pass-last")
    assert r.status_code == 401 and r.json()["code"] == "LOGIN_LOCKED"
    assert login_row(bank, enrolled.login_name)["status"] == "locked"
    # The right password changes nothing now, and no code is sent.
    r = start_login(app_client, enrolled)
    assert r.status_code == 401 and r.json()["code"] == "LOGIN_LOCKED"
    assert outbox_count(bank, enrolled.phone) == 0
    assert _books(bank) == before
    r = app_client.post(f"/api/v1/customers/{enrolled.number}/ebanking/resume", headers=auth("teller"))
    assert r.status_code == 409 and "password reset" in r.json()["detail"]
    r = app_client.post(
        f"/api/v1/customers/{enrolled.number}/ebanking/password-reset",
        json={"password": PASSWORD},
        headers=auth("teller"),
    )
    assert r.status_code == 200 and r.json()["login"]["status"] == "active"
    assert r.json()["login"]["failed_logins"] == 0
    login(app_client, bank, enrolled)


def test_wrong_codes_count_toward_the_lockout_and_void_the_code(
    bank: Bank, app_client: TestClient, enrolled: Person
) -> None:
    ticket = start_login(app_client, enrolled).json()["login_ticket"]
    code = last_code(bank, enrolled.phone)
    r = app_client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": wrong(code)})
    assert r.status_code == 401 and r.json()["code"] == "OTP_INVALID"
    assert login_row(bank, enrolled.login_name)["failed_logins"] == 1
    r = app_client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": "abc"})
    assert r.status_code == 401 and r.json()["code"] == "OTP_INVALID"
    r = app_client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": wrong(code)})
    assert r.status_code == 401 and r.json()["attempts_left"] == 0
    r = app_client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": code})
    assert r.status_code == 401 and r.json()["code"] == "OTP_EXPIRED"
    assert login_row(bank, enrolled.login_name)["failed_logins"] == 3
    # Two more wrong codes on a new ticket reach five failures: locked, although the password was right.
    ticket = start_login(app_client, enrolled).json()["login_ticket"]
    code = last_code(bank, enrolled.phone)
    app_client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": wrong(code)})
    r = app_client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": wrong(code)})
    assert r.status_code == 401 and r.json()["code"] == "LOGIN_LOCKED"
    r = app_client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": code})
    assert r.status_code == 401 and r.json()["code"] == "LOGIN_LOCKED"


def test_a_login_code_works_once(bank: Bank, app_client: TestClient, enrolled: Person) -> None:
    ticket = start_login(app_client, enrolled).json()["login_ticket"]
    body = {"login_ticket": ticket, "code": last_code(bank, enrolled.phone)}
    assert app_client.post("/api/v1/me/auth/second-factor", json=body).status_code == 200
    r = app_client.post("/api/v1/me/auth/second-factor", json=body)
    assert r.status_code == 401 and r.json()["code"] == "OTP_USED"
    r = app_client.post("/api/v1/me/auth/second-factor", json={**body, "login_ticket": "x" * 32})
    assert r.status_code == 401 and r.json()["code"] == "LOGIN_TICKET_INVALID"
    assert login_row(bank, enrolled.login_name)["failed_logins"] == 0


def test_refresh_tokens_rotate_and_a_reused_one_ends_the_session(
    bank: Bank, app_client: TestClient, enrolled: Person
) -> None:
    first = login(app_client, bank, enrolled)
    r = refresh(app_client, first["refresh_token"])
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"] and second["strength"] == "sms"
    assert app_client.get("/api/v1/me/devices", headers=bearer(second)).status_code == 200
    # The first refresh token again: someone has a copy. The session ends, so the newest one fails too.
    r = refresh(app_client, first["refresh_token"])
    assert r.status_code == 401 and r.json()["code"] == "REFRESH_TOKEN_REUSED"
    r = refresh(app_client, second["refresh_token"])
    assert r.status_code == 401 and r.json()["code"] == "REFRESH_TOKEN_INVALID"
    r = refresh(app_client, "not-a-token-we-made-ever")
    assert r.status_code == 401 and r.json()["code"] == "REFRESH_TOKEN_INVALID"


def test_logout_ends_one_session_and_logout_all_kills_every_access_token_at_once(
    bank: Bank, app_client: TestClient, enrolled: Person
) -> None:
    a = login(app_client, bank, enrolled)
    b = login(app_client, bank, enrolled)
    r = app_client.post(
        "/api/v1/me/auth/logout", json={"refresh_token": a["refresh_token"]}, headers=bearer(a)
    )
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    assert refresh(app_client, a["refresh_token"]).status_code == 401
    r = refresh(app_client, b["refresh_token"])
    assert r.status_code == 200
    b = r.json()
    other = login(app_client, bank, enrolled)
    r = app_client.post(
        "/api/v1/me/auth/logout", json={"refresh_token": b["refresh_token"]}, headers=bearer(a)
    )
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1  # the customer's own session

    r = app_client.post("/api/v1/me/auth/logout-all", headers=bearer(other))
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    for tokens in (a, b, other):
        r = app_client.get("/api/v1/me/devices", headers=bearer(tokens))
        assert r.status_code == 401, tokens
    assert refresh(app_client, other["refresh_token"]).status_code == 401
    login(app_client, bank, enrolled)


def test_a_customer_cannot_log_out_someone_elses_session(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth, enrolled: Person
) -> None:
    mine = login(app_client, bank, enrolled)
    q = person(bank, staff["teller"].actor)
    enroll(app_client, auth("teller"), q)
    theirs = login(app_client, bank, q)
    r = app_client.post(
        "/api/v1/me/auth/logout", json={"refresh_token": theirs["refresh_token"]}, headers=bearer(mine)
    )
    assert r.status_code == 401 and r.json()["code"] == "REFRESH_TOKEN_INVALID"
    assert refresh(app_client, theirs["refresh_token"]).status_code == 200


def test_tokens_stay_on_their_side(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth, enrolled: Person
) -> None:
    tokens = login(app_client, bank, enrolled)
    for path in ("/api/v1/me/devices",):
        r = app_client.get(path, headers=auth("teller"))
        assert r.status_code == 401
    r = app_client.post("/api/v1/me/totp", headers=auth("teller"))
    assert r.status_code == 401
    r = app_client.get(f"/api/v1/customers/{enrolled.number}/ebanking", headers=bearer(tokens))
    assert r.status_code == 401
    r = app_client.get(f"/api/v1/customers/{enrolled.number}", headers=bearer(tokens))
    assert r.status_code == 401
    r = app_client.get("/api/v1/me/devices")
    assert r.status_code == 401


def test_changing_the_password_checks_the_old_one_and_ends_every_session(
    bank: Bank, app_client: TestClient, enrolled: Person
) -> None:
    tokens = login(app_client, bank, enrolled)
    r = app_client.post(
        "/api/v1/me/password",
        json={"old_password": "Wrong-pass-2026", "new_password": "Brand-new-2027"},
        headers=bearer(tokens),
    )
    assert r.status_code == 403 and r.json()["code"] == "PASSWORD_WRONG"
    assert login_row(bank, enrolled.login_name)["failed_logins"] == 1
    r = app_client.post(
        "/api/v1/me/password", json={"old_password": PASSWORD, "new_password": "weak"}, headers=bearer(tokens)
    )
    assert r.status_code == 422 and r.json()["code"] == "WEAK_PASSWORD"
    r = app_client.post(
        "/api/v1/me/password",
        json={"old_password": PASSWORD, "new_password": "Brand-new-2027"},
        headers=bearer(tokens),
    )
    assert r.status_code == 200 and r.json()["sessions_ended"] == 1
    assert app_client.get("/api/v1/me/devices", headers=bearer(tokens)).status_code == 401
    assert start_login(app_client, enrolled).status_code == 401
    assert start_login(app_client, enrolled, password="Brand-new-2027").status_code == 200
    assert login_row(bank, enrolled.login_name)["failed_logins"] == 1  # the new password alone resets nothing


def _totp_on(bank: Bank, client: TestClient, tokens: dict[str, Any]) -> tuple[pyotp.TOTP, str]:
    """Switch the login to TOTP; the authenticator and the code that confirmed it."""
    r = client.post("/api/v1/me/totp", headers=bearer(tokens))
    assert r.status_code == 200, r.text
    setup = r.json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and setup["qr_svg"].startswith("<svg")
    totp = pyotp.TOTP(setup["secret"])
    r = client.post("/api/v1/me/totp/confirm", json={"code": wrong(totp.now())}, headers=bearer(tokens))
    assert r.status_code == 401 and r.json()["code"] == "OTP_INVALID"
    used = totp.now()
    r = client.post("/api/v1/me/totp/confirm", json={"code": used}, headers=bearer(tokens))
    assert r.status_code == 200 and r.json()["second_factor"] == "totp"
    return totp, used


def _next_totp(totp: pyotp.TOTP) -> str:
    # The code of the next 30-second step (accepted as clock drift): the current one was just used.
    return totp.at(time.time() + 30)


def test_a_customer_switches_to_totp_and_logs_in_with_the_authenticator(
    bank: Bank, app_client: TestClient, enrolled: Person
) -> None:
    tokens = login(app_client, bank, enrolled)
    totp, used = _totp_on(bank, app_client, tokens)
    sent = outbox_count(bank, enrolled.phone)
    r = start_login(app_client, enrolled)
    assert r.status_code == 200 and r.json()["method"] == "totp"
    assert outbox_count(bank, enrolled.phone) == sent  # no SMS for a TOTP login
    ticket = r.json()["login_ticket"]
    r = app_client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": used})
    # The code that confirmed the authenticator cannot be replayed.
    assert r.status_code == 401 and r.json()["code"] == "OTP_INVALID"
    code = _next_totp(totp)
    r = app_client.post("/api/v1/me/auth/second-factor", json={"login_ticket": ticket, "code": code})
    assert r.status_code == 200, r.text
    assert r.json()["strength"] == "totp"
    totp_tokens = r.json()
    # Back to SMS needs an SMS code.
    r = app_client.request("DELETE", "/api/v1/me/totp", json={"code": "123456"}, headers=bearer(totp_tokens))
    assert r.status_code == 401
    r = app_client.post("/api/v1/me/totp/disable-code", headers=bearer(totp_tokens))
    assert r.status_code == 200
    sms_code = last_code(bank, enrolled.phone)
    r = app_client.request(
        "DELETE", "/api/v1/me/totp", json={"code": wrong(sms_code)}, headers=bearer(totp_tokens)
    )
    assert r.status_code == 401 and r.json()["code"] == "OTP_INVALID"
    assert login_row(bank, enrolled.login_name)["second_factor"] == "totp"
    r = app_client.request("DELETE", "/api/v1/me/totp", json={"code": sms_code}, headers=bearer(totp_tokens))
    assert r.status_code == 200 and r.json()["second_factor"] == "sms"
    assert start_login(app_client, enrolled).json()["method"] == "sms"


def test_mobile_binds_a_device_after_the_sms_factor_and_a_new_device_always_gets_sms(
    bank: Bank, app_client: TestClient, enrolled: Person
) -> None:
    r = start_login(app_client, enrolled, channel="mobile")
    assert r.status_code == 422 and r.json()["code"] == "DEVICE_ID_REQUIRED"
    tokens = login(app_client, bank, enrolled, channel="mobile", device="phone-aaaa-0001")
    assert tokens["channel"] == "mobile"
    r = app_client.get("/api/v1/me/devices", headers=bearer(tokens))
    assert [d["device_id"] for d in r.json()] == ["phone-aaaa-0001"]
    _totp_on(bank, app_client, tokens)
    # The bound device uses TOTP; an unknown one gets an SMS code even so, and is bound afterwards.
    r = start_login(app_client, enrolled, channel="mobile", device="phone-aaaa-0001")
    assert r.json()["method"] == "totp"
    r = start_login(app_client, enrolled, channel="mobile", device="phone-bbbb-0002")
    assert r.json()["method"] == "sms"
    r = app_client.post(
        "/api/v1/me/auth/second-factor",
        json={"login_ticket": r.json()["login_ticket"], "code": last_code(bank, enrolled.phone)},
    )
    assert r.status_code == 200 and r.json()["strength"] == "sms"
    second = r.json()
    r = app_client.get("/api/v1/me/devices", headers=bearer(second))
    assert sorted(d["device_id"] for d in r.json()) == ["phone-aaaa-0001", "phone-bbbb-0002"]
    # Internet banking needs no device and uses the login's factor.
    assert start_login(app_client, enrolled).json()["method"] == "totp"
    # Unbinding a device ends its sessions; its next login needs SMS again.
    r = app_client.delete("/api/v1/me/devices/phone-bbbb-0002", headers=bearer(tokens))
    assert r.status_code == 204
    assert refresh(app_client, second["refresh_token"]).status_code == 401
    r = app_client.delete("/api/v1/me/devices/phone-bbbb-0002", headers=bearer(tokens))
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    assert (
        start_login(app_client, enrolled, channel="mobile", device="phone-bbbb-0002").json()["method"]
        == "sms"
    )


def test_another_customers_device_is_not_found(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth, enrolled: Person
) -> None:
    login(app_client, bank, enrolled, channel="mobile", device="phone-cccc-0003")
    q = person(bank, staff["teller"].actor)
    session = customer_session(bank, q.number, channel="mobile")
    r = app_client.delete("/api/v1/me/devices/phone-cccc-0003", headers=session.headers)
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"


def test_a_closed_channel_refuses_logins_and_an_open_one_serves_them(
    bank: Bank, staff: Staff, app_client: TestClient, enrolled: Person
) -> None:
    tokens = login(app_client, bank, enrolled)
    bank.run(registry.close_channel, SYSTEM, "internet", None, "maintenance")
    try:
        before = login_row(bank, enrolled.login_name)
        r = start_login(app_client, enrolled)
        assert r.status_code == 503 and r.json()["code"] == "CHANNEL_CLOSED"
        r = start_login(app_client, enrolled, password="Wrong-pass-2026")
        assert r.status_code == 503 and r.json()["code"] == "CHANNEL_CLOSED"
        assert login_row(bank, enrolled.login_name) == before
        r = refresh(app_client, tokens["refresh_token"])
        assert r.status_code == 503 and r.json()["code"] == "CHANNEL_CLOSED"
        r = app_client.post("/api/v1/me/totp", headers=bearer(tokens))
        assert r.status_code == 503
        # Mobile banking is another channel: still open.
        assert (
            start_login(app_client, enrolled, channel="mobile", device="phone-dddd-0004").status_code == 200
        )
    finally:
        bank.run(registry.open_channel, SYSTEM, "internet", None, "done")
    bank.run(registry.close_channel, SYSTEM, "mobile", "login", "maintenance")
    try:
        r = start_login(app_client, enrolled, channel="mobile", device="phone-dddd-0004")
        assert r.status_code == 503 and r.json()["code"] == "CHANNEL_TX_CLOSED"
    finally:
        bank.run(registry.open_channel, SYSTEM, "mobile", "login", "done")
    r = refresh(app_client, tokens["refresh_token"])
    assert r.status_code == 200
