"""The reconciliation over REST: a settlement file uploaded, runs and exceptions read (JSON and CSV), an
exception assigned and resolved, a bad file and a teller refused, the clearing house unreachable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from corebank.payments import reconcile
from corebank.web.app import create_app
from tests.integration.conftest import PASSWORD, FreshBank

HEADER = ",".join(reconcile.HEADER)
BASE = "/api/v1/reconciliation"


@pytest.fixture(scope="module")
def client(fresh_bank: FreshBank) -> Iterator[TestClient]:
    fresh_bank.add_staff("api_clerk", "accountant", "0001")
    fresh_bank.add_staff("api_clerk2", "accountant", "0001")
    with TestClient(create_app(fresh_bank.bank)) as c:
        yield c


def login(client: TestClient, name: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def upload(client: TestClient, who: str, day: str, text: str) -> object:
    files = {"file": ("settlement.csv", text.encode(), "text/csv")}
    return client.post(f"{BASE}/runs/upload", params={"date": day}, files=files, headers=login(client, who))


def test_a_file_is_uploaded_and_its_exception_worked_over_rest(
    client: TestClient, fresh_bank: FreshBank
) -> None:
    day = fresh_bank.business_date().isoformat()
    ghost = f"{day},HVPS,,pacs.008,MGHOST1,GHOSTAPI01,E1,,102100099996,313100000013,88.00,CNY,settled,credit,"
    r = upload(client, "api_clerk", day, f"{HEADER}\n{ghost}\n")
    assert r.status_code == 201, r.text  # type: ignore[attr-defined]
    run = r.json()  # type: ignore[attr-defined]
    assert (run["status"], run["rows_in_file"], run["exceptions"], run["open_exceptions"]) == (
        "exceptions",
        1,
        1,
        1,
    )
    clerk = login(client, "api_clerk")
    assert (
        client.get(f"{BASE}/runs/{run['run_id']}", headers=clerk).json()["file_sha256"] == run["file_sha256"]
    )
    assert [
        x["run_id"] for x in client.get(f"{BASE}/runs", params={"date": day}, headers=clerk).json()["items"]
    ] == [run["run_id"]]
    page = client.get(f"{BASE}/exceptions", params={"status": "open", "date": day}, headers=clerk).json()
    [ex] = page["items"]
    assert (ex["kind"], ex["tx_id"], ex["clearing_amount"]) == ("missing_in_bank", "GHOSTAPI01", "88.00")
    csv_text = client.get(f"{BASE}/exceptions", params={"format": "csv", "date": day}, headers=clerk).text
    assert "GHOSTAPI01" in csv_text and csv_text.startswith("exception_id,")

    url = f"{BASE}/exceptions/{ex['exception_id']}"
    assert (
        client.post(f"{url}/assign", json={"owner": "teller"}, headers=clerk).json()["code"]
        == "OWNER_NOT_ELIGIBLE"
    )
    assert (
        client.post(f"{url}/assign", json={"owner": "api_clerk2"}, headers=clerk).json()["owner"]
        == "api_clerk2"
    )
    r2 = client.post(f"{url}/resolve", json={"action": "accept", "note": "mine"}, headers=clerk)
    assert (r2.status_code, r2.json()["code"]) == (403, "EXCEPTION_NOT_OWNER")
    r3 = client.post(f"{url}/resolve", json={"action": "apply_clearing"}, headers=login(client, "api_clerk2"))
    assert (r3.status_code, r3.json()["code"]) == (422, "RESOLUTION_NOT_APPLICABLE")
    done = client.post(
        f"{url}/resolve",
        json={"action": "accept", "note": "clearing misrouted it"},
        headers=login(client, "api_clerk2"),
    )
    assert (done.status_code, done.json()["status"], done.json()["resolution"]) == (200, "resolved", "accept")
    again = client.post(
        f"{url}/resolve", json={"action": "accept", "note": "x"}, headers=login(client, "api_clerk2")
    )
    assert (again.status_code, again.json()["code"]) == (409, "EXCEPTION_CLOSED")


def test_a_bad_file_and_a_teller_are_refused_over_rest(client: TestClient, fresh_bank: FreshBank) -> None:
    day = fresh_bank.business_date().isoformat()
    before = client.get(f"{BASE}/runs", headers=login(client, "api_clerk")).json()["items"]
    bad = upload(client, "api_clerk", day, "not,a,settlement,file\n")
    assert (bad.status_code, bad.json()["code"]) == (422, "RECON_FILE_INVALID")  # type: ignore[attr-defined]
    teller = upload(client, "teller", day, f"{HEADER}\n")
    assert teller.status_code == 403  # type: ignore[attr-defined]
    assert client.get(f"{BASE}/exceptions", headers=login(client, "teller")).status_code == 403
    assert client.get(f"{BASE}/runs", headers=login(client, "api_clerk")).json()["items"] == before


def test_the_clearing_house_unreachable_is_a_failed_run(
    client: TestClient, fresh_bank: FreshBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fresh_bank.bank.settings, "clearing_url", "http://127.0.0.1:9")
    day = fresh_bank.business_date().isoformat()
    r = client.post(f"{BASE}/runs", json={"date": day}, headers=login(client, "api_clerk"))
    assert (r.status_code, r.json()["code"]) == (502, "SETTLEMENT_FILE_UNAVAILABLE")
    latest = client.get(f"{BASE}/runs", headers=login(client, "api_clerk")).json()["items"][0]
    assert latest["status"] == "failed"
