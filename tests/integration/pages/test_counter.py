"""The teller counter's pages: the till, cash deposits and withdrawals, transfers and their vouchers."""

from __future__ import annotations

import io
import re
import uuid
from decimal import Decimal

from pypdf import PdfReader

from corebank import accounts
from corebank.web.pages.voucher import capital_amount
from tests.factories import funded_account, ledger_state, new_account

SERIAL = re.compile(r'id="voucher-serial">([^<]+)<')


def _balance(bank, actor, number: str) -> str:  # type: ignore[no-untyped-def]
    return bank.run(accounts.get_account, actor, number, readonly=True).balance


def _key() -> str:
    return uuid.uuid4().hex


def test_capital_amounts_read_as_on_a_cheque() -> None:
    cases = {
        "0": "零元整",
        "0.05": "伍分",
        "0.50": "伍角",
        "1.05": "壹元零伍分",
        "10": "壹拾元整",
        "100": "壹佰元整",
        "1005": "壹仟零伍元整",
        "1234.56": "壹仟贰佰叁拾肆元伍角陆分",
        "100000": "壹拾万元整",
        "107000.53": "壹拾万柒仟元伍角叁分",
        "1001000": "壹佰万壹仟元整",
        "100100": "壹拾万零壹佰元整",
        "100000001": "壹亿零壹元整",
        "60000.00": "陆万元整",
    }
    for figure, words in cases.items():
        assert capital_amount(Decimal(figure)) == words, figure


