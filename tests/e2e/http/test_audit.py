"""Reading the audit trail over REST: an auditor pages through it, filters it, and it proves itself intact."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.http.support import assert_problem, unique_phone, unique_resident_id

API = "/api/v1"


def test_auditor_follows_a_customer_through_the_trail(app_client: TestClient, auth) -> None:  # type: ignore[no-untyped-def]
    teller = auth("teller")
    opened = app_client.post(
        f"{API}/customers",
        headers=teller,
        json={
            "type": "individual",
            "name": "Audit Trail",
            "id_type": "resident_id",
            "id_number": unique_resident_id(),
            "phone": unique_phone(),
        },
    )
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]
    for address in ("2 Ledger Lane", "3 Ledger Lane"):
        r = app_client.patch(f"{API}/customers/{number}", headers=teller, json={"address": address})
        assert r.status_code == 200, r.text

    page = app_client.get(f"{API}/audit", headers=auth("auditor"), params={"object_id": number}).json()
    assert [i["action"] for i in page["items"]] == ["customer.update", "customer.update", "customer.open"]
    assert {i["actor"] for i in page["items"]} == {"teller"}
    assert page["items"][-1]["detail"] == {"type": "individual", "id_type": "resident_id"}
    seqs = [i["seq"] for i in page["items"]]
    assert seqs == sorted(seqs, reverse=True)

    # one at a time, following the cursor, gives the same records exactly once
    seen, cursor = [], None
    while True:
        params = {"object_id": number, "limit": 1, **({"cursor": cursor} if cursor else {})}
        p = app_client.get(f"{API}/audit", headers=auth("auditor"), params=params).json()
        seen += [i["seq"] for i in p["items"]]
        cursor = p["next_cursor"]
        if cursor is None:
            break
    assert seen == seqs

    assert app_client.get(f"{API}/audit/verify", headers=auth("auditor")).json()["ok"] is True


def test_audit_trail_is_for_auditors_only(app_client: TestClient, auth) -> None:  # type: ignore[no-untyped-def]
    assert_problem(app_client.get(f"{API}/audit", headers=auth("teller")), 403, "PERMISSION_DENIED")
    assert_problem(
        app_client.get(f"{API}/audit", headers=auth("auditor"), params={"cursor": "abc"}),
        422,
        "INVALID_REQUEST",
    )
