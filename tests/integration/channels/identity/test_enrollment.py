"""E-banking enrollment (签约): at the counter with the presented ID, online with an account (or card), the ID
number and an SMS code; and what the counter does with a login afterwards."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.factories import Staff, ledger_state
from tests.factories.channels import customer_session
from tests.integration.channels.identity.support import (
    PASSWORD,
    bearer,
    enroll,
    last_code,
    login,
    login_row,
    outbox_count,
    person,
    start_login,
    wrong,
)

Auth = Any


def test_a_teller_enrolls_a_customer_who_then_logs_in_with_an_sms_code(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth
) -> None:
    p = person(bank, staff["teller"].actor)
    read = enroll(app_client, auth("teller"), p)
    assert read["status"] == "active" and read["enrolled_via"] == "counter" and read["second_factor"] == "sms"
    assert read["phone_masked"] == p.phone[:3] + "****" + p.phone[-4:]
    assert read["enrolled_by"] == "teller"
    tokens = login(app_client, bank, p)
    assert (
        tokens["token_type"] == "bearer" and tokens["strength"] == "sms" and tokens["channel"] == "internet"
    )
    r = app_client.get(f"/api/v1/customers/{p.number}/ebanking", headers=auth("teller"))
    assert r.status_code == 200 and r.json()["open_sessions"] == 1 and r.json()["last_login_at"]


def test_enrollment_refused_when_the_presented_id_is_not_the_customers(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth
) -> None:
    p = person(bank, staff["teller"].actor)
    other = person(bank, staff["teller"].actor)
    before = ledger_state(bank)
    r = app_client.post(
        f"/api/v1/customers/{p.number}/ebanking",
        json={
            "login_name": p.login_name,
            "password": PASSWORD,
            "phone": p.phone,
            "id_number": other.id_number,
        },
        headers=auth("teller"),
    )
    assert r.status_code == 422 and r.json()["code"] == "ID_NUMBER_MISMATCH"
    after = ledger_state(bank)
    assert after.pop("audit") == before.pop("audit") + 1  # the refusal is on the record; nothing else moved
    assert after == before
    r = app_client.get(f"/api/v1/customers/{p.number}/ebanking", headers=auth("teller"))
    assert r.status_code == 404 and r.json()["code"] == "EBANK_NOT_ENROLLED"


def test_one_enrollment_per_customer_and_login_names_are_unique(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth
) -> None:
    p = person(bank, staff["teller"].actor)
    enroll(app_client, auth("teller"), p)
    body = {
        "login_name": "another" + p.number,
        "password": PASSWORD,
        "phone": p.phone,
        "id_number": p.id_number,
    }
    r = app_client.post(f"/api/v1/customers/{p.number}/ebanking", json=body, headers=auth("teller"))
    assert r.status_code == 409 and r.json()["code"] == "EBANK_ALREADY_ENROLLED"
    q = person(bank, staff["teller"].actor)
    body = {
        "login_name": p.login_name.upper(),
        "password": PASSWORD,
        "phone": q.phone,
        "id_number": q.id_number,
    }
    r = app_client.post(f"/api/v1/customers/{q.number}/ebanking", json=body, headers=auth("teller"))
    assert r.status_code == 409 and r.json()["code"] == "LOGIN_NAME_TAKEN"


def test_weak_passwords_bad_login_names_and_bad_phones_are_refused(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth
) -> None:
    p = person(bank, staff["teller"].actor)
    base = {"login_name": p.login_name, "password": PASSWORD, "phone": p.phone, "id_number": p.id_number}
    for change, code in (
        ({"password": "short1"}, "WEAK_PASSWORD"),
        ({"password": "onlyletterslong"}, "WEAK_PASSWORD"),
        ({"login_name": "1abc"}, "INVALID_LOGIN_NAME"),
        ({"login_name": "ab"}, "INVALID_LOGIN_NAME"),
        ({"login_name": "has space"}, "INVALID_LOGIN_NAME"),
        ({"phone": "12345abcde"}, "INVALID_REQUEST"),
    ):
        r = app_client.post(
            f"/api/v1/customers/{p.number}/ebanking", json={**base, **change}, headers=auth("teller")
        )
        assert r.status_code == 422 and r.json()["code"] == code, (change, r.text)
    r = app_client.get(f"/api/v1/customers/{p.number}/ebanking", headers=auth("teller"))
    assert r.status_code == 404


def test_counter_enrollment_is_for_the_customers_home_branch_and_for_staff(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth
) -> None:
    p = person(bank, staff["teller"].actor)
    body = {"login_name": p.login_name, "password": PASSWORD, "phone": p.phone, "id_number": p.id_number}
    r = app_client.post(f"/api/v1/customers/{p.number}/ebanking", json=body, headers=auth("east_teller"))
    assert r.status_code == 403 and r.json()["code"] == "OUT_OF_BRANCH_SCOPE"
    r = app_client.post(f"/api/v1/customers/{p.number}/ebanking", json=body, headers=auth("credit"))
    assert r.status_code == 403 and r.json()["code"] == "PERMISSION_DENIED"
    other = person(bank, staff["teller"].actor)
    session = customer_session(bank, other.number)
    r = app_client.post(f"/api/v1/customers/{p.number}/ebanking", json=body, headers=session.headers)
    assert r.status_code == 401
    r = app_client.get(f"/api/v1/customers/{p.number}/ebanking", headers=session.headers)
    assert r.status_code == 401


def _start_online(client: TestClient, p: Any, **change: Any) -> Any:
    body = {"account_number": p.account, "id_number": p.id_number, "phone": p.phone, **change}
    return client.post("/api/v1/me/enrollment/start", json=body)


def test_a_customer_enrolls_online_with_an_account_the_id_and_an_sms_code(
    bank: Bank, staff: Staff, app_client: TestClient
) -> None:
    p = person(bank, staff["teller"].actor)
    r = _start_online(app_client, p)
    assert r.status_code == 200, r.text
    started = r.json()
    assert started["phone_masked"].endswith(p.phone[-4:])
    msgs_text = last_code(bank, p.phone)
    r = app_client.post(
        "/api/v1/me/enrollment",
        json={
            "enrollment_id": started["enrollment_id"],
            "code": msgs_text,
            "login_name": p.login_name,
            "password": PASSWORD,
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["enrolled_via"] == "online" and r.json()["customer_number"] == p.number
    login(app_client, bank, p)
    # The enrollment code is used: a second try with it is refused.
    r = app_client.post(
        "/api/v1/me/enrollment",
        json={
            "enrollment_id": started["enrollment_id"],
            "code": msgs_text,
            "login_name": "x" + p.login_name,
            "password": PASSWORD,
        },
    )
    assert r.status_code == 401 and r.json()["code"] == "OTP_USED"
    r = _start_online(app_client, p)
    assert r.status_code == 409 and r.json()["code"] == "EBANK_ALREADY_ENROLLED"


def test_online_enrollment_answers_every_mismatch_the_same_and_sends_nothing(
    bank: Bank, staff: Staff, app_client: TestClient
) -> None:
    p = person(bank, staff["teller"].actor)
    other = person(bank, staff["teller"].actor)
    before = ledger_state(bank)
    for change in (
        {"id_number": other.id_number},
        {"phone": other.phone},
        {"account_number": other.account},
        {"account_number": "000199999999999"},
    ):
        r = _start_online(app_client, p, **change)
        assert r.status_code == 422 and r.json()["code"] == "ENROLLMENT_DETAILS_MISMATCH", (change, r.text)
        assert r.json()["detail"] == "The account or card, ID number and phone do not match our records"
    assert outbox_count(bank, p.phone) == 0 and outbox_count(bank, other.phone) == 0
    after = ledger_state(bank)
    assert after.pop("audit") == before.pop("audit") + 4
    assert after == before
    r = app_client.post("/api/v1/me/enrollment/start", json={"id_number": p.id_number, "phone": p.phone})
    assert r.status_code == 422


def test_a_wrong_enrollment_code_is_counted_and_voids_the_code_at_the_limit(
    bank: Bank, staff: Staff, app_client: TestClient
) -> None:
    p = person(bank, staff["teller"].actor)
    started = _start_online(app_client, p).json()
    code = last_code(bank, p.phone)
    body = {"enrollment_id": started["enrollment_id"], "login_name": p.login_name, "password": PASSWORD}
    tries = bank.settings.otp_max_attempts
    for i in range(tries):
        r = app_client.post("/api/v1/me/enrollment", json={**body, "code": wrong(code)})
        assert r.status_code == 401 and r.json()["code"] == "OTP_INVALID"
        assert r.json()["attempts_left"] == tries - i - 1
    r = app_client.post("/api/v1/me/enrollment", json={**body, "code": code})
    assert r.status_code == 401 and r.json()["code"] == "OTP_EXPIRED"
    r = start_login(app_client, p)
    assert r.status_code == 401 and r.json()["code"] == "LOGIN_FAILED"


def test_a_weak_password_at_online_enrollment_keeps_the_code_for_another_try(
    bank: Bank, staff: Staff, app_client: TestClient
) -> None:
    p = person(bank, staff["teller"].actor)
    started = _start_online(app_client, p).json()
    code = last_code(bank, p.phone)
    body = {"enrollment_id": started["enrollment_id"], "login_name": p.login_name, "code": code}
    r = app_client.post("/api/v1/me/enrollment", json={**body, "password": "weak"})
    assert r.status_code == 422 and r.json()["code"] == "WEAK_PASSWORD"
    r = app_client.post("/api/v1/me/enrollment", json={**body, "password": PASSWORD})
    assert r.status_code == 201


def test_counter_reset_suspend_resume_unenroll_and_enroll_again(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth
) -> None:
    p = person(bank, staff["teller"].actor)
    enroll(app_client, auth("teller"), p)
    tokens = login(app_client, bank, p)
    base = f"/api/v1/customers/{p.number}/ebanking"

    r = app_client.post(f"{base}/suspend", json={"reason": "customer asked"}, headers=auth("teller"))
    assert r.status_code == 200 and r.json()["status"] == "suspended" and r.json()["open_sessions"] == 0
    r = app_client.get("/api/v1/me/devices", headers=bearer(tokens))
    assert r.status_code == 401
    r = start_login(app_client, p)
    assert r.status_code == 401 and r.json()["code"] == "LOGIN_SUSPENDED"
    r = app_client.post("/api/v1/me/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401
    r = app_client.post(f"{base}/resume", headers=auth("teller"))
    assert r.status_code == 200 and r.json()["status"] == "active"
    r = app_client.post(f"{base}/resume", headers=auth("teller"))
    assert r.status_code == 409 and r.json()["code"] == "EBANK_STATUS"

    r = app_client.post(f"{base}/password-reset", json={}, headers=auth("teller"))
    assert r.status_code == 200
    temporary = r.json()["temporary_password"]
    assert temporary and len(temporary) >= 10
    assert start_login(app_client, p).status_code == 401
    assert start_login(app_client, p, password=temporary).status_code == 200
    r = app_client.post(f"{base}/password-reset", json={"password": PASSWORD}, headers=auth("teller"))
    assert r.status_code == 200 and r.json()["temporary_password"] is None

    r = app_client.post(f"{base}/unenroll", json={"reason": "closing"}, headers=auth("teller"))
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = start_login(app_client, p)
    assert r.status_code == 401 and r.json()["code"] == "LOGIN_FAILED"
    for path in ("suspend", "resume", "password-reset", "unenroll"):
        r = app_client.post(f"{base}/{path}", json={}, headers=auth("teller"))
        assert r.status_code == 404 and r.json()["code"] == "EBANK_NOT_ENROLLED", path
    version = login_row(bank, p.login_name)["token_version"]

    # Enrolling again reuses the closed row; the token version only moves forward.
    again = enroll(app_client, auth("teller"), p)
    assert again["status"] == "active" and again["devices"] == 0
    assert login_row(bank, p.login_name)["token_version"] > version
    login(app_client, bank, p)


def test_a_customer_enrolls_online_with_a_debit_card(
    bank: Bank, staff: Staff, app_client: TestClient, auth: Auth
) -> None:
    p = person(bank, staff["teller"].actor)
    r = app_client.post(
        "/api/v1/cards", json={"account_number": p.account, "pin": "314159"}, headers=auth("teller")
    )
    assert r.status_code == 201, r.text
    card = r.json()
    if card.get("status", "active") != "active":
        r = app_client.post(f"/api/v1/cards/{card['card_id']}/activate", headers=auth("teller"))
        assert r.status_code == 200, r.text
    body = {"card_pan": card["pan"], "id_number": p.id_number, "phone": p.phone}
    r = app_client.post("/api/v1/me/enrollment/start", json=body)
    assert r.status_code == 200, r.text
    r = app_client.post(
        "/api/v1/me/enrollment",
        json={
            "enrollment_id": r.json()["enrollment_id"],
            "code": last_code(bank, p.phone),
            "login_name": p.login_name,
            "password": PASSWORD,
        },
    )
    assert r.status_code == 201, r.text
    other = person(bank, staff["teller"].actor)
    body = {"card_pan": card["pan"], "id_number": other.id_number, "phone": other.phone}
    r = app_client.post("/api/v1/me/enrollment/start", json=body)
    assert r.status_code == 422 and r.json()["code"] == "ENROLLMENT_DETAILS_MISMATCH"
