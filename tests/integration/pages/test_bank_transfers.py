"""Internet banking transfers: the quote, the signing code over the threshold, the result with its reference,
once per idempotency key; refusals that change nothing; payees."""

from __future__ import annotations

import re

from corebank.bootstrap import Bank
from tests.factories import ledger_state
from tests.integration.channels.identity.support import last_code, wrong
from tests.integration.pages.test_bank_support import BankCustomer, customer

__all__ = ["customer"]
OTHER_BANK = "102100099996"
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
CHALLENGE = re.compile(r'name="challenge_id" value="(\d+)"')


def _balance(bank: Bank, c: BankCustomer, number: str | None = None) -> str:
    from corebank.channels import me

    accounts = {a.number: a for a in bank.run(me.my_accounts, _actor(bank, c), readonly=True)}
    return accounts[number or c.account].balance


def _actor(bank: Bank, c: BankCustomer):  # type: ignore[no-untyped-def]
    from corebank.channels import principal, tokens
    from tests.factories.channels import customer_session

    s = customer_session(bank, c.person.number)
    return bank.run(principal.authenticate, tokens.read(bank.settings.jwt_secret, s.token), readonly=True)


def _hidden(text: str) -> dict[str, str]:
    """The hidden fields of the confirmation form, as the browser would send them."""
    form = text.split('action="/bank/transfers/confirm"')[1].split("</form>")[0]
    fields = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields.pop("csrf", None)  # the browser client adds the page's token itself
    return fields


