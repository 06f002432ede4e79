"""Supervisor authorization of a large cash withdrawal: the teller's request waits, a supervisor approves or
rejects it on /console/approvals, and the approved withdrawal posts with its voucher."""

from __future__ import annotations

import re
import uuid

from corebank import accounts
from tests.factories import deposit, ledger_state, new_account

PENDING = re.compile(r"/console/cash/pending/(\d+)")


def _rich_account(bank, staff):  # type: ignore[no-untyped-def]
    acc = new_account(bank, staff["teller"].actor)
    deposit(bank, staff["teller"].actor, acc.number, "90000.00")
    return acc


def _balance(bank, staff, number: str) -> str:  # type: ignore[no-untyped-def]
    return bank.run(accounts.get_account, staff["teller"].actor, number, readonly=True).balance


def _request(b, number: str, amount: str = "60000.00") -> int:  # type: ignore[no-untyped-def]
    b.get("/console/cash/withdraw")
    r = b.post(
        "/console/cash/withdraw",
        {"account": number, "amount": amount, "memo": "house", "idempotency_key": uuid.uuid4().hex},
    )
    assert r.status_code == 200, r.text[:300]
    m = PENDING.search(str(r.url))
    assert m, r.url
    assert (
        'id="approval-status"' in r.text and "badge-pending" in r.text and 'hx-trigger="every 3s"' in r.text
    )
    return int(m.group(1))


def test_a_large_withdrawal_waits_and_posts_once_a_supervisor_approves(console, bank, staff) -> None:
    acc = _rich_account(bank, staff)
    teller = console("teller")
    approval_id = _request(teller, acc.number)
    assert _balance(bank, staff, acc.number) == "90000.00"  # nothing posted yet

    sup = console("supervisor")
    queue = sup.get("/console/approvals")
    assert queue.status_code == 200 and f'id="approval-{approval_id}"' in queue.text
    r = sup.post(f"/console/approvals/{approval_id}/approve", {"reason": ""})
    assert r.status_code == 200 and f'id="approve-{approval_id}"' not in r.text
    assert _balance(bank, staff, acc.number) == "30000.00"

    page = teller.get(f"/console/cash/pending/{approval_id}")
    serial = re.search(r'href="/console/vouchers/([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    partial = teller.get(f"/console/cash/pending/{approval_id}", headers={"HX-Request": "true"})
    assert (
        "<html" not in partial.text and "badge-executed" in partial.text and "hx-trigger" not in partial.text
    )
    pdf = teller.get(f"/console/vouchers/{serial}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    voucher = teller.get(f"/console/vouchers/{serial}")
    assert voucher.status_code == 200 and "陆万元整" in voucher.text and "30,000.00" in voucher.text
    # Approving twice runs nothing twice.
    r = sup.post(f"/console/approvals/{approval_id}/approve", {"reason": ""})
    assert r.status_code == 409 and "APPROVAL_NOT_PENDING" in r.text
    assert _balance(bank, staff, acc.number) == "30000.00"


def test_nobody_approves_their_own_request_and_a_teller_cannot_approve(console, bank, staff) -> None:
    acc = _rich_account(bank, staff)
    sup = console("supervisor")
    approval_id = _request(sup, acc.number)
    teller2, east = console("teller2"), console("east_supervisor")
    before = ledger_state(bank)
    r = sup.post(f"/console/approvals/{approval_id}/approve", {"reason": ""})
    assert r.status_code == 403 and "SELF_APPROVAL" in r.text
    r = teller2.post(f"/console/approvals/{approval_id}/approve", {"reason": ""})
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    seen = teller2.get("/console/approvals")  # a teller may read the queue, as the API lets them
    assert seen.status_code == 200 and f'id="approve-{approval_id}"' not in seen.text
    r = east.post(f"/console/approvals/{approval_id}/approve", {"reason": ""})
    assert r.status_code == 403
    assert ledger_state(bank) == before
    assert _balance(bank, staff, acc.number) == "90000.00"


def test_a_rejected_withdrawal_posts_nothing_and_needs_a_reason(console, bank, staff) -> None:
    acc = _rich_account(bank, staff)
    teller = console("teller2")
    approval_id = _request(teller, acc.number, "55000.00")
    sup = console("manager")
    r = sup.post(f"/console/approvals/{approval_id}/reject", {"reason": ""})
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    r = sup.post(f"/console/approvals/{approval_id}/reject", {"reason": "customer not present"})
    assert r.status_code == 200
    assert _balance(bank, staff, acc.number) == "90000.00"
    page = teller.get(f"/console/cash/pending/{approval_id}")
    assert "rejected" in page.text or "已拒绝" in page.text
    assert "/console/vouchers/" not in page.text


def test_the_queue_pages_through_requests(console, bank, staff) -> None:
    sup = console("supervisor")
    r = sup.get("/console/approvals?status=")
    assert r.status_code == 200
    r = sup.get("/console/approvals?status=executed")
    assert r.status_code == 200