def test_a_teller_deposits_cash_and_lands_on_the_voucher(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = funded_account(bank, teller, "100.00")
    b = console("teller")
    form = b.get("/console/cash/deposit")
    assert form.status_code == 200 and "autofocus" in form.text and 'name="idempotency_key"' in form.text
    r = b.post(
        "/console/cash/deposit",
        {"account": acc.number, "amount": "250.50", "memo": "salary", "idempotency_key": _key()},
    )
    assert r.status_code == 200 and r.url.path.startswith("/console/vouchers/")
    serial = SERIAL.search(r.text).group(1)  # type: ignore[union-attr]
    assert serial.startswith("0001-")
    assert "贰佰伍拾元伍角" in r.text and "350.50" in r.text and "teller" in r.text
    assert _balance(bank, teller, acc.number) == "350.50"
    pdf = b.get(f"/console/vouchers/{serial}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert serial in text and "250.50" in text and acc.number in text


def test_a_double_submit_with_the_same_key_posts_once(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = new_account(bank, teller)
    b = console("teller")
    b.get("/console/cash/deposit")
    data = {"account": acc.number, "amount": "80.00", "memo": "", "idempotency_key": _key()}
    first = b.post("/console/cash/deposit", data)
    second = b.post("/console/cash/deposit", data)
    assert first.url.path == second.url.path
    assert _balance(bank, teller, acc.number) == "80.00"


def test_bad_input_shows_the_code_keeps_the_input_and_changes_nothing(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = funded_account(bank, teller, "10.00")
    b = console("teller")
    b.get("/console/cash/withdraw")
    before = ledger_state(bank)
    r = b.post(
        "/console/cash/withdraw",
        {"account": acc.number, "amount": "20.00", "memo": "too much", "idempotency_key": _key()},
    )
    assert r.status_code == 422 and "INSUFFICIENT_FUNDS" in r.text and "too much" in r.text
    r = b.post("/console/cash/deposit", {"account": acc.number, "amount": "abc", "idempotency_key": _key()})
    assert r.status_code == 422 and "INVALID_REQUEST" in r.text
    r = b.post(
        "/console/cash/deposit", {"account": "6200000000000", "amount": "1.00", "idempotency_key": _key()}
    )
    assert r.status_code == 404 and "ACCOUNT_NOT_FOUND" in r.text
    assert ledger_state(bank) == before
    assert _balance(bank, teller, acc.number) == "10.00"


def test_an_auditor_cannot_post_a_deposit(console, bank, staff) -> None:
    acc = funded_account(bank, staff["teller"].actor, "10.00")
    b = console("auditor")
    assert b.get("/console/cash/deposit").status_code == 403
    before = ledger_state(bank)
    r = b.post("/console/cash/deposit", {"account": acc.number, "amount": "5.00", "idempotency_key": _key()})
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text
    assert ledger_state(bank) == before
    assert "/console/cash/deposit" not in b.get("/console").text


def test_a_teller_opens_balances_and_closes_a_till_and_sees_the_difference(console, bank, staff) -> None:
    b = console("manager")  # a branch manager works the counter too, and has no till yet today
    page = b.get("/console/till")
    assert page.status_code == 200 and 'action="/console/till/open"' in page.text
    r = b.post("/console/till/open", {"opening_cash": "1000.00"})
    assert r.status_code == 200 and "till-balance" in r.text and "1,000.00" in r.text
    r = b.post("/console/till/open", {"opening_cash": "5.00"})
    assert r.status_code == 409 and "TILL_ALREADY_OPEN" in r.text
    till_id = int(re.search(r'action="/console/till/(\d+)/close"', r.text).group(1))  # type: ignore[union-attr]
    key = _key()
    b.post(f"/console/till/{till_id}/cash", {"direction": "take", "amount": "500.00", "idempotency_key": key})
    r = b.post(
        f"/console/till/{till_id}/cash", {"direction": "take", "amount": "500.00", "idempotency_key": key}
    )
    assert "1,500.00" in r.text  # the same key moved the cash once
    before = ledger_state(bank)
    r = b.post(f"/console/till/{till_id}/close", {"counted": "-3"})
    assert r.status_code == 422 and ledger_state(bank) == before
    r = b.post(f"/console/till/{till_id}/close", {"counted": "1490.00"})
    assert r.status_code == 200 and "till-difference" in r.text and "-10.00" in r.text


def test_the_till_page_is_refused_to_an_auditor(console) -> None:
    b = console("auditor")
    r = b.get("/console/till")
    assert r.status_code == 403 and "PERMISSION_DENIED" in r.text


def test_a_transfer_at_the_counter_ends_on_its_voucher(console, bank, staff) -> None:
    teller = staff["teller"].actor
    payer = funded_account(bank, teller, "500.00")
    payee = new_account(bank, teller)
    b = console("teller")
    b.get("/console/transfer")
    data = {
        "from_account": payer.number,
        "to_account": payee.number,
        "amount": "120.00",
        "memo": "rent",
        "idempotency_key": _key(),
    }
    r = b.post("/console/transfer", data)
    assert r.status_code == 200 and r.url.path.startswith("/console/vouchers/")
    assert payer.number in r.text and payee.number in r.text and "壹佰贰拾元整" in r.text
    b.post("/console/transfer", data)
    assert _balance(bank, teller, payer.number) == "380.00"
    assert _balance(bank, teller, payee.number) == "120.00"
    before = ledger_state(bank)
    r = b.post("/console/transfer", {**data, "to_account": payer.number, "idempotency_key": _key()})
    assert r.status_code in (409, 422) and "SAME_ACCOUNT" in r.text
    assert ledger_state(bank) == before


def test_another_branch_cannot_read_a_voucher(console, bank, staff) -> None:
    acc = new_account(bank, staff["teller"].actor)
    b = console("teller")
    b.get("/console/cash/deposit")
    r = b.post("/console/cash/deposit", {"account": acc.number, "amount": "1.00", "idempotency_key": _key()})
    serial = SERIAL.search(r.text).group(1)  # type: ignore[union-attr]
    east = console("east_teller")
    assert east.get(f"/console/vouchers/{serial}").status_code == 403
    assert east.get(f"/console/vouchers/{serial}.pdf").status_code == 403
    assert b.get("/console/vouchers/0001-20000101-999999").status_code == 404
