"""Back office, payment exceptions: a reconciliation difference listed, taken and resolved."""

from __future__ import annotations

import re

import pytest

from corebank.payments import reconcile

HEADER = ",".join(reconcile.HEADER)


@pytest.fixture(scope="module")
def exception_id(bank, staff) -> int:  # type: ignore[no-untyped-def]
    day = bank.run(lambda uow: uow.business_date, readonly=True)
    ghost = (
        f"{day},HVPS,,pacs.008,MGHOSTBO1,GHOSTBO001,E1,,102100099996,313100000013,88.00,CNY,settled,credit,"
    )
    bank.run(
        reconcile.run_reconciliation,
        staff["accountant"].actor,
        day,
        f"{HEADER}\n{ghost}\n".encode(),
        "upload",
    )
    page = bank.run(
        reconcile.list_exceptions,
        staff["accountant"].actor,
        status="open",
        owner=None,
        day=day,
        kind=None,
        cursor=None,
        limit=50,
        readonly=True,
    )
    [found] = [e for e in page.items if e.tx_id == "GHOSTBO001"]
    return found.exception_id


def _status(bank, staff, exception_id: int) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    page = bank.run(
        reconcile.list_exceptions,
        staff["accountant"].actor,
        status=None,
        owner=None,
        day=None,
        kind=None,
        cursor=None,
        limit=500,
        readonly=True,
    )
    [e] = [e for e in page.items if e.exception_id == exception_id]
    return e.status, e.owner


def test_an_auditor_reads_the_exceptions_but_may_not_work_them(console, exception_id, bank, staff) -> None:
    assert console("teller").get("/console/payments/exceptions").status_code == 403
    b = console("auditor")
    r = b.get("/console/payments/exceptions")
    assert r.status_code == 200 and f'id="exception-{exception_id}"' in r.text and "GHOSTBO001" in r.text
    assert "/resolve" not in r.text
    r = b.post(f"/console/payments/exceptions/{exception_id}/resolve", {"action": "accept", "note": "fine"})
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    assert _status(bank, staff, exception_id) == ("open", None)


def test_accepting_without_a_note_is_refused_then_the_clerk_takes_and_accepts_it(
    console, exception_id, bank, staff
) -> None:
    b = console("accountant")
    b.get("/console/payments/exceptions")
    r = b.post(f"/console/payments/exceptions/{exception_id}/resolve", {"action": "accept", "note": ""})
    assert r.status_code == 422 and re.search(r"RESOLUTION_NOTE_REQUIRED|INVALID_REQUEST", r.text)
    assert _status(bank, staff, exception_id) == ("open", None)
    r = b.post(f"/console/payments/exceptions/{exception_id}/take")
    assert r.status_code == 200 and _status(bank, staff, exception_id) == ("open", "accountant")
    r = b.post(
        f"/console/payments/exceptions/{exception_id}/resolve",
        {"action": "accept", "note": "ghost line confirmed with the clearing house"},
    )
    assert r.status_code == 200 and _status(bank, staff, exception_id)[0] == "resolved"
    r = b.post(f"/console/payments/exceptions/{exception_id}/resolve", {"action": "accept", "note": "again"})
    assert r.status_code == 409 and "EXCEPTION_CLOSED" in r.text


def test_a_bad_filter_shows_the_code(console) -> None:
    r = console("accountant").get("/console/payments/exceptions?date=2026-02-31")
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
