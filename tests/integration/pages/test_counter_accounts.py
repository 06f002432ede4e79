"""The counter's account life-cycle pages: reactivating a dormant account and closing an account (销户), with or
without a balance to settle, against the real app and database."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import select

from corebank import accounts
from corebank.accounts.models import DepositAccount
from tests.factories import deposit, funded_account, ledger_state, new_account


def _status(bank, actor, number: str) -> str:  # type: ignore[no-untyped-def]
    return bank.run(accounts.get_account, actor, number, readonly=True).status


def _make_dormant(bank, number: str) -> None:  # type: ignore[no-untyped-def]
    """Run the end-of-day dormancy step over this one account, as if a quiet year and more had passed."""

    def work(uow) -> int:  # type: ignore[no-untyped-def]
        acc_id = uow.session.execute(
            select(DepositAccount.id).where(DepositAccount.number == number)
        ).scalar_one()
        return accounts.flag_dormant(uow, uow.business_date + timedelta(days=400), acc_id - 1, acc_id)

    assert bank.run(work) == 1


def test_a_dormant_account_is_reactivated_with_a_reason(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = funded_account(bank, teller, "80.00")
    _make_dormant(bank, acc.number)
    b = console("teller")
    page = b.get(f"/console/accounts/{acc.number}")
    assert f'href="/console/accounts/{acc.number}/reactivate"' in page.text
    form = b.get(f"/console/accounts/{acc.number}/reactivate")
    assert form.status_code == 200
    before = ledger_state(bank)
    r = b.post(f"/console/accounts/{acc.number}/reactivate", {"reason": "  "})
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    assert ledger_state(bank) == before and _status(bank, teller, acc.number) == "dormant"
    r = b.post(f"/console/accounts/{acc.number}/reactivate", {"reason": "ID card seen"})
    assert r.status_code == 200 and r.url.path == f"/console/accounts/{acc.number}"
    assert _status(bank, teller, acc.number) == "active"
    deposit(bank, teller, acc.number, "1.00")  # money moves again
    before = ledger_state(bank)
    r = b.post(f"/console/accounts/{acc.number}/reactivate", {"reason": "twice"})
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text and "twice" in r.text
    assert ledger_state(bank) == before


def test_an_empty_account_closes_at_once(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = new_account(bank, teller)
    b = console("teller")
    assert f'href="/console/accounts/{acc.number}/close"' in b.get(f"/console/accounts/{acc.number}").text
    page = b.get(f"/console/accounts/{acc.number}/close")
    assert page.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key
    r = b.post(
        f"/console/accounts/{acc.number}/close",
        {"settle_to": "none", "reason": "moving away", "idempotency_key": key.group(1)},
    )
    assert r.status_code == 200 and r.url.path == f"/console/accounts/{acc.number}"
    assert _status(bank, teller, acc.number) == "closed"
    assert f'href="/console/accounts/{acc.number}/close"' not in r.text


def test_a_balance_must_be_settled_and_the_settlement_waits_for_a_supervisor_once(
    console, bank, staff
) -> None:
    teller = staff["teller"].actor
    acc = funded_account(bank, teller, "250.00")
    b = console("teller")
    b.get(f"/console/accounts/{acc.number}/close")
    before = ledger_state(bank)
    r = b.post(
        f"/console/accounts/{acc.number}/close",
        {"settle_to": "none", "reason": "keep me", "idempotency_key": uuid.uuid4().hex},
    )
    assert r.status_code == 422 and "ACCOUNT_NOT_EMPTY" in r.text and 'value="keep me"' in r.text, r.text[
        -3000:
    ]
    r = b.post(
        f"/console/accounts/{acc.number}/close",
        {"settle_to": "account", "to_account": acc.number, "idempotency_key": uuid.uuid4().hex},
    )
    assert "SAME_ACCOUNT" in r.text and r.status_code >= 400
    r = b.post(
        f"/console/accounts/{acc.number}/close",
        {"settle_to": "somewhere", "idempotency_key": uuid.uuid4().hex},
    )
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    assert ledger_state(bank) == before and _status(bank, teller, acc.number) == "active"

    data = {"settle_to": "cash", "reason": "customer request", "idempotency_key": uuid.uuid4().hex}
    r = b.post(f"/console/accounts/{acc.number}/close", data)
    assert r.status_code == 200 and r.url.path.startswith("/console/cash/pending/")
    again = b.post(f"/console/accounts/{acc.number}/close", data)
    assert again.url.path == r.url.path  # a double submit asks once
    assert _status(bank, teller, acc.number) == "active"


def test_closing_and_reactivating_need_their_permissions(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = new_account(bank, teller)
    dormant = funded_account(bank, teller, "5.00")
    _make_dormant(bank, dormant.number)
    auditor = console("auditor")
    page = auditor.get(f"/console/accounts/{acc.number}")
    assert f"/console/accounts/{acc.number}/close" not in page.text
    assert auditor.get(f"/console/accounts/{acc.number}/close").status_code == 403
    before = ledger_state(bank)
    r = auditor.post(
        f"/console/accounts/{acc.number}/close", {"settle_to": "none", "idempotency_key": uuid.uuid4().hex}
    )
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    r = auditor.post(f"/console/accounts/{dormant.number}/reactivate", {"reason": "ID seen"})
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    assert ledger_state(bank) == before
    assert (
        _status(bank, teller, acc.number) == "active" and _status(bank, teller, dormant.number) == "dormant"
    )
