"""Time and notice deposits opened at the counter, and a loan's repayment page."""

from __future__ import annotations

import uuid

from corebank import accounts
from corebank.deposits import time_deposits
from tests.factories import funded_account, ledger_state
from tests.factories.loans import active_loan


def test_a_time_deposit_opens_from_the_customers_account_once_per_key(console, bank, staff) -> None:
    teller = staff["teller"].actor
    acc = funded_account(bank, teller, "10000.00")
    b = console("teller")
    assert b.get(f"/console/deposits/time?customer={acc.customer_number}").status_code == 200
    data = {
        "customer_number": acc.customer_number,
        "source": "account",
        "from_account": acc.number,
        "amount": "5000.00",
        "term_months": "12",
        "maturity_instruction": "rollover_principal_and_interest",
        "idempotency_key": uuid.uuid4().hex,
    }
    r = b.post("/console/deposits/time", data)
    assert r.status_code == 200 and r.url.path.startswith("/console/vouchers/"), r.text[:500]
    assert "5,000.00" in r.text and acc.number in r.text  # the opening's voucher: from the customer's account
    again = b.post("/console/deposits/time", data)
    assert again.url.path == r.url.path
    assert bank.run(accounts.get_account, teller, acc.number, readonly=True).balance == "5000.00"
    held = bank.run(time_deposits.list_time_deposits, teller, acc.customer_number, readonly=True)
    assert [d.principal for d in held.items] == ["5000.00"]
    before = ledger_state(bank)
    r = b.post("/console/deposits/time", {**data, "term_months": "7", "idempotency_key": uuid.uuid4().hex})
    assert r.status_code >= 400 and "TERM_NOT_OFFERED" in r.text
    assert ledger_state(bank) == before


def test_a_notice_deposit_opens_from_cash(console, bank, staff) -> None:
    acc = funded_account(bank, staff["teller"].actor, "1.00")
    b = console("teller")
    b.get("/console/deposits/notice")
    r = b.post(
        "/console/deposits/notice",
        {
            "customer_number": acc.customer_number,
            "source": "cash",
            "amount": "60000.00",
            "notice_days": "7",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert r.status_code == 200 and r.url.path.startswith("/console/vouchers/"), r.text[:500]
    assert "60,000.00" in r.text


def test_an_auditor_cannot_open_deposits(console) -> None:
    b = console("auditor")
    assert b.get("/console/deposits/time").status_code == 403
    assert b.post("/console/deposits/notice", {"amount": "1.00"}).status_code == 403


def test_the_loan_repayment_page_shows_what_is_due_and_refuses_too_much(console, bank, staff) -> None:
    loan = active_loan(bank, staff["teller"].actor, staff["credit"].actor, staff["approver"].actor)
    b = console("teller")
    page = b.get(f"/console/loans/{loan.loan_number}/repay")
    assert page.status_code == 200 and loan.loan_number in page.text
    before = ledger_state(bank)
    r = b.post(
        f"/console/loans/{loan.loan_number}/repay",
        {
            "amount": "999999.00",
            "source": "account",
            "from_account": loan.account_number,
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert r.status_code >= 400 and ("REPAYMENT_EXCEEDS_DUE" in r.text or "NOTHING_DUE" in r.text)
    assert ledger_state(bank) == before
    assert console("auditor").get(f"/console/loans/{loan.loan_number}/repay").status_code == 403


def test_a_certificate_is_reported_lost_and_released_with_the_holders_id(console, bank, staff) -> None:
    from corebank.deposits.time_schemas import TimeDepositOpen
    from tests.factories import new_customer, resident_id

    teller = staff["teller"].actor
    id_number = resident_id()
    c = new_customer(bank, teller, id_number=id_number)
    td = bank.run(
        time_deposits.open_time_deposit,
        teller,
        TimeDepositOpen(customer_number=c.number, cash=True, term_months=12, amount="1000.00"),
        uuid.uuid4().hex,
    )
    b = console("teller")
    page = b.get(f"/console/customers/{c.number}")
    assert td.certificate_number in page.text
    r = b.post(f"/console/customers/{c.number}/time-deposits/{td.certificate_number}/loss", {"kind": "oral"})
    assert r.status_code == 200
    assert bank.run(time_deposits.get_time_deposit, teller, td.certificate_number, readonly=True).loss_report
    r = b.post(
        f"/console/customers/{c.number}/time-deposits/{td.certificate_number}/release",
        {"id_number": "1" * 18},
    )
    assert "alert error" in r.text
    assert bank.run(time_deposits.get_time_deposit, teller, td.certificate_number, readonly=True).loss_report
    r = b.post(
        f"/console/customers/{c.number}/time-deposits/{td.certificate_number}/release",
        {"id_number": id_number},
    )
    assert r.status_code == 200
    assert not bank.run(
        time_deposits.get_time_deposit, teller, td.certificate_number, readonly=True
    ).loss_report


def test_a_loan_repayment_posts_once_per_key_and_ends_on_its_voucher(console, bank, staff) -> None:
    from corebank.loans import servicing

    loan = active_loan(bank, staff["teller"].actor, staff["credit"].actor, staff["approver"].actor)
    officer = staff["credit"].actor
    before = bank.run(servicing.get_loan, officer, loan.loan_number, readonly=True)
    b = console("teller")
    key = uuid.uuid4().hex
    form = {
        "amount": "500.00",
        "source": "account",
        "from_account": loan.account_number,
        "idempotency_key": key,
    }
    r = b.post(f"/console/loans/{loan.loan_number}/repay", form)
    assert r.status_code == 200 and r.url.path.startswith("/console/vouchers/"), r.text[:500]
    assert "500.00" in r.text
    again = b.post(f"/console/loans/{loan.loan_number}/repay", form)  # a double submit: the same answer
    assert again.url.path == r.url.path
    repayments = bank.run(servicing.repayments_of, officer, loan.loan_number, readonly=True)
    assert len(repayments) == 1
    after = bank.run(servicing.get_loan, officer, loan.loan_number, readonly=True)
    assert after.outstanding_principal != before.outstanding_principal
