"""The customer's time deposits and loans (included by `me`, under /api/v1/me)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from corebank.channels import me_products
from corebank.channels.me_schemas import MyEarlyWithdrawal, MyLoan, MyLoanApplication, MyTimeDepositOpen
from corebank.deposits.time_schemas import TimeDepositPage, TimeDepositPayout, TimeDepositRead
from corebank.loans.schemas import ApplicationPage, ApplicationRead, LoanPage
from corebank.web.customer_deps import CustomerDep
from corebank.web.deps import BankDep, IdempotencyKey

router = APIRouter(tags=["me"])
Limit = Annotated[int, Query(ge=1, le=200)]
NOT_YOURS = "Someone else's deposit, loan or account, or none by that number, is NOT_FOUND."


@router.get("/time-deposits", response_model=TimeDepositPage, summary="My time deposits; follow next_cursor")
def my_time_deposits(
    bank: BankDep, actor: CustomerDep, cursor: str | None = None, limit: Limit = 50
) -> TimeDepositPage:
    return bank.run(me_products.my_time_deposits, actor, cursor=cursor, limit=limit, readonly=True)


@router.post(
    "/time-deposits",
    response_model=TimeDepositRead,
    status_code=201,
    summary="Buy a time deposit from my demand account; answers with its certificate_number",
    description="Needs an Idempotency-Key. TERM_NOT_OFFERED for a term the product lacks, BELOW_MINIMUM under "
    "its minimum. " + NOT_YOURS,
)
def buy_time_deposit(
    bank: BankDep, actor: CustomerDep, cmd: MyTimeDepositOpen, key: IdempotencyKey
) -> TimeDepositRead:
    return bank.run(me_products.buy_time_deposit, actor, cmd, key)


@router.post(
    "/time-deposits/{certificate_number}/early-withdrawal",
    response_model=TimeDepositPayout,
    summary="Withdraw my time deposit before maturity into my demand account: `amount` or `all: true`",
    description="Needs an Idempotency-Key. The part withdrawn earns the demand rate for the days held. "
    + NOT_YOURS,
)
def withdraw_early(
    bank: BankDep, actor: CustomerDep, certificate_number: str, cmd: MyEarlyWithdrawal, key: IdempotencyKey
) -> TimeDepositPayout:
    return bank.run(me_products.withdraw_early, actor, certificate_number, cmd, key)


@router.post(
    "/loan-applications",
    response_model=ApplicationRead,
    status_code=201,
    summary="Apply for a loan; answers with its application_id",
    description="AMOUNT_OUT_OF_RANGE, TERM_OUT_OF_RANGE or METHOD_NOT_OFFERED outside the product.",
)
def apply_for_loan(bank: BankDep, actor: CustomerDep, cmd: MyLoanApplication) -> ApplicationRead:
    return bank.run(me_products.apply_for_loan, actor, cmd)


@router.get(
    "/loan-applications", response_model=ApplicationPage, summary="My loan applications, newest first"
)
def my_loan_applications(
    bank: BankDep, actor: CustomerDep, cursor: str | None = None, limit: Limit = 50
) -> ApplicationPage:
    return bank.run(me_products.my_loan_applications, actor, cursor=cursor, limit=limit, readonly=True)


@router.get("/loans", response_model=LoanPage, summary="My loans; follow next_cursor")
def my_loans(bank: BankDep, actor: CustomerDep, cursor: str | None = None, limit: Limit = 50) -> LoanPage:
    return bank.run(me_products.my_loans, actor, cursor=cursor, limit=limit, readonly=True)


@router.get(
    "/loans/{loan_number}",
    response_model=MyLoan,
    summary="One of my loans with its repayment schedule",
    description=NOT_YOURS,
)
def my_loan(bank: BankDep, actor: CustomerDep, loan_number: str) -> MyLoan:
    return bank.run(me_products.my_loan, actor, loan_number, readonly=True)
