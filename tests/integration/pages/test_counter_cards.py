"""The counter's card and e-banking pages: issuing, activating, reporting lost, replacing, PIN reset and closing
a debit card; enrolling a customer in e-banking, resetting the password, suspending and resuming the login.
Each against the real app and database, through the same services as the REST routes."""

from __future__ import annotations

import re

import pytest

from corebank.channels import cards, customer_auth, identity
from corebank.channels.identity_errors import EbankNotEnrolled
from corebank.channels.identity_schemas import LoginRequest
from tests.factories import ledger_state, new_account, new_customer, resident_id

PAN = re.compile(r'id="issued-pan"><code>(62\d{14,17})</code>')


def _cards(bank, actor, account: str) -> list:  # type: ignore[no-untyped-def]
    return bank.run(cards.cards_of_account, actor, account, readonly=True)


def test_a_card_is_issued_activated_reported_lost_replaced_reset_and_closed(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = new_account(bank, teller)
    b = console("teller")
    page = b.get(f"/console/customers/{acc.customer_number}")
    assert f'href="/console/customers/{acc.customer_number}/cards"' in page.text
    page = b.get(f"/console/customers/{acc.customer_number}/cards")
    assert page.status_code == 200 and f'value="{acc.number}"' in page.text

    r = b.post(
        f"/console/customers/{acc.customer_number}/cards", {"account_number": acc.number, "pin": "135790"}
    )
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    pan = PAN.search(r.text)
    assert pan, "the full PAN is shown once"
    (card,) = _cards(bank, teller, acc.number)
    assert card.status == "issued" and card.pan_masked == cards.mask_pan(pan.group(1))
    again = b.get(f"/console/customers/{acc.customer_number}/cards")
    assert pan.group(1) not in again.text and card.pan_masked in again.text and "135790" not in again.text

    base = f"/console/customers/{acc.customer_number}/cards/{card.id}"
    r = b.post(f"{base}/activate")
    assert r.status_code == 200 and r.url.path.endswith("/cards")
    assert _cards(bank, teller, acc.number)[0].status == "active"
    r = b.post(f"{base}/pin-reset", {"new_pin": "246813"})
    assert r.status_code == 200 and r.url.path.endswith("/cards")
    r = b.post(f"{base}/loss")
    assert r.status_code == 200 and _cards(bank, teller, acc.number)[0].status == "lost"

    r = b.post(f"{base}/replace", {"reason": "lost", "pin": "975310"})
    assert r.status_code == 201
    new_pan = PAN.search(r.text)
    assert new_pan and new_pan.group(1) != pan.group(1)
    new, old = _cards(bank, teller, acc.number)
    assert old.status == "replaced" and old.replaced_by == new.id and new.status == "issued"

    r = b.post(f"/console/customers/{acc.customer_number}/cards/{new.id}/close")
    assert r.status_code == 200 and _cards(bank, teller, acc.number)[0].status == "closed"


def test_a_weak_pin_or_a_foreign_account_shows_the_code_and_issues_nothing(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = new_account(bank, teller)
    other = new_account(bank, teller)
    b = console("teller")
    b.get(f"/console/customers/{acc.customer_number}/cards")
    before = ledger_state(bank)
    for pin, code in (("111111", "PIN_TOO_WEAK"), ("12ab", "PIN_FORMAT_INVALID"), ("123456", "PIN_TOO_WEAK")):
        r = b.post(
            f"/console/customers/{acc.customer_number}/cards", {"account_number": acc.number, "pin": pin}
        )
        assert r.status_code == 422 and code in r.text
        assert f'<option value="{acc.number}" selected>' in r.text  # the account stays chosen
        assert f'value="{pin}"' not in r.text  # the PIN is never shown back
    r = b.post(
        f"/console/customers/{acc.customer_number}/cards", {"account_number": other.number, "pin": "135790"}
    )
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    assert ledger_state(bank) == before
    assert _cards(bank, teller, acc.number) == [] and _cards(bank, teller, other.number) == []


def test_a_card_action_out_of_turn_or_on_another_customers_card_is_refused(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = new_account(bank, teller)
    other = new_customer(bank, teller)
    b = console("teller")
    b.get(f"/console/customers/{acc.customer_number}/cards")
    b.post(f"/console/customers/{acc.customer_number}/cards", {"account_number": acc.number, "pin": "135790"})
    (card,) = _cards(bank, teller, acc.number)
    before = ledger_state(bank)
    r = b.post(
        f"/console/customers/{acc.customer_number}/cards/{card.id}/replace",
        {"reason": "lost", "pin": "975310"},
    )
    assert r.status_code == 409 and "CARD_STATE_INVALID" in r.text
    r = b.post(f"/console/customers/{acc.customer_number}/cards/{card.id}/pin-reset", {"new_pin": "000000"})
    assert r.status_code == 422 and "PIN_TOO_WEAK" in r.text
    r = b.post(f"/console/customers/{other.number}/cards/{card.id}/loss")
    assert r.status_code == 404 and "CARD_NOT_FOUND" in r.text
    assert ledger_state(bank) == before
    assert _cards(bank, teller, acc.number)[0].status == "issued"


def test_cards_need_the_card_permission(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = new_account(bank, teller)
    b = console("teller")
    b.get(f"/console/customers/{acc.customer_number}/cards")
    b.post(f"/console/customers/{acc.customer_number}/cards", {"account_number": acc.number, "pin": "135790"})
    (card,) = _cards(bank, teller, acc.number)
    auditor = console("auditor")
    r = auditor.get(f"/console/customers/{acc.customer_number}/cards")
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    page = auditor.get(f"/console/customers/{acc.customer_number}")
    assert f"/console/customers/{acc.customer_number}/cards" not in page.text
    before = ledger_state(bank)
    r = auditor.post(
        f"/console/customers/{acc.customer_number}/cards", {"account_number": acc.number, "pin": "135790"}
    )
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    r = auditor.post(f"/console/customers/{acc.customer_number}/cards/{card.id}/loss")
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    assert ledger_state(bank) == before
    assert [c.status for c in _cards(bank, teller, acc.number)] == ["issued"]
    east = console("east_teller")
    east.get("/console")
    before = ledger_state(bank)  # after the sign-in, which is audited
    r = east.post(f"/console/customers/{acc.customer_number}/cards/{card.id}/loss")
    assert r.status_code == 403  # the card's account is outside the east branch
    assert ledger_state(bank) == before


# ---- e-banking ------------------------------------------------------------------------------------------------


def _login(bank, actor, number: str):  # type: ignore[no-untyped-def]
    return bank.run(identity.show_enrollment, actor, number, readonly=True)


def test_enrolling_at_the_counter_shows_a_temporary_password_once_and_it_works(console, bank, staff) -> None:
    teller = staff["teller"].actor
    id_number = resident_id()
    c = new_customer(bank, teller, id_number=id_number)
    b = console("teller")
    page = b.get(f"/console/customers/{c.number}")
    assert f'href="/console/customers/{c.number}/ebanking"' in page.text
    page = b.get(f"/console/customers/{c.number}/ebanking")
    assert page.status_code == 200 and f'action="/console/customers/{c.number}/ebanking"' in page.text
    name = f"cust{c.number}"
    r = b.post(
        f"/console/customers/{c.number}/ebanking",
        {"login_name": name, "phone": "13912340000", "id_number": id_number, "password": ""},
    )
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    temp = re.search(r'id="temporary-password">([^<]+)</code>', r.text)
    assert temp, "a temporary password is shown"
    assert _login(bank, teller, c.number).status == "active"
    started, error = bank.run(
        customer_auth.start_login, LoginRequest(login_name=name, password=temp.group(1))
    )
    assert error is None and started is not None
    again = b.get(f"/console/customers/{c.number}/ebanking")
    assert temp.group(1) not in again.text and name in again.text

    r = b.post(f"/console/customers/{c.number}/ebanking/password-reset")
    assert r.status_code == 200
    reset = re.search(r'id="temporary-password">([^<]+)</code>', r.text)
    assert reset and reset.group(1) != temp.group(1)

    r = b.post(f"/console/customers/{c.number}/ebanking/suspend", {"reason": "customer asked"})
    assert r.status_code == 200 and _login(bank, teller, c.number).status == "suspended"
    r = b.post(f"/console/customers/{c.number}/ebanking/resume", {"reason": "back"})
    assert r.status_code == 200 and _login(bank, teller, c.number).status == "active"
    before = ledger_state(bank)
    r = b.post(f"/console/customers/{c.number}/ebanking/resume", {"reason": "again"})
    assert r.status_code == 409 and "EBANK_STATUS" in r.text and ledger_state(bank) == before


def test_bad_enrollment_input_shows_the_code_keeps_the_form_and_enrolls_nobody(console, bank, staff) -> None:
    teller = staff["teller"].actor
    id_number = resident_id()
    c = new_customer(bank, teller, id_number=id_number)
    b = console("teller")
    b.get(f"/console/customers/{c.number}/ebanking")
    before = ledger_state(bank)
    cases = (
        ({"login_name": "x!", "password": ""}, "INVALID_LOGIN_NAME", 422),
        ({"login_name": f"weak{c.number}", "password": "abc"}, "WEAK_PASSWORD", 422),
    )
    for extra, code, status in cases:
        form = {"phone": "13912340001", "id_number": id_number, **extra}
        r = b.post(f"/console/customers/{c.number}/ebanking", form)
        assert r.status_code == status and code in r.text
        assert 'value="13912340001"' in r.text  # the input is kept
    assert ledger_state(bank) == before
    # A wrong ID is refused too; its refusal is recorded for the audit trail, and nobody is enrolled.
    r = b.post(
        f"/console/customers/{c.number}/ebanking",
        {"login_name": f"idm{c.number}", "phone": "13912340001", "id_number": resident_id(), "password": ""},
    )
    assert "ID_NUMBER_MISMATCH" in r.text and r.status_code >= 400
    with pytest.raises(EbankNotEnrolled):
        _login(bank, teller, c.number)


def test_ebanking_actions_need_the_ebanking_permission(console, bank, staff) -> None:
    teller = staff["teller"].actor
    id_number = resident_id()
    c = new_customer(bank, teller, id_number=id_number)
    auditor = console("auditor")
    page = auditor.get(f"/console/customers/{c.number}/ebanking")
    assert page.status_code == 200 and f'action="/console/customers/{c.number}/ebanking"' not in page.text
    before = ledger_state(bank)
    r = auditor.post(
        f"/console/customers/{c.number}/ebanking",
        {"login_name": f"aud{c.number}", "phone": "13912340002", "id_number": id_number},
    )
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    for action in ("password-reset", "suspend", "resume"):
        r = auditor.post(f"/console/customers/{c.number}/ebanking/{action}")
        assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    assert ledger_state(bank) == before
    with pytest.raises(EbankNotEnrolled):
        _login(bank, teller, c.number)
