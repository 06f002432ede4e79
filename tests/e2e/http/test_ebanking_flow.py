"""The e-banking story over HTTP: a customer opened and enrolled online with an account, an SMS login on the
web, an authenticator switched on, a new phone that still gets an SMS code and is bound, a transaction signed,
a refresh, and "log out everywhere" — each step through the real routes, codes read from the SMS outbox."""

from __future__ import annotations

import time
from typing import Any

import pyotp
from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from corebank.channels import principal, signing, sms, tokens
from corebank.kernel.money import Money
from tests.e2e.http.support import assert_problem, customer_body, key
from tests.factories import Staff

PASSWORD = "Flow-pass-2026x"


def _code(bank: Bank, phone: str) -> str:
    code = bank.run(sms.outbox_for, phone, readonly=True)[0].code
    assert code
    return code


def _bearer(t: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {t['access_token']}"}


def test_a_customer_enrolls_online_logs_in_signs_and_logs_out_everywhere(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Any
) -> None:
    c = app_client
    body = customer_body()
    r = c.post("/api/v1/customers", json=body, headers=auth("teller"))
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    r = c.post(
        "/api/v1/accounts",
        json={"customer_number": number, "product_code": "DEMAND_CNY", "account_class": 1},
        headers={**auth("teller"), "Idempotency-Key": key()},
    )
    assert r.status_code == 201, r.text
    account = r.json()["number"]
    phone, login_name = body["phone"], f"flow{number}"

    # Online enrollment: the account, the ID number and the phone on file; then the SMS code.
    r = c.post(
        "/api/v1/me/enrollment/start",
        json={"account_number": account, "id_number": body["id_number"], "phone": phone},
    )
    assert r.status_code == 200, r.text
    r = c.post(
        "/api/v1/me/enrollment",
        json={
            "enrollment_id": r.json()["enrollment_id"],
            "code": _code(bank, phone),
            "login_name": login_name,
            "password": PASSWORD,
        },
    )
    assert r.status_code == 201, r.text
    r = c.get(f"/api/v1/customers/{number}/ebanking", headers=auth("teller"))
    assert r.json()["enrolled_via"] == "online" and r.json()["status"] == "active"

    # Internet banking: password, then the SMS code.
    r = c.post("/api/v1/me/auth/token", json={"login_name": login_name, "password": PASSWORD})
    assert r.status_code == 200 and r.json()["status"] == "second_factor_required"
    assert r.json()["method"] == "sms" and r.json()["phone_masked"].endswith(phone[-4:])
    r = c.post(
        "/api/v1/me/auth/second-factor",
        json={"login_ticket": r.json()["login_ticket"], "code": _code(bank, phone)},
    )
    assert r.status_code == 200, r.text
    web = r.json()
    assert web["expires_in"] == bank.settings.customer_token_minutes * 60

    # A staff token is no key to the customer's routes, nor the customer's to staff routes.
    assert_problem(c.get("/api/v1/me/devices", headers=auth("teller")), 401, "NOT_AUTHENTICATED")
    assert c.get(f"/api/v1/customers/{number}", headers=_bearer(web)).status_code == 401

    # The authenticator app.
    setup = c.post("/api/v1/me/totp", headers=_bearer(web)).json()
    totp = pyotp.TOTP(setup["secret"])
    r = c.post("/api/v1/me/totp/confirm", json={"code": totp.now()}, headers=_bearer(web))
    assert r.status_code == 200 and r.json()["second_factor"] == "totp"

    # A new phone: an SMS code all the same, then the phone is bound.
    r = c.post(
        "/api/v1/me/auth/token",
        json={
            "login_name": login_name,
            "password": PASSWORD,
            "channel": "mobile",
            "device_id": "flow-phone-01",
        },
    )
    assert r.json()["method"] == "sms"
    r = c.post(
        "/api/v1/me/auth/second-factor",
        json={"login_ticket": r.json()["login_ticket"], "code": _code(bank, phone)},
    )
    assert r.status_code == 200 and r.json()["channel"] == "mobile"
    mobile = r.json()
    assert [d["device_id"] for d in c.get("/api/v1/me/devices", headers=_bearer(mobile)).json()] == [
        "flow-phone-01"
    ]

    # A transfer over the threshold is signed with the authenticator; the code binds amount and payee.
    amount, payee = Money.of("12000.00", "CNY"), "internal:000101000000017"
    assert bank.run(signing.required, amount, readonly=True)
    r = c.post(
        "/api/v1/me/signing/challenges",
        json={"amount": "12000.00", "currency": "CNY", "payee": payee},
        headers=_bearer(mobile),
    )
    assert r.status_code == 201 and r.json()["method"] == "totp"
    actor = principal.customer_actor(tokens.read(bank.settings.jwt_secret, mobile["access_token"]))
    bank.run(
        signing.verify,
        actor,
        r.json()["challenge_id"],
        totp.at(time.time() + 30),
        amount=amount,
        payee=payee,
    )

    # Refresh the web session, then log out everywhere: every access token dies at once.
    r = c.post("/api/v1/me/auth/refresh", json={"refresh_token": web["refresh_token"]})
    assert r.status_code == 200
    web = r.json()
    r = c.post("/api/v1/me/auth/logout-all", headers=_bearer(mobile))
    assert r.status_code == 200 and r.json()["sessions_ended"] == 2
    for t in (web, mobile):
        assert_problem(c.get("/api/v1/me/devices", headers=_bearer(t)), 401, "NOT_AUTHENTICATED")
        r = c.post("/api/v1/me/auth/refresh", json={"refresh_token": t["refresh_token"]})
        assert_problem(r, 401, "REFRESH_TOKEN_INVALID")

    # The audit trail tells the story without a password or a code in it.
    r = c.get("/api/v1/audit", params={"object_id": login_name, "limit": 100}, headers=auth("auditor"))
    assert r.status_code == 200, r.text
    actions = {i["action"] for i in r.json()["items"]}
    assert {"ebank.login", "ebank.totp_on", "ebank.device_bound", "ebank.logout_all"} <= actions
    assert PASSWORD not in r.text
