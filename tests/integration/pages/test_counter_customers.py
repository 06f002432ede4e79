"""The counter's customer pages: search, the customer view, opening a customer and an account, holds and
freezes on an account."""

from __future__ import annotations

import re
import uuid

from corebank import accounts
from tests.factories import deposit, funded_account, ledger_state, new_account, new_customer, resident_id


def test_search_finds_a_customer_by_name_number_and_phone_and_pages(console, bank, staff) -> None:
    teller = staff["teller"].actor
    c = new_customer(bank, teller, name="Zhao Searchable")
    b = console("teller")
    for q in ("Zhao Search", c.number):
        r = b.get("/console/customers", params={"q": q})
        assert r.status_code == 200 and c.number in r.text and "Zhao Searchable" in r.text
    live = b.get("/console/customers", params={"q": "Zhao"}, headers={"HX-Request": "true"})
    assert live.status_code == 200 and "<html" not in live.text and c.number in live.text
    for _ in range(21):
        new_customer(bank, teller, name="Pager Person")
    first = b.get("/console/customers", params={"q": "Pager"})
    nxt = re.search(r'href="(/console/customers\?q=Pager&amp;after=\d+)"', first.text)
    assert nxt, "a second page is offered"
    second = b.get(nxt.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and "Pager Person" in second.text


def test_the_customer_view_masks_the_id_and_shows_accounts_holds_and_activity(console, bank, staff) -> None:
    teller = staff["teller"].actor
    id_number = resident_id()
    c = new_customer(bank, teller, id_number=id_number)
    acc = new_account(bank, teller, c.number)
    deposit(bank, teller, acc.number, "321.00")
    bank.run(accounts.place_hold, teller, acc.number, accounts.HoldRequest(amount="21.00", reason="court"))
    b = console("teller")
    r = b.get(f"/console/customers/{c.number}")
    assert r.status_code == 200
    assert id_number not in r.text and c.id_number_masked in r.text
    assert acc.number in r.text and "321.00" in r.text and "300.00" in r.text  # balance and available
    assert "21.00" in r.text  # the hold
    east = console("east_teller")
    r = east.get(f"/console/customers/{c.number}")
    assert (
        r.status_code == 200 and acc.number not in r.text
    )  # an account outside the branch scope is not shown
    assert console("credit").get(f"/console/customers/{c.number}").status_code == 200
    assert b.get("/console/customers/800000000").status_code == 404


def test_opening_a_customer_checks_the_resident_id_and_changes_nothing_when_wrong(console, bank) -> None:
    b = console("teller")
    b.get("/console/customers/new")
    good = resident_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = ledger_state(bank)
    r = b.post(
        "/console/customers/new",
        {
            "type": "individual",
            "name": "Wang Wu",
            "id_type": "resident_id",
            "id_number": bad,
            "phone": "13912345678",
        },
    )
    assert r.status_code == 422 and "INVALID_ID_NUMBER" in r.text and "Wang Wu" in r.text
    assert ledger_state(bank) == before
    r = b.post(
        "/console/customers/new",
        {
            "type": "individual",
            "name": "Wang Wu",
            "id_type": "resident_id",
            "id_number": good,
            "phone": "13912345679",
        },
    )
    assert r.status_code == 200 and r.url.path.startswith("/console/customers/8")
    assert "Wang Wu" in r.text and good not in r.text
    r = b.post(
        "/console/customers/new",
        {
            "type": "individual",
            "name": "Wang Wu",
            "id_type": "resident_id",
            "id_number": good,
            "phone": "13912345679",
        },
    )
    assert r.status_code == 409 and "CUSTOMER_EXISTS" in r.text


def test_an_auditor_may_look_but_not_open_a_customer(console) -> None:
    b = console("auditor")
    assert b.get("/console/customers/new").status_code == 403
    r = b.post("/console/customers/new", {"type": "individual", "name": "X", "id_type": "resident_id"})
    assert r.status_code == 403


def test_opening_an_account_with_cash_posts_once_per_key(console, bank, staff) -> None:
    c = new_customer(bank, staff["teller"].actor)
    b = console("teller")
    page = b.get(f"/console/customers/{c.number}")
    assert f'action="/console/customers/{c.number}/accounts"' in page.text
    data = {
        "product_code": "DEMAND_CNY",
        "account_class": "1",
        "opening_deposit": "50.00",
        "idempotency_key": uuid.uuid4().hex,
    }
    r = b.post(f"/console/customers/{c.number}/accounts", data)
    assert r.status_code == 200 and r.url.path.startswith("/console/accounts/")
    number = r.url.path.rsplit("/", 1)[1]
    again = b.post(f"/console/customers/{c.number}/accounts", data)
    assert again.url.path == r.url.path
    opened = bank.run(accounts.accounts_of_customer, staff["teller"].actor, c.number, readonly=True)
    assert [a.number for a in opened] == [number] and opened[0].balance == "50.00"
    before = ledger_state(bank)
    r = b.post(f"/console/customers/{c.number}/accounts", {**data, "idempotency_key": uuid.uuid4().hex})
    assert r.status_code == 409 and "TYPE_I_ACCOUNT_EXISTS" in r.text
    assert ledger_state(bank) == before


def test_a_teller_holds_and_releases_an_amount(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = funded_account(bank, teller, "100.00")
    b = console("teller")
    b.get(f"/console/accounts/{acc.number}")
    r = b.post(f"/console/accounts/{acc.number}/holds", {"amount": "40.00", "reason": "disputed cheque"})
    assert r.status_code == 200 and "disputed cheque" in r.text
    assert bank.run(accounts.get_account, teller, acc.number, readonly=True).available_balance == "60.00"
    before = ledger_state(bank)
    r = b.post(f"/console/accounts/{acc.number}/holds", {"amount": "-5", "reason": "x"})
    assert r.status_code == 422 and ledger_state(bank) == before
    hold_id = re.search(rf"/console/accounts/{acc.number}/holds/(\d+)/release", r.text).group(1)  # type: ignore[union-attr]
    r = b.post(f"/console/accounts/{acc.number}/holds/{hold_id}/release", {"reason": "cleared"})
    assert r.status_code == 200
    assert bank.run(accounts.get_account, teller, acc.number, readonly=True).available_balance == "100.00"


def test_freezing_needs_a_supervisor_and_blocks_withdrawals(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = funded_account(bank, teller, "100.00")
    t = console("teller")
    t.get(f"/console/accounts/{acc.number}")
    r = t.post(f"/console/accounts/{acc.number}/freeze", {"kind": "full", "reason": "court order"})
    assert r.status_code == 403
    sup = console("supervisor")
    sup.get(f"/console/accounts/{acc.number}")
    r = sup.post(
        f"/console/accounts/{acc.number}/freeze",
        {"kind": "full", "reason": "court order", "authority": "District court", "document_no": "2026-77"},
    )
    assert r.status_code == 200 and "District court" in r.text
    t.get("/console/cash/withdraw")
    before = ledger_state(bank)
    r = t.post(
        "/console/cash/withdraw",
        {"account": acc.number, "amount": "10.00", "idempotency_key": uuid.uuid4().hex},
    )
    assert r.status_code >= 400 and "FROZEN" in r.text
    assert ledger_state(bank) == before
    freeze_id = re.search(
        r'name="freeze_id" value="(\d+)"', sup.get(f"/console/accounts/{acc.number}").text
    ).group(1)  # type: ignore[union-attr]
    r = sup.post(
        f"/console/accounts/{acc.number}/unfreeze", {"freeze_id": freeze_id, "reason": "order lifted"}
    )
    assert r.status_code == 200
    r = t.post(
        "/console/cash/withdraw",
        {"account": acc.number, "amount": "10.00", "idempotency_key": uuid.uuid4().hex},
    )
    assert r.status_code == 200 and "/console/vouchers/" in str(r.url)
