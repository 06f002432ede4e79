"""Loans made through the real use cases: application → score → approval → disbursement."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from corebank.bootstrap import Bank
from corebank.loans import applications, servicing
from corebank.loans.schemas import ApplicationCreate, ApprovalTerms, Disbursement
from corebank.security import Actor
from tests.factories import funded_account

_keys = itertools.count(1)


@dataclass(frozen=True)
class MadeLoan:
    loan_number: str
    application_id: int
    customer_number: str
    account_number: str


def application(
    bank: Bank,
    officer: Actor,
    customer_number: str,
    account_number: str | None,
    *,
    product_code: str = "PERSONAL_LOAN_CNY",
    amount: str = "100000.00",
    term_months: int = 12,
    method: str = "equal_installment",
    monthly_income: str = "30000.00",
    employment: str = "state_enterprise",
) -> int:
    """A submitted application; returns its id."""
    read = bank.run(
        applications.create_application,
        officer,
        ApplicationCreate(
            customer_number=customer_number,
            product_code=product_code,
            amount=amount,
            term_months=term_months,
            method=method,
            purpose="home renovation",
            monthly_income=monthly_income,
            monthly_debt_payments="0.00",
            employment=employment,
            employment_years=8,
            documents=["id_card", "income_proof"],
            repay_account=account_number,
        ),
    )
    return read.application_id


def active_loan(
    bank: Bank,
    teller: Actor,
    officer: Actor,
    approver: Actor,
    *,
    balance: str = "20000.00",
    product_code: str = "PERSONAL_LOAN_CNY",
    amount: str = "100000.00",
    term_months: int = 12,
    method: str = "equal_installment",
    annual_rate: str | None = "4.90",
    disburse: bool = True,
) -> MadeLoan:
    """A customer with a funded account (`balance`) and a loan on it, scored, approved at `annual_rate` and
    disbursed in full (unless `disburse` is false)."""
    acc = funded_account(bank, teller, balance)
    app_id = application(
        bank,
        officer,
        acc.customer_number,
        acc.number,
        product_code=product_code,
        amount=amount,
        term_months=term_months,
        method=method,
    )
    bank.run(applications.score_application, officer, app_id)
    approved = bank.run(
        applications.approve_application, approver, app_id, ApprovalTerms(annual_rate=annual_rate)
    )
    assert approved.loan_number is not None
    if disburse:
        bank.run(servicing.disburse, officer, approved.loan_number, Disbursement(), f"disb-{next(_keys)}")
    return MadeLoan(approved.loan_number, app_id, acc.customer_number, acc.number)
