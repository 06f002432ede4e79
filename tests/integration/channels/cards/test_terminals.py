"""ATM and POS terminals: registration with a PIN key, cash loaded from the branch vault into an ATM's own GL 1005
account and back, idempotently, with the books balanced."""

from __future__ import annotations

from sqlalchemy import select

from corebank import ledger, tellers
from corebank.channels import terminals
from corebank.ledger.models import JournalEntry, JournalLine
from tests.factories import ledger_state

KEY_HEX = "0123456789ABCDEFFEDCBA987654321089ABCDEF01234567"


def vault_balance(bank, branch: str = "0001") -> int:  # type: ignore[no-untyped-def]
    def read(uow):  # type: ignore[no-untyped-def]
        vid = tellers.vault_account(uow, branch, "CNY")
        return ledger.balances(uow, [vid])[vid].balance

    return int(bank.run(read, readonly=True))


def test_atm_registered_and_loaded_from_the_vault(app_client, auth, bank):
    admin = auth("admin2")
    r = app_client.post(
        "/api/v1/atm/terminals",
        json={
            "terminal_id": "ATM00101",
            "kind": "atm",
            "branch_code": "0001",
            "pin_key": KEY_HEX,
            "location": "Lobby",
        },
        headers=admin,
    )
    assert r.status_code == 201, r.text
    assert r.json()["cash_balance"] == "0.00" and KEY_HEX not in r.text
    info = bank.run(terminals.get_terminal, "ATM00101", readonly=True)
    assert info.kind == "atm" and info.pin_key == bytes.fromhex(KEY_HEX) and info.cash_account_id
    assert KEY_HEX not in repr(info)
    assert bank.run(terminals.get_terminal, "NOSUCH01", readonly=True) is None

    vault_before = vault_balance(bank)
    headers = {**admin, "Idempotency-Key": "atm-load-ATM00101-1"}
    r = app_client.post("/api/v1/atm/terminals/ATM00101/cash", json={"amount": "50000.00"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["cash_balance"] == "50000.00"
    assert vault_balance(bank) == vault_before - 5_000_000

    with bank.uow.session() as s:
        entry = s.execute(
            select(JournalEntry)
            .where(JournalEntry.kind == "atm.cash_load")
            .order_by(JournalEntry.id.desc())
            .limit(1)
        ).scalar_one()
        lines = {
            (ln.gl_code, ln.amount, ln.account_id)
            for ln in s.execute(select(JournalLine).where(JournalLine.entry_id == entry.id)).scalars()
        }
    vault_id = bank.run(lambda uow: tellers.vault_account(uow, "0001", "CNY"), readonly=True)
    assert lines == {("1005", 5_000_000, info.cash_account_id), ("1001", -5_000_000, vault_id)}

    # the same request again posts nothing and gives the same answer
    before = ledger_state(bank)
    again = app_client.post(
        "/api/v1/atm/terminals/ATM00101/cash", json={"amount": "50000.00"}, headers=headers
    )
    assert again.json() == r.json()
    assert ledger_state(bank) == before
    # the same key for another amount is refused
    r = app_client.post("/api/v1/atm/terminals/ATM00101/cash", json={"amount": "1.00"}, headers=headers)
    assert r.status_code == 409 and r.json()["code"] == "IDEMPOTENCY_KEY_REUSED"

    r = app_client.post(
        "/api/v1/atm/terminals/ATM00101/cash",
        json={"amount": "20000.00", "direction": "unload"},
        headers={**admin, "Idempotency-Key": "atm-unload-ATM00101-1"},
    )
    assert r.status_code == 200 and r.json()["cash_balance"] == "30000.00"
    assert vault_balance(bank) == vault_before - 3_000_000
    got = app_client.get("/api/v1/atm/terminals/ATM00101", headers=auth("teller")).json()
    assert got["cash_balance"] == "30000.00"
    listed = app_client.get("/api/v1/atm/terminals", headers=auth("teller")).json()
    assert "ATM00101" in [t["terminal_id"] for t in listed]
    assert bank.run(lambda uow: ledger.trial_balance(uow).balanced, readonly=True)


def test_pos_terminal_holds_no_cash(app_client, auth, bank):
    admin = auth("admin2")
    r = app_client.post(
        "/api/v1/atm/terminals",
        json={
            "terminal_id": "POS00101",
            "kind": "pos",
            "pin_key": KEY_HEX[:32],
            "merchant_name": "Tea House",
        },
        headers=admin,
    )
    assert r.status_code == 201 and r.json()["cash_balance"] is None
    info = bank.run(terminals.get_terminal, "POS00101", readonly=True)
    assert info.cash_account_id is None and len(info.pin_key) == 16
    before = ledger_state(bank)
    r = app_client.post(
        "/api/v1/atm/terminals/POS00101/cash",
        json={"amount": "100.00"},
        headers={**admin, "Idempotency-Key": "pos-load-1"},
    )
    assert r.status_code == 422 and r.json()["code"] == "TERMINAL_NOT_ATM"
    assert ledger_state(bank) == before


def test_bad_terminal_requests_change_nothing(app_client, auth, bank):
    admin = auth("admin2")
    auth("teller")
    auth("east_teller")
    before = ledger_state(bank)
    for body, status, code in [
        ({"terminal_id": "ATM00199", "pin_key": "00112233"}, 422, "TERMINAL_KEY_INVALID"),
        ({"terminal_id": "ATM00199", "pin_key": "Z" * 32}, 422, "TERMINAL_KEY_INVALID"),
        ({"terminal_id": "ATM00199", "pin_key": "0123456789ABCDEF" * 2}, 422, "TERMINAL_KEY_INVALID"),
        ({"terminal_id": "ATM00101", "pin_key": KEY_HEX}, 409, "TERMINAL_EXISTS"),
        ({"terminal_id": "ATM00199", "pin_key": KEY_HEX, "branch_code": "9999"}, 422, "INVALID_REQUEST"),
    ]:
        r = app_client.post("/api/v1/atm/terminals", json=body, headers=admin)
        assert (r.status_code, r.json()["code"]) == (status, code), r.text
        assert body["pin_key"] not in r.text
    # a teller may not register terminals
    r = app_client.post(
        "/api/v1/atm/terminals", json={"terminal_id": "ATM00198", "pin_key": KEY_HEX}, headers=auth("teller")
    )
    assert r.status_code == 403
    # cash movements: no key, a bad amount, an unknown ATM, another branch's ATM
    cash = "/api/v1/atm/terminals/ATM00101/cash"
    assert (
        app_client.post(cash, json={"amount": "10.00"}, headers=admin).json()["code"]
        == "IDEMPOTENCY_KEY_REQUIRED"
    )
    r = app_client.post(cash, json={"amount": "-5.00"}, headers={**admin, "Idempotency-Key": "bad-1"})
    assert r.json()["code"] == "INVALID_AMOUNT"
    r = app_client.post(
        "/api/v1/atm/terminals/NOSUCH01/cash",
        json={"amount": "5.00"},
        headers={**admin, "Idempotency-Key": "bad-2"},
    )
    assert r.status_code == 404 and r.json()["code"] == "TERMINAL_NOT_FOUND"
    r = app_client.post(
        cash, json={"amount": "5.00"}, headers={**auth("east_teller"), "Idempotency-Key": "bad-3"}
    )
    assert r.status_code == 403
    assert ledger_state(bank) == before
