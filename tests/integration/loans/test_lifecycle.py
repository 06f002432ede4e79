"""A loan through the use cases on the shared bank (the date does not move here): application, scoring,
approval with maker-checker and authority, contract, disbursement with its schedule, repayment at the counter,
partial and full prepayment, and every refusal of the issue changing nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from corebank import accounts, ledger, loans
from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError
from corebank.ledger import chart
from corebank.loans import applications, engine, rules, servicing
from corebank.loans.models import Loan, LoanApplication
from corebank.loans.schemas import (
    ApprovalTerms,
    Disbursement,
    PrepaymentRequest,
    Rejection,
    RepaymentRequest,
)
from tests.factories import Staff, funded_account, ledger_state, new_account
from tests.factories.loans import MadeLoan, active_loan, application


def key() -> str:
    return f"loan-{uuid.uuid4().hex}"


def refused(code: str, bank: Bank, fn: Any, *args: Any) -> None:
    """`fn` is refused with `code`, and the books, audit trail and idempotency records are unchanged."""
    before = ledger_state(bank)
    apps_before = bank.run(lambda uow: uow.session.execute(select(func.count()).select_from(Loan)).scalar())
    with pytest.raises(CoreBankError) as err:
        bank.run(fn, *args)
    assert err.value.code == code, err.value
    assert ledger_state(bank) == before
    assert (
        bank.run(lambda uow: uow.session.execute(select(func.count()).select_from(Loan)).scalar())
        == apps_before
    )


def check_books(bank: Bank) -> None:
    def read(uow: Any) -> None:
        tb = ledger.trial_balance(uow)
        assert all(d == c for d, c in tb.totals().values()), tb
        # GL 1132 holds, per loan, what its fields say is receivable.
        total = 0
        for loan in uow.session.execute(select(Loan).where(Loan.status != "contracted")).scalars():
            total += engine.receivable(loan, engine.current_installment(uow, loan))
        assert gl_value(uow, chart.INTEREST_RECEIVABLE) == total

    bank.run(read, readonly=True)


def gl_value(uow: Any, code: str) -> int:
    rows = ledger.gl_balances(uow, uow.business_date)
    return sum(bal for gl, _branch, _cur, bal in rows if gl == code)


@pytest.fixture(scope="module")
def made(bank: Bank, staff: Staff) -> MadeLoan:
    return active_loan(bank, staff["teller"].actor, staff["credit"].actor, staff["approver"].actor)


def test_disbursement_books_the_loan_and_makes_the_schedule_of_domain_md(
    bank: Bank, staff: Staff, made: MadeLoan
) -> None:
    officer = staff["credit"].actor
    loan = bank.run(servicing.get_loan, officer, made.loan_number, readonly=True)
    assert (loan.status, loan.outstanding_principal, loan.disbursed_amount) == (
        "active",
        "100000.00",
        "100000.00",
    )
    assert loan.schedule_version == 1 and loan.annual_rate == "4.90"
    sched = bank.run(servicing.get_schedule, officer, made.loan_number, readonly=True)
    assert len(sched.lines) == 12
    # The DOMAIN.md oracle: A = 8,556.17; month 1 interest 408.33, principal 8,147.84; month 12 8,556.12.
    assert (sched.lines[0].payment, sched.lines[0].interest, sched.lines[0].principal) == (
        "8556.17",
        "408.33",
        "8147.84",
    )
    assert sched.lines[-1].payment == "8556.12"
    assert sum(Decimal(x.interest) for x in sched.lines) == Decimal("2673.99")
    assert sum(Decimal(x.principal) for x in sched.lines) == Decimal("100000.00")
    acc = bank.run(accounts.get_account, staff["teller"].actor, made.account_number, readonly=True)
    assert acc.balance == "120000.00"  # 20,000 funded + the loan
    check_books(bank)


def test_repayment_at_the_counter_pays_the_next_installment_interest_first(
    bank: Bank, staff: Staff, made: MadeLoan
) -> None:
    officer = staff["credit"].actor
    refused(
        "REPAYMENT_EXCEEDS_DUE",
        bank,
        servicing.repay,
        officer,
        made.loan_number,
        RepaymentRequest(amount="8556.18", from_account=made.account_number),
        key(),
    )
    paid = bank.run(
        servicing.repay,
        officer,
        made.loan_number,
        RepaymentRequest(amount="500.00", from_account=made.account_number),
        key(),
    )
    assert (paid.interest, paid.principal, paid.penalty) == ("408.33", "91.67", "0.00")
    assert paid.outstanding_principal == "99908.33"
    rest = bank.run(
        servicing.repay,
        officer,
        made.loan_number,
        RepaymentRequest(amount="8056.17", from_account=made.account_number),
        key(),
    )
    assert (rest.interest, rest.principal) == ("0.00", "8056.17")
    refused(
        "NOTHING_DUE",
        bank,
        servicing.repay,
        officer,
        made.loan_number,
        RepaymentRequest(amount="1.00", from_account=made.account_number),
        key(),
    )
    sched = bank.run(servicing.get_schedule, officer, made.loan_number, readonly=True)
    assert sched.lines[0].status == "paid"
    check_books(bank)


def test_a_partial_prepayment_shortens_the_term_and_keeps_the_schedule_history(
    bank: Bank, staff: Staff
) -> None:
    t, officer, approver = staff["teller"].actor, staff["credit"].actor, staff["approver"].actor
    made = active_loan(bank, t, officer, approver, balance="60000.00")
    before = bank.run(servicing.get_schedule, officer, made.loan_number, readonly=True)
    paid = bank.run(
        servicing.prepay,
        officer,
        made.loan_number,
        PrepaymentRequest(amount="50000.00", mode="shorten_term", from_account=made.account_number),
        key(),
    )
    # Nothing has accrued on the day of disbursement; the product's fee is 1 % of the principal prepaid.
    assert (paid.principal, paid.interest, paid.fee, paid.amount) == (
        "50000.00",
        "0.00",
        "500.00",
        "50500.00",
    )
    after = bank.run(servicing.get_schedule, officer, made.loan_number, readonly=True)
    assert after.version == 2 and after.versions == [1, 2] and after.reason == "prepayment"
    assert len(after.lines) < len(before.lines)
    assert sum(Decimal(x.principal) for x in after.lines) == Decimal("50000.00")
    assert Decimal(after.lines[1].payment) <= Decimal(before.lines[1].payment)
    old = bank.run(servicing.get_schedule, officer, made.loan_number, 1, readonly=True)
    assert old.status == "superseded" and len(old.lines) == 12
    lower = active_loan(bank, t, officer, approver, balance="60000.00")
    bank.run(
        servicing.prepay,
        officer,
        lower.loan_number,
        PrepaymentRequest(amount="50000.00", mode="lower_installment", from_account=lower.account_number),
        key(),
    )
    kept = bank.run(servicing.get_schedule, officer, lower.loan_number, readonly=True)
    assert len(kept.lines) == 12
    assert Decimal(kept.lines[1].payment) == Decimal(rules.installment(5_000_000, Decimal("4.90"), 12)) / 100
    check_books(bank)


def test_full_prepayment_closes_the_loan_and_a_closed_loan_takes_no_repayment(
    bank: Bank, staff: Staff
) -> None:
    t, officer, approver = staff["teller"].actor, staff["credit"].actor, staff["approver"].actor
    made = active_loan(bank, t, officer, approver, balance="5000.00", amount="20000.00", term_months=6)
    fee_before = gl_balance_of(bank, chart.FEE_INCOME)
    paid = bank.run(
        servicing.prepay,
        officer,
        made.loan_number,
        PrepaymentRequest(full=True, from_account=made.account_number),
        key(),
    )
    assert (paid.principal, paid.fee, paid.status, paid.outstanding_principal) == (
        "20000.00",
        "200.00",
        "closed",
        "0.00",
    )
    assert gl_balance_of(bank, chart.FEE_INCOME) - fee_before == -20000  # income grows by credits
    refused(
        "LOAN_CLOSED",
        bank,
        servicing.repay,
        officer,
        made.loan_number,
        RepaymentRequest(amount="10.00", from_account=made.account_number),
        key(),
    )
    check_books(bank)


def gl_balance_of(bank: Bank, code: str) -> int:
    return bank.run(lambda uow: gl_value(uow, code), readonly=True)  # type: ignore[no-any-return]


def test_disbursement_is_idempotent_and_refuses_frozen_and_foreign_accounts(bank: Bank, staff: Staff) -> None:
    t, officer, approver, supervisor = (
        staff["teller"].actor,
        staff["credit"].actor,
        staff["approver"].actor,
        staff["supervisor"].actor,
    )
    made = active_loan(bank, t, officer, approver, disburse=False)
    other = funded_account(bank, t, "10.00")
    refused(
        "NOT_BORROWER_ACCOUNT",
        bank,
        servicing.disburse,
        officer,
        made.loan_number,
        Disbursement(to_account=other.number),
        key(),
    )
    frozen = new_account(bank, t, made.customer_number, account_class=2, linked=made.account_number)
    bank.run(
        accounts.freeze,
        supervisor,
        frozen.number,
        accounts.FreezeRequest(kind="full", reason="court order", authority="court", document_no="(2026)001"),
    )
    refused(
        "ACCOUNT_FROZEN",
        bank,
        servicing.disburse,
        officer,
        made.loan_number,
        Disbursement(to_account=frozen.number),
        key(),
    )
    refused(
        "DISBURSEMENT_EXCEEDS_CONTRACT",
        bank,
        servicing.disburse,
        officer,
        made.loan_number,
        Disbursement(amount="100000.01"),
        key(),
    )
    k = key()
    first = bank.run(servicing.disburse, officer, made.loan_number, Disbursement(amount="40000.00"), k)
    again = bank.run(servicing.disburse, officer, made.loan_number, Disbursement(amount="40000.00"), k)
    assert first == again
    loan = bank.run(servicing.get_loan, officer, made.loan_number, readonly=True)
    assert (loan.disbursed_amount, loan.outstanding_principal) == ("40000.00", "40000.00")
    tranche = bank.run(servicing.disburse, officer, made.loan_number, Disbursement(amount="60000.00"), key())
    assert (tranche.outstanding_principal, tranche.schedule_version) == ("100000.00", 2)
    sched = bank.run(servicing.get_schedule, officer, made.loan_number, readonly=True)
    assert sum(Decimal(x.principal) for x in sched.lines) == Decimal("100000.00")
    check_books(bank)


def test_application_outside_the_product_is_refused_and_changes_nothing(bank: Bank, staff: Staff) -> None:
    t, officer = staff["teller"].actor, staff["credit"].actor
    acc = funded_account(bank, t, "10.00")

    def count(uow: Any) -> int:
        return int(uow.session.execute(select(func.count()).select_from(LoanApplication)).scalar() or 0)

    n = bank.run(count, readonly=True)
    for code, overrides in (
        ("AMOUNT_OUT_OF_RANGE", {"amount": "500000.01"}),
        ("AMOUNT_OUT_OF_RANGE", {"amount": "999.99"}),
        ("TERM_OUT_OF_RANGE", {"term_months": 61}),
        ("METHOD_NOT_OFFERED", {"product_code": "MORTGAGE_CNY", "method": "bullet", "amount": "100000.00"}),
        ("NOT_A_LOAN_PRODUCT", {"product_code": "DEMAND_CNY"}),
        ("INVALID_METHOD", {"method": "balloon"}),
    ):
        with pytest.raises(CoreBankError) as err:
            application(bank, officer, acc.customer_number, acc.number, **overrides)
        assert err.value.code == code, (code, overrides, err.value)
    assert bank.run(count, readonly=True) == n


def test_scoring_explains_each_factor_and_the_floor_refuses_a_poor_rating(bank: Bank, staff: Staff) -> None:
    t, officer, approver = staff["teller"].actor, staff["credit"].actor, staff["approver"].actor
    acc = funded_account(bank, t, "10.00")
    good = application(bank, officer, acc.customer_number, acc.number)
    scored = bank.run(applications.score_application, officer, good)
    assert scored.status == "scored" and scored.rating is not None and scored.pd is not None
    names = [f.name for f in scored.factors]
    assert names == [f.name for f in loans.DEFAULT_SCORECARD.factors]
    assert scored.score == 200 + sum(f.points for f in scored.factors)
    poor = application(
        bank, officer, acc.customer_number, acc.number, monthly_income="2000.00", employment="unemployed"
    )
    low = bank.run(applications.score_application, officer, poor)
    assert low.rating in ("CCC", "CC", "C")
    refused("RATING_BELOW_FLOOR", bank, applications.approve_application, approver, poor, ApprovalTerms())
    rejected = bank.run(applications.reject_application, approver, poor, Rejection(reason="income too low"))
    assert (rejected.status, rejected.decision_reason, rejected.decided_by) == (
        "rejected",
        "income too low",
        "approver",
    )
    refused("APPLICATION_CLOSED", bank, applications.approve_application, approver, poor, ApprovalTerms())


def test_approval_needs_a_second_person_with_authority(bank: Bank, staff: Staff) -> None:
    t, officer, manager, admin = (
        staff["teller"].actor,
        staff["credit"].actor,
        staff["manager"].actor,
        staff["admin2"].actor,
    )
    acc = funded_account(bank, t, "10.00")
    own = application(bank, admin, acc.customer_number, acc.number)
    bank.run(applications.score_application, admin, own)
    refused("SELF_APPROVAL", bank, applications.approve_application, admin, own, ApprovalTerms())
    big = application(
        bank,
        officer,
        acc.customer_number,
        acc.number,
        amount="400000.00",
        term_months=36,
        monthly_income="90000.00",
    )
    refused("APPLICATION_NOT_SCORED", bank, applications.approve_application, manager, big, ApprovalTerms())
    bank.run(applications.score_application, officer, big)
    # A branch manager approves up to 300,000.00 on this product.
    refused("NO_APPROVAL_AUTHORITY", bank, applications.approve_application, manager, big, ApprovalTerms())
    changed = bank.run(
        applications.approve_application,
        manager,
        big,
        ApprovalTerms(amount="250000.00", term_months=24, reason="reduced to the branch's authority"),
    )
    assert (changed.status, changed.approved_amount, changed.approved_term_months) == (
        "approved",
        "250000.00",
        24,
    )
    assert changed.approved_rate == "4.90" and changed.loan_number is not None
    loan = bank.run(servicing.get_loan, officer, changed.loan_number, readonly=True)
    assert (loan.status, loan.contract_amount, loan.term_months) == ("contracted", "250000.00", 24)


def test_interest_paid_ahead_is_credited_back_when_the_period_is_cut(bank: Bank, staff: Staff) -> None:
    """An installment repaid before its date, then a partial prepayment the same day: the month's interest paid
    ahead had not accrued, so it is credited against the prepayment, and the new first installment charges the
    period's interest once, on what is left."""
    t, officer, approver = staff["teller"].actor, staff["credit"].actor, staff["approver"].actor
    made = active_loan(bank, t, officer, approver, balance="60000.00")
    bank.run(
        servicing.repay,
        officer,
        made.loan_number,
        RepaymentRequest(amount="8556.17", from_account=made.account_number),
        key(),
    )
    paid = bank.run(
        servicing.prepay,
        officer,
        made.loan_number,
        PrepaymentRequest(amount="50000.00", mode="lower_installment", from_account=made.account_number),
        key(),
    )
    assert (paid.principal, paid.interest, paid.fee, paid.amount) == (
        "50000.00",
        "-408.33",
        "500.00",
        "50091.67",
    )
    sched = bank.run(servicing.get_schedule, officer, made.loan_number, readonly=True)
    left = 10_000_000 - 814_784 - 5_000_000
    assert Decimal(sched.lines[0].interest) == Decimal(rules.month_interest(left, Decimal("4.90"))) / 100
    assert sum(Decimal(x.principal) for x in sched.lines) == Decimal(left) / 100
    check_books(bank)