def test_a_small_transfer_within_the_bank_is_quoted_confirmed_and_posted_once(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    payer, payee = customer(balance="1000.00"), customer(balance="")
    b = payer.browser
    assert b.get("/bank/transfers").status_code == 200
    r = b.post(
        "/bank/transfers/quote",
        {"from_account": payer.account, "to_account": payee.account, "amount": "120.50", "memo": "lunch"},
    )
    assert r.status_code == 200 and "120.50" in r.text and 'name="code"' not in r.text
    form = _hidden(r.text)
    assert form["idempotency_key"]
    done = b.post("/bank/transfers/confirm", form)
    assert done.status_code == 200 and re.search(r"T\d+", done.text), done.text[:2000]
    again = b.post("/bank/transfers/confirm", form)  # a double submit
    assert again.status_code == 200
    ref = re.search(r'transfer-ref">(T\d+)<', done.text)
    assert ref and ref.group(1) in again.text
    assert _balance(bank, payer) == "879.50"
    assert _balance(bank, payee) == "120.50"


def test_a_transfer_over_the_threshold_needs_the_sms_code_and_a_wrong_one_changes_nothing(
    customer, bank: Bank
) -> None:  # type: ignore[no-untyped-def]
    payer, payee = customer(balance="20000.00"), customer(balance="")
    b = payer.browser
    r = b.post(
        "/bank/transfers/quote",
        {"from_account": payer.account, "to_account": payee.account, "amount": "6000.00"},
    )
    assert r.status_code == 200 and 'name="code"' in r.text and CHALLENGE.search(r.text)
    code = last_code(bank, payer.phone)
    form = _hidden(r.text)
    before = ledger_state(bank)
    r = b.post("/bank/transfers/confirm", {**form, "code": wrong(code)})
    assert r.status_code == 401 and "SIGNING_CODE_INVALID" in r.text
    after = ledger_state(bank)
    assert (after["entries"], after["balances"]) == (before["entries"], before["balances"])
    assert b.get("/bank").url.path == "/bank"  # still signed in: a wrong code is no logout
    r = b.post("/bank/transfers/confirm", {**form, "code": code})
    assert r.status_code == 200 and "T" in r.text and "6,000.00" in r.text, r.text[:2000]
    assert _balance(bank, payer) == "14000.00"


def test_a_changed_amount_voids_the_code(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    payer, payee = customer(balance="20000.00"), customer(balance="")
    b = payer.browser
    r = b.post(
        "/bank/transfers/quote",
        {"from_account": payer.account, "to_account": payee.account, "amount": "6000.00"},
    )
    form = _hidden(r.text)
    before = ledger_state(bank)
    r = b.post("/bank/transfers/confirm", {**form, "amount": "9000.00", "code": last_code(bank, payer.phone)})
    assert r.status_code == 401 and "SIGNING_CODE_INVALID" in r.text
    after = ledger_state(bank)
    assert (after["entries"], after["balances"]) == (before["entries"], before["balances"])


def test_bad_input_is_refused_with_its_code_and_changes_nothing(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    payer, other = customer(balance="1000.00"), customer(balance="1000.00")
    b = payer.browser
    before = ledger_state(bank)
    r = b.post(
        "/bank/transfers/quote", {"from_account": payer.account, "to_account": other.account, "amount": "-5"}
    )
    assert r.status_code == 422 and "INVALID_AMOUNT" in r.text
    r = b.post(
        "/bank/transfers/quote", {"from_account": payer.account, "to_account": other.account, "amount": "abc"}
    )
    assert r.status_code == 422 and "INVALID_AMOUNT" in r.text
    r = b.post("/bank/transfers/quote", {"from_account": payer.account, "amount": "5.00"})
    assert r.status_code == 422 and "TRANSFER_TARGET_INVALID" in r.text
    # Someone else's account as the payer: not found, like an account that does not exist.
    r = b.post(
        "/bank/transfers/confirm",
        {
            "from_account": other.account,
            "to_account": payer.account,
            "amount": "5.00",
            "idempotency_key": "k-x1",
        },
    )
    assert r.status_code == 404 and "NOT_FOUND" in r.text
    r = b.post(
        "/bank/transfers/confirm",
        {
            "from_account": payer.account,
            "to_account": other.account,
            "amount": "5000000.00",
            "idempotency_key": "k-x2",
        },
    )
    assert r.status_code in (422, 428) and ("LIMIT_EXCEEDED" in r.text or "SIGNING_REQUIRED" in r.text)
    assert ledger_state(bank) == before


def test_a_confirmation_without_the_csrf_token_is_refused_and_changes_nothing(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    payer, payee = customer(balance="1000.00"), customer(balance="")
    b = payer.browser
    r = b.post(
        "/bank/transfers/quote",
        {"from_account": payer.account, "to_account": payee.account, "amount": "10.00"},
    )
    form = _hidden(r.text)
    before = ledger_state(bank)
    r = b.post("/bank/transfers/confirm", form, csrf=False)
    assert r.status_code == 403 and "CSRF_FAILED" in r.text
    assert ledger_state(bank) == before


def test_a_transfer_to_another_bank_needs_the_payees_name(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    payer = customer(balance="1000.00")
    b = payer.browser
    ask = {
        "from_account": payer.account,
        "to_account": "6222020200012345",
        "bank_code": OTHER_BANK,
        "amount": "50.00",
    }
    r = b.post("/bank/transfers/quote", ask)
    assert r.status_code == 200
    before = ledger_state(bank)
    r = b.post("/bank/transfers/confirm", _hidden(r.text))
    assert r.status_code == 422 and "CREDITOR_NAME_REQUIRED" in r.text
    assert ledger_state(bank) == before
    r = b.post("/bank/transfers/quote", {**ask, "creditor_name": "Wang Fang"})
    r = b.post("/bank/transfers/confirm", _hidden(r.text))
    assert r.status_code == 200 and "Wang Fang" in r.text and "6222020200012345" in r.text
    assert _balance(bank, payer) == "950.00"


def test_payees_are_added_used_and_removed(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    payer, payee = customer(balance="1000.00"), customer(balance="")
    b = payer.browser
    holder = bank.run(
        lambda uow: (
            __import__("corebank").accounts.load_for_posting(uow, [payee.account])[payee.account].name
        ),
        readonly=True,
    )
    before = ledger_state(bank)
    r = b.post("/bank/payees", {"name": "Somebody Else", "account_number": payee.account})
    assert r.status_code == 422 and "PAYEE_ACCOUNT_MISMATCH" in r.text
    assert ledger_state(bank)["audit"] == before["audit"]
    r = b.post("/bank/payees", {"name": holder, "account_number": payee.account, "nickname": "My friend"})
    assert r.status_code == 200 and "My friend" in r.text
    payee_id = re.search(r"/bank/payees/(\d+)/delete", r.text).group(1)  # type: ignore[union-attr]
    r = b.post("/bank/payees", {"name": holder, "account_number": payee.account})
    assert r.status_code == 409 and "PAYEE_EXISTS" in r.text
    r = b.post(
        "/bank/transfers/quote", {"from_account": payer.account, "payee_id": payee_id, "amount": "30.00"}
    )
    r = b.post("/bank/transfers/confirm", _hidden(r.text))
    assert r.status_code == 200 and "30.00" in r.text
    assert _balance(bank, payee) == "30.00"
    # Another customer cannot remove it.
    stranger = customer(balance="")
    r = stranger.browser.post(f"/bank/payees/{payee_id}/delete", {})
    assert r.status_code == 404 and "NOT_FOUND" in r.text
    r = b.post(f"/bank/payees/{payee_id}/delete", {})
    assert r.status_code == 200 and "My friend" not in r.text.split("<h1>")[1]


def test_a_new_code_can_be_sent_for_the_same_transfer_and_only_the_new_one_is_needed(
    customer, bank: Bank
) -> None:  # type: ignore[no-untyped-def]
    payer, payee = customer(balance="20000.00"), customer(balance="")
    b = payer.browser
    ask = {"from_account": payer.account, "to_account": payee.account, "amount": "7000.00"}
    first = b.post("/bank/transfers/quote", ask)
    form = _hidden(first.text)
    again = b.post("/bank/transfers/code", form)
    assert again.status_code == 200
    renewed = _hidden(again.text)
    assert renewed["challenge_id"] != form["challenge_id"]
    assert renewed["idempotency_key"] == form["idempotency_key"]  # still the same transfer
    r = b.post("/bank/transfers/confirm", {**renewed, "code": last_code(bank, payer.phone)})
    assert r.status_code == 200 and "7,000.00" in r.text, r.text[:1500]
    assert _balance(bank, payer) == "13000.00"
