"""Internet banking products: time deposits, loan applications and my loans, bill payments (signed over the
threshold), my limits and my cards — each through the same use cases as the customer API, refusals changing
nothing, and nothing of another customer's to be seen or touched."""

from __future__ import annotations

import re

from corebank.bootstrap import Bank
from corebank.channels import cards
from corebank.channels.card_schemas import CardIssue
from corebank.kernel.ids import with_luhn
from tests.factories import ledger_state
from tests.integration.channels.identity.support import last_code
from tests.integration.pages.test_bank_support import customer
from tests.integration.pages.test_bank_transfers import _balance
from tests.integration.payments.mandate_support import biller

__all__ = ["customer"]
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def test_buy_a_time_deposit_once_and_withdraw_it_early(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="30000.00")
    b = c.browser
    page = b.get("/bank/deposits")
    key = KEY.search(page.text).group(1)  # type: ignore[union-attr]
    buy = {"from_account": c.account, "term_months": "12", "amount": "20000.00", "idempotency_key": key}
    r = b.post("/bank/deposits", buy)
    assert r.status_code == 200 and "20,000.00" in r.text
    b.post("/bank/deposits", buy)  # a double submit
    assert _balance(bank, c) == "10000.00"
    cert = re.search(r"/bank/deposits/([^/]+)/withdraw", r.text).group(1)  # type: ignore[union-attr]
    r = b.post(f"/bank/deposits/{cert}/withdraw", {"to_account": c.account, "idempotency_key": "w-" + key})
    assert r.status_code == 200, r.text[:1500]
    assert _balance(bank, c) == "30000.00"


def test_a_time_deposit_for_a_term_not_offered_is_refused_and_changes_nothing(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="30000.00")
    before = ledger_state(bank)
    r = c.browser.post(
        "/bank/deposits",
        {"from_account": c.account, "term_months": "7", "amount": "1000.00", "idempotency_key": "td-7"},
    )
    assert r.status_code == 422 and "TERM_NOT_OFFERED" in r.text
    r = c.browser.post(
        "/bank/deposits",
        {"from_account": c.account, "term_months": "12", "amount": "1,000", "idempotency_key": "td-8"},
    )
    assert r.status_code == 422 and "INVALID_AMOUNT" in r.text
    assert ledger_state(bank) == before


def test_apply_for_a_loan_and_see_the_application(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="100.00")
    apply = {
        "amount": "30000.00",
        "term_months": "24",
        "method": "equal_installment",
        "purpose": "a used car",
        "monthly_income": "15000.00",
        "monthly_debt_payments": "0.00",
        "employment": "private_enterprise",
        "employment_years": "5",
        "repay_account": c.account,
    }
    r = c.browser.post("/bank/loans", apply)
    assert r.status_code == 200 and "30,000.00" in r.text
    r = c.browser.post("/bank/loans", {**apply, "amount": "999999999.00"})
    assert r.status_code == 422 and "AMOUNT_OUT_OF_RANGE" in r.text
    r = c.browser.get("/bank/loans/L-NOT-MINE")
    assert r.status_code == 404 and "NOT_FOUND" in r.text


def test_pay_a_bill_and_sign_one_over_the_threshold(customer, bank: Bank, staff) -> None:  # type: ignore[no-untyped-def]
    power, _settlement = biller(bank, staff["accountant"].actor, staff["teller"].actor, max_amount=None)
    c = customer(balance="20000.00")
    b = c.browser
    page = b.get("/bank/bills")
    assert power.code in page.text
    ref = with_luhn("400100200")
    pay = {"from_account": c.account, "biller_code": power.code, "reference": ref, "amount": "86.40"}
    r = b.post("/bank/bills", {**pay, "idempotency_key": "bill-1"})
    assert r.status_code == 200 and "19,913.60" in r.text, r.text[:1500]
    before = ledger_state(bank)
    r = b.post("/bank/bills", {**pay, "reference": "1"})
    assert r.status_code == 422 and "BILLER_REFERENCE_INVALID" in r.text
    assert ledger_state(bank) == before
    r = b.post("/bank/bills", {**pay, "amount": "6000.00", "idempotency_key": "bill-2"})
    assert r.status_code == 200 and 'name="challenge_id"' in r.text
    challenge = re.search(r'name="challenge_id" value="(\d+)"', r.text).group(1)  # type: ignore[union-attr]
    r = b.post(
        "/bank/bills",
        {
            **pay,
            "amount": "6000.00",
            "idempotency_key": "bill-2",
            "challenge_id": challenge,
            "code": last_code(bank, c.phone),
        },
    )
    assert r.status_code == 200 and "13,913.60" in r.text, r.text[:1500]


