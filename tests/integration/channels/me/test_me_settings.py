"""A customer's payees (duplicates refused, a payee in this bank checked against its holder's name, removal
kept as a soft delete), notification settings and the limits that apply to them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.factories import Staff
from tests.integration.channels.me.support import enrolled, refused

PAYEES = "/api/v1/me/payees"


def test_payees_are_checked_unique_and_removed_softly(
    bank: Bank, app_client: TestClient, staff: Staff
) -> None:
    teller = staff["teller"].actor
    me, other = enrolled(bank, teller, balance=None), enrolled(bank, teller, balance=None)
    h = me.headers
    for body in (
        {"name": "Somebody Else", "account_number": other.account},
        {"name": other.name, "account_number": "000101999999999"},
    ):
        problem = refused(bank, app_client, "POST", PAYEES, 422, "PAYEE_ACCOUNT_MISMATCH", h, json=body)
        assert other.name not in problem["detail"]
    refused(
        bank,
        app_client,
        "POST",
        PAYEES,
        422,
        "PAYEE_BANK_CODE_INVALID",
        h,
        json={"name": "Li Si", "account_number": "6222020200012345", "bank_code": "ICBC"},
    )
    r = app_client.post(
        PAYEES,
        json={"name": f" {other.name} ", "account_number": other.account, "nickname": "sister"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    inside = r.json()
    assert (inside["internal"], inside["name"], inside["nickname"]) == (True, other.name, "sister")
    refused(
        bank,
        app_client,
        "POST",
        PAYEES,
        409,
        "PAYEE_EXISTS",
        h,
        json={"name": other.name, "account_number": other.account},
    )
    r = app_client.post(
        PAYEES,
        json={"name": "Li Si", "account_number": "6222020200012345", "bank_code": "102100099996"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    outside = r.json()
    assert outside["internal"] is False
    assert [p["payee_id"] for p in app_client.get(PAYEES, headers=h).json()] == [
        inside["payee_id"],
        outside["payee_id"],
    ]
    r = app_client.delete(f"{PAYEES}/{inside['payee_id']}", headers=h)
    assert r.status_code == 200, r.text
    assert [p["payee_id"] for p in app_client.get(PAYEES, headers=h).json()] == [outside["payee_id"]]
    refused(bank, app_client, "DELETE", f"{PAYEES}/{inside['payee_id']}", 404, "NOT_FOUND", h)
    # Removed, the account may be added again.
    r = app_client.post(PAYEES, json={"name": other.name, "account_number": other.account}, headers=h)
    assert r.status_code == 201 and r.json()["payee_id"] != inside["payee_id"]


def test_notification_settings_start_at_the_defaults_and_change(
    bank: Bank, app_client: TestClient, staff: Staff
) -> None:
    me = enrolled(bank, staff["teller"].actor, balance=None)
    url = "/api/v1/me/notifications"
    first = app_client.get(url, headers=me.headers).json()
    assert first == {
        "sms_on_debit_over": None,
        "sms_on_credit": False,
        "sms_on_login": True,
        "language": "zh_CN",
        "currency": "CNY",
        "updated_at": None,
    }
    new = {"sms_on_debit_over": "500", "sms_on_credit": True, "sms_on_login": False, "language": "en"}
    r = app_client.put(url, json=new, headers=me.headers)
    assert r.status_code == 200, r.text
    got = app_client.get(url, headers=me.headers).json()
    assert (got["sms_on_debit_over"], got["sms_on_credit"], got["sms_on_login"], got["language"]) == (
        "500.00",
        True,
        False,
        "en",
    )
    assert got["updated_at"] is not None
    r = app_client.put(url, json={**new, "sms_on_debit_over": None}, headers=me.headers)
    assert r.json()["sms_on_debit_over"] is None
    refused(bank, app_client, "PUT", url, 422, "VALIDATION_ERROR", me.headers, json={**new, "language": "fr"})
    refused(
        bank,
        app_client,
        "PUT",
        url,
        422,
        "INVALID_AMOUNT",
        me.headers,
        json={**new, "sms_on_debit_over": "-1"},
    )


def test_my_limits_show_the_channels_defaults(app_client: TestClient, bank: Bank, staff: Staff) -> None:
    me = enrolled(bank, staff["teller"].actor, balance=None)
    limits = {x["tx_type"]: x for x in app_client.get("/api/v1/me/limits", headers=me.headers).json()}
    t = limits["transfer"]
    assert (t["channel"], t["single"], t["daily"], t["used_today"], t["remaining_today"]) == (
        "internet",
        "50000.00",
        "200000.00",
        "0.00",
        "200000.00",
    )
    refused(
        bank,
        app_client,
        "PUT",
        "/api/v1/me/limits/teleport",
        422,
        "UNKNOWN_TX_TYPE",
        me.headers,
        json={"single": "1.00"},
    )
