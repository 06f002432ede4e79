"""Bulk payment files over REST: a teller uploads a payroll file (raw XML or multipart) and reads the report."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from corebank.bootstrap import Bank
from tests.e2e.http.support import assert_problem
from tests.factories import Staff, funded_account, ledger_state, new_account
from tests.integration.payments.bulk_support import OTHER_BANK, Pay, batch_rows, write_pain001

API = "/api/v1/payments/bulk"
Auth = Callable[[str], dict[str, str]]


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"bulk-http-{uuid.uuid4().hex}"}


def test_teller_uploads_a_payroll_file_and_reads_the_per_line_report(
    app_client: TestClient,
    auth: Auth,
    bank: Bank,
    staff: Staff,
    tmp_path: Path,
) -> None:
    ours = bank.settings.bank_code
    teller = staff["teller"].actor
    payer = funded_account(bank, teller, "20000.00")
    staff_here = [new_account(bank, teller) for _ in range(3)]
    lines = [Pay(a.number, f"{1000 + i}.00", ours, f"Worker {i}") for i, a in enumerate(staff_here)]
    lines += [Pay("6222020000000000002", "900.00", OTHER_BANK), Pay("12345", "5.00", ours)]
    path = write_pain001(tmp_path / "march.xml", payer=payer.number, lines=lines, bank_code=ours)
    headers = {**auth("teller"), **_key(), "Content-Type": "application/xml"}

    r = app_client.post(API, content=path.read_bytes(), headers=headers)
    assert r.status_code == 201, r.text
    batch = r.json()
    assert batch["status"] == "partially_posted"
    assert (batch["credited_count"], batch["external_count"], batch["failed_count"]) == (3, 1, 1)
    assert batch["total"] == "3908.00" and batch["failed_total"] == "5.00"

    again = app_client.post(API, content=path.read_bytes(), headers=headers)  # the same key: the first answer
    assert again.status_code == 201 and again.json() == batch

    r = app_client.get(f"{API}/{batch['batch_id']}", params={"limit": 2}, headers=auth("auditor"))
    assert r.status_code == 200, r.text
    page = r.json()
    assert [ln["status"] for ln in page["lines"]] == ["credited", "credited"]
    assert page["next_cursor"] == "2"
    rest = app_client.get(
        f"{API}/{batch['batch_id']}", params={"cursor": page["next_cursor"]}, headers=auth("auditor")
    ).json()
    assert [(ln["seq"], ln["status"], ln["reason_code"]) for ln in rest["lines"]] == [
        (3, "credited", None),
        (4, "sent_external", None),
        (5, "failed", "AC01"),
    ]

    r = app_client.get(f"{API}/{batch['batch_id']}", params={"format": "csv"}, headers=auth("teller"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["status"] for row in rows] == ["credited"] * 3 + ["sent_external", "failed"]
    assert rows[0]["amount"] == "1000.00" and rows[4]["reason_code"] == "AC01"

    listed = app_client.get(API, params={"payer_account": payer.number}, headers=auth("teller")).json()
    assert [b["batch_id"] for b in listed["items"]] == [batch["batch_id"]]
    assert app_client.get(f"{API}/999999999", headers=auth("teller")).status_code == 404


def test_multipart_upload_posts_the_file(
    app_client: TestClient,
    auth: Auth,
    bank: Bank,
    staff: Staff,
    tmp_path: Path,
) -> None:
    ours = bank.settings.bank_code
    teller = staff["teller"].actor
    payer = funded_account(bank, teller, "500.00")
    payee = new_account(bank, teller)
    path = write_pain001(
        tmp_path / "mp.xml", payer=payer.number, lines=[Pay(payee.number, "120.00", ours)], bank_code=ours
    )
    r = app_client.post(
        API,
        files={"file": ("mp.xml", path.read_bytes(), "application/xml")},
        headers={**auth("teller"), **_key()},
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "posted" and r.json()["file_name"] == "mp.xml"


def test_bad_uploads_are_problems_and_change_nothing(
    app_client: TestClient,
    auth: Auth,
    bank: Bank,
    staff: Staff,
    tmp_path: Path,
) -> None:
    ours = bank.settings.bank_code
    teller = staff["teller"].actor
    payer = funded_account(bank, teller, "100.00")
    payee = new_account(bank, teller)
    path = write_pain001(
        tmp_path / "big.xml", payer=payer.number, lines=[Pay(payee.number, "100.01", ours)], bank_code=ours
    )
    before, rows = ledger_state(bank), batch_rows(bank)
    xml = {"Content-Type": "application/xml"}

    r = app_client.post(API, content=path.read_bytes(), headers={**auth("teller"), **_key(), **xml})
    assert_problem(r, 422, "INSUFFICIENT_FUNDS")
    broken = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn></Document>'
    r = app_client.post(API, content=broken, headers={**auth("teller"), **_key(), **xml})
    assert r.status_code in (400, 422)
    assert_problem(r, r.status_code, "XML_MALFORMED")
    r = app_client.post(API, content=b"", headers={**auth("teller"), **_key(), **xml})
    assert_problem(r, 422, "INVALID_REQUEST")
    r = app_client.post(API, content=path.read_bytes(), headers={**auth("teller"), **xml})
    assert_problem(r, 400, "IDEMPOTENCY_KEY_REQUIRED")
    r = app_client.post(API, content=path.read_bytes(), headers={**auth("auditor"), **_key(), **xml})
    assert_problem(r, 403, "PERMISSION_DENIED")

    assert ledger_state(bank) == before and batch_rows(bank) == rows
    assert not list((bank.settings.var_dir / "bulk").glob("upload-*"))  # no upload left behind
