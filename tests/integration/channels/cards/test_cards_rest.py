"""Debit cards through REST: issue, activate, PIN change and reset, loss, replacement, close; what is (never)
stored; and a customer reaching only their own cards."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from stdnum import luhn

from corebank.channels import cards
from corebank.channels.card_models import Card
from corebank.channels.pin import encrypt_pin_block
from corebank.customers import make_uscc
from corebank.db.models import AuditRecord
from tests.factories import Staff, ledger_state, new_account, new_customer
from tests.factories.channels import customer_session

KEY = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")


@pytest.fixture(scope="module")
def teller(staff: Staff) -> Any:
    return staff["teller"].actor


def issue(app_client, auth, account: str, pin: str = "583920", who: str = "teller") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    r = app_client.post("/api/v1/cards", json={"account_number": account, "pin": pin}, headers=auth(who))
    assert r.status_code == 201, r.text
    return dict(r.json())


def check(bank, pan: str, pin: str) -> str:  # type: ignore[no-untyped-def]
    return bank.run(cards.check_pin, pan, encrypt_pin_block(pin, pan, KEY), KEY).code


def card_row(bank, card_id: int) -> Card:  # type: ignore[no-untyped-def]
    with bank.uow.session() as s:
        return s.execute(select(Card).where(Card.id == card_id)).scalar_one()


def test_card_issued_on_a_personal_account_has_a_unionpay_pan_and_starts_issued(
    app_client, auth, bank, teller
):
    acc = new_account(bank, teller)
    got = issue(app_client, auth, acc.number)
    pan, s = got["pan"], bank.settings
    assert pan.startswith("62") and pan.startswith(s.card_bin)
    assert len(pan) == s.card_pan_length and luhn.is_valid(pan)
    assert got["pan_masked"] == pan[:6] + "*" * (len(pan) - 10) + pan[-4:]
    assert got["status"] == "issued" and got["account_number"] == acc.number
    # valid five years, through the last day of the month of issue (business date 2026-03-02)
    assert got["expiry"] == "2031-03"

    read = app_client.get(f"/api/v1/cards/{got['card_id']}", headers=auth("teller")).json()
    assert read["pan_masked"] == got["pan_masked"] and "pan" not in read and read["status"] == "issued"
    assert check(bank, pan, "583920") == "57"  # not yet activated

    r = app_client.post(f"/api/v1/cards/{got['card_id']}/activate", headers=auth("teller"))
    assert r.status_code == 200 and r.json()["status"] == "active"
    assert check(bank, pan, "583920") == "00"
    assert bank.run(cards.owner_of_pan, pan, readonly=True) == card_row(bank, got["card_id"]).customer_id

    listed = app_client.get("/api/v1/cards", params={"account": acc.number}, headers=auth("teller")).json()
    assert [c["id"] for c in listed] == [got["card_id"]]


def test_pans_are_unique_and_valid(app_client, auth, bank, teller):
    acc = new_account(bank, teller)
    pans = [issue(app_client, auth, acc.number)["pan"] for _ in range(5)]
    assert len(set(pans)) == 5 and all(luhn.is_valid(p) for p in pans)


def test_neither_pin_nor_pin_block_nor_pan_is_stored_or_audited(app_client, auth, bank, teller):
    acc = new_account(bank, teller)
    pin = "583920"
    got = issue(app_client, auth, acc.number, pin)
    cid, pan = got["card_id"], got["pan"]
    app_client.post(f"/api/v1/cards/{cid}/activate", headers=auth("teller"))
    block = encrypt_pin_block(pin, pan, KEY)
    assert check(bank, pan, "111390") == "55"
    assert check(bank, pan, pin) == "00"
    app_client.post(f"/api/v1/cards/{cid}/pin-reset", json={"new_pin": "720361"}, headers=auth("teller"))

    row = card_row(bank, cid)
    stored = " ".join(str(getattr(row, c.key)) for c in Card.__table__.columns)
    for secret in (pin, "720361", block, block.lower(), pan):
        assert secret not in stored
    with bank.uow.session() as s:
        details = " ".join(d for (d,) in s.execute(select(AuditRecord.detail)))
    for secret in (pin, "720361", block, block.lower(), pan):
        assert secret not in details
    assert cards.mask_pan(pan) in details  # the card is named, masked


@pytest.mark.parametrize(
    "pin, code",
    [
        ("000000", "PIN_TOO_WEAK"),
        ("123456", "PIN_TOO_WEAK"),
        ("777777", "PIN_TOO_WEAK"),
        ("987654", "PIN_TOO_WEAK"),
        ("12345", "PIN_FORMAT_INVALID"),
        ("1234567", "PIN_FORMAT_INVALID"),
        ("12a456", "PIN_FORMAT_INVALID"),
        ("１２３４５９", "PIN_FORMAT_INVALID"),
    ],
)
def test_a_weak_or_malformed_pin_is_refused_and_changes_nothing(app_client, auth, bank, teller, pin, code):
    acc = new_account(bank, teller)
    before = ledger_state(bank)
    r = app_client.post(
        "/api/v1/cards", json={"account_number": acc.number, "pin": pin}, headers=auth("teller")
    )
    assert r.status_code == 422 and r.json()["code"] == code
    assert pin not in r.text
    assert ledger_state(bank) == before
    assert (
        app_client.get("/api/v1/cards", params={"account": acc.number}, headers=auth("teller")).json() == []
    )


def test_cards_only_on_personal_cny_demand_accounts_in_your_branches(app_client, auth, bank, teller):
    company = new_customer(
        bank,
        teller,
        type="corporate",
        name="Xiamen Harbour Trading Co",
        id_type="uscc",
        id_number=make_uscc("91350200MA2Y0C1B0"),
    )
    corp = new_account(bank, teller, company.number, product_code="CORP_DEMAND_CNY")
    acc = new_account(bank, teller)
    for who in ("teller", "east_teller", "credit"):
        auth(who)  # log in before the snapshot: a login is audited
    before = ledger_state(bank)
    r = app_client.post(
        "/api/v1/cards", json={"account_number": corp.number, "pin": "583920"}, headers=auth("teller")
    )
    assert r.status_code == 422 and r.json()["code"] == "CARD_NOT_ISSUABLE"
    r = app_client.post(
        "/api/v1/cards", json={"account_number": "000000000000", "pin": "583920"}, headers=auth("teller")
    )
    assert r.status_code == 404
    r = app_client.post(
        "/api/v1/cards", json={"account_number": acc.number, "pin": "583920"}, headers=auth("east_teller")
    )
    assert r.status_code == 403 and r.json()["code"] == "OUT_OF_BRANCH_SCOPE"
    r = app_client.post(
        "/api/v1/cards", json={"account_number": acc.number, "pin": "583920"}, headers=auth("credit")
    )
    assert r.status_code == 403
    assert ledger_state(bank) == before


def test_loss_then_replacement_gives_a_new_pan_on_the_same_account(app_client, auth, bank, teller):
    acc = new_account(bank, teller)
    old = issue(app_client, auth, acc.number)
    app_client.post(f"/api/v1/cards/{old['card_id']}/activate", headers=auth("teller"))

    # an active card is not replaced as lost before it is reported lost
    r = app_client.post(
        f"/api/v1/cards/{old['card_id']}/replace", json={"pin": "604917"}, headers=auth("teller")
    )
    assert r.status_code == 409 and r.json()["code"] == "CARD_STATE_INVALID"

    r = app_client.post(f"/api/v1/cards/{old['card_id']}/loss", headers=auth("teller"))
    assert r.status_code == 200 and r.json()["status"] == "lost"
    assert check(bank, old["pan"], "583920") == "41"
    assert bank.run(cards.owner_of_pan, old["pan"], readonly=True) is None

    r = app_client.post(
        f"/api/v1/cards/{old['card_id']}/replace", json={"pin": "604917"}, headers=auth("teller")
    )
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["pan"] != old["pan"] and new["account_number"] == acc.number and new["status"] == "issued"
    read_old = app_client.get(f"/api/v1/cards/{old['card_id']}", headers=auth("teller")).json()
    assert read_old["status"] == "replaced" and read_old["replaced_by"] == new["card_id"]
    assert check(bank, old["pan"], "583920") == "57"
    app_client.post(f"/api/v1/cards/{new['card_id']}/activate", headers=auth("teller"))
    assert check(bank, new["pan"], "604917") == "00"

    # a damaged card is handed in and replaced without a loss report
    r = app_client.post(
        f"/api/v1/cards/{new['card_id']}/replace",
        json={"reason": "damaged", "pin": "604918"},
        headers=auth("teller"),
    )
    assert r.status_code == 201
    r = app_client.post(f"/api/v1/cards/{r.json()['card_id']}/close", headers=auth("teller"))
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_customer_activates_changes_pin_and_reports_loss_on_own_card(app_client, auth, bank, teller):
    cust = new_customer(bank, teller)
    acc = new_account(bank, teller, cust.number)
    got = issue(app_client, auth, acc.number)
    me = customer_session(bank, cust.number).headers
    cid, pan = got["card_id"], got["pan"]

    mine = app_client.get("/api/v1/me/cards", headers=me).json()
    assert [c["id"] for c in mine] == [cid] and mine[0]["pan_masked"] == got["pan_masked"]
    assert pan not in app_client.get(f"/api/v1/me/cards/{cid}", headers=me).text

    r = app_client.post(f"/api/v1/me/cards/{cid}/activate", headers=me)
    assert r.status_code == 200 and r.json()["status"] == "active"

    # a wrong old PIN is refused and counted (committed although the request failed)
    r = app_client.post(
        f"/api/v1/me/cards/{cid}/pin", json={"old_pin": "111390", "new_pin": "470295"}, headers=me
    )
    assert r.status_code == 422 and r.json()["code"] == "PIN_WRONG"
    assert card_row(bank, cid).pin_tries == 1
    r = app_client.post(
        f"/api/v1/me/cards/{cid}/pin", json={"old_pin": "583920", "new_pin": "111111"}, headers=me
    )
    assert r.status_code == 422 and r.json()["code"] == "PIN_TOO_WEAK"
    r = app_client.post(
        f"/api/v1/me/cards/{cid}/pin", json={"old_pin": "583920", "new_pin": "470295"}, headers=me
    )
    assert r.status_code == 200, r.text
    assert check(bank, pan, "583920") == "55"
    assert check(bank, pan, "470295") == "00"

    r = app_client.post(f"/api/v1/me/cards/{cid}/loss", headers=me)
    assert r.status_code == 200 and r.json()["status"] == "lost"
    assert check(bank, pan, "470295") == "41"


def test_wrong_old_pins_lock_the_card_for_the_day(app_client, auth, bank, teller):
    cust = new_customer(bank, teller)
    got = issue(app_client, auth, new_account(bank, teller, cust.number).number)
    me = customer_session(bank, cust.number).headers
    cid = got["card_id"]
    app_client.post(f"/api/v1/me/cards/{cid}/activate", headers=me)
    codes = [
        app_client.post(
            f"/api/v1/me/cards/{cid}/pin", json={"old_pin": "111390", "new_pin": "470295"}, headers=me
        ).json()["code"]
        for _ in range(4)
    ]
    assert codes == ["PIN_WRONG", "PIN_WRONG", "PIN_LOCKED", "PIN_LOCKED"]
    r = app_client.post(
        f"/api/v1/me/cards/{cid}/pin", json={"old_pin": "583920", "new_pin": "470295"}, headers=me
    )
    assert r.json()["code"] == "PIN_LOCKED"
    assert app_client.get(f"/api/v1/me/cards/{cid}", headers=me).json()["pin_locked"] is True
    assert check(bank, got["pan"], "583920") == "75"
    # the counter resets the PIN for the holder: the lock goes with it
    r = app_client.post(f"/api/v1/cards/{cid}/pin-reset", json={"new_pin": "470295"}, headers=auth("teller"))
    assert r.status_code == 200 and r.json()["pin_locked"] is False
    assert check(bank, got["pan"], "470295") == "00"


def test_another_customers_card_is_not_found_and_nothing_changes(app_client, auth, bank, teller):
    owner = new_customer(bank, teller)
    got = issue(app_client, auth, new_account(bank, teller, owner.number).number)
    cid = got["card_id"]
    stranger = new_customer(bank, teller)
    new_account(bank, teller, stranger.number)
    them = customer_session(bank, stranger.number).headers
    before = ledger_state(bank)
    row_before = card_row(bank, cid)
    for method, path, body in [
        ("get", f"/api/v1/me/cards/{cid}", None),
        ("post", f"/api/v1/me/cards/{cid}/activate", None),
        ("post", f"/api/v1/me/cards/{cid}/loss", None),
        ("post", f"/api/v1/me/cards/{cid}/pin", {"old_pin": "111390", "new_pin": "470295"}),
        ("get", "/api/v1/me/cards/999999999", None),
    ]:
        r = app_client.request(method.upper(), path, json=body, headers=them)
        assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND", (path, r.text)
    assert app_client.get("/api/v1/me/cards", headers=them).json() == []
    after = card_row(bank, cid)
    assert (after.status, after.pin_tries, after.pin_hash) == (
        row_before.status,
        row_before.pin_tries,
        row_before.pin_hash,
    )
    assert ledger_state(bank) == before
    # a staff token is not a customer token, and a customer token is not a staff one
    assert app_client.get("/api/v1/me/cards", headers=auth("teller")).status_code == 401
    assert app_client.get(f"/api/v1/cards/{cid}", headers=them).status_code == 401