def test_lower_my_own_limit_and_a_limit_above_the_banks_is_refused(customer) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="")
    b = c.browser
    page = b.get("/bank/limits")
    assert page.status_code == 200 and "/bank/limits/transfer" in page.text
    r = b.post("/bank/limits/transfer", {"single": "1000.00", "daily": "2000.00"})
    assert r.status_code == 200 and "1,000.00" in r.text
    r = b.post("/bank/limits/transfer", {"single": "999999999.00"})
    assert r.status_code == 422 and "LIMIT_ABOVE_BANK" in r.text


def test_report_my_card_lost_and_change_its_pin(customer, bank: Bank, staff) -> None:  # type: ignore[no-untyped-def]
    c = customer(balance="")
    issued = bank.run(
        cards.issue_card, staff["teller"].actor, CardIssue(account_number=c.account, pin="480915")
    )
    b = c.browser
    r = b.post(f"/bank/cards/{issued.card_id}/activate", {})
    assert r.status_code == 200 and "/pin" in r.text
    r = b.post(
        f"/bank/cards/{issued.card_id}/pin", {"old_pin": "000000", "new_pin": "592731", "new_pin2": "592731"}
    )
    assert r.status_code in (401, 403, 422) and "PIN" in r.text
    r = b.post(
        f"/bank/cards/{issued.card_id}/pin", {"old_pin": "480915", "new_pin": "592731", "new_pin2": "592731"}
    )
    assert r.status_code == 200 and "alert ok" in r.text
    stranger = customer(balance="")
    r = stranger.browser.post(f"/bank/cards/{issued.card_id}/lost", {})
    assert r.status_code == 404 and "NOT_FOUND" in r.text
    r = b.post(f"/bank/cards/{issued.card_id}/lost", {})
    assert r.status_code == 200 and "/lost" not in r.text


def test_notification_settings_and_a_password_change_that_ends_the_session(customer, bank: Bank) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.channels.identity.support import PASSWORD
    from tests.integration.pages.test_bank_support import sign_in

    c = customer(balance="")
    b = c.browser
    r = b.post(
        "/bank/settings/notifications", {"sms_on_debit_over": "500.00", "sms_on_login": "1", "language": "en"}
    )
    assert r.status_code == 200 and 'value="500.00"' in r.text
    r = b.post("/bank/settings/notifications", {"sms_on_debit_over": "-1", "language": "en"})
    assert r.status_code == 422 and "INVALID_AMOUNT" in r.text
    r = b.post(
        "/bank/settings/password",
        {"old_password": "Wrong-pass-77", "new_password": "New-pass-2027", "new_password2": "New-pass-2027"},
    )
    assert r.status_code == 403 and "PASSWORD_WRONG" in r.text
    r = b.post(
        "/bank/settings/password",
        {"old_password": PASSWORD, "new_password": "New-pass-2027", "new_password2": "New-pass-2027"},
    )
    assert r.url.path == "/bank/login"
    assert b.get("/bank").url.path == "/bank/login"
    r = sign_in(bank, b, c.person, password="New-pass-2027")
    assert r.url.path == "/bank"


def test_my_loan_shows_its_repayment_schedule_to_me_only(customer, bank: Bank, staff, pages) -> None:  # type: ignore[no-untyped-def]
    from tests.factories.channels import customer_session
    from tests.factories.loans import active_loan
    from tests.integration.channels.identity.support import Person
    from tests.integration.pages.test_bank_support import sign_in

    made = active_loan(
        bank, staff["teller"].actor, staff["credit"].actor, staff["approver"].actor, term_months=12
    )
    phone = "13912340077"
    session = customer_session(bank, made.customer_number, phone=phone)
    borrower = Person(made.customer_number, "", phone, made.account_number, session.login_name)
    b = pages()
    # customer_session's login carries the factory's fixed password.
    assert sign_in(bank, b, borrower, password="not-used-by-these-tests-1").url.path == "/bank"
    r = b.get("/bank/loans")
    assert made.loan_number in r.text
    r = b.get(f"/bank/loans/{made.loan_number}")
    assert r.status_code == 200 and r.text.count("<tr>") >= 13  # the header and twelve installments
    stranger = customer(balance="")
    r = stranger.browser.get(f"/bank/loans/{made.loan_number}")
    assert r.status_code == 404 and "NOT_FOUND" in r.text
