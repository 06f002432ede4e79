"""The demo's loan book, made on its last day through the real use cases: applications taken by the credit
officer, scored, approved by the branch manager or the credit approver within their authority (or rejected
below the product's rating floor), and most of them disbursed into the borrower's demand account."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import select

from corebank.accounts.models import DepositAccount
from corebank.customers.models import Customer
from corebank.db.uow import UnitOfWork
from corebank.demo.common import DemoBank as Bank
from corebank.kernel.errors import CoreBankError
from corebank.loans import applications, servicing
from corebank.loans.schemas import ApplicationCreate, ApprovalTerms, Disbursement, Rejection
from corebank.security import Actor

EMPLOYMENT = ("civil_servant", "state_enterprise", "private_enterprise", "self_employed", "retired")
PURPOSES = ("home renovation", "a family car", "education", "wedding", "medical costs", "shop stock")


def _borrowers(uow: UnitOfWork, limit: int) -> list[tuple[str, str]]:
    """(customer number, Type I demand account) of individual customers, oldest first."""
    rows = uow.session.execute(
        select(Customer.number, DepositAccount.number)
        .join(DepositAccount, DepositAccount.customer_id == Customer.id)
        .where(
            Customer.type == "individual",
            DepositAccount.account_class == 1,
            DepositAccount.product_code == "DEMAND_CNY",
            DepositAccount.status == "active",
        )
        .order_by(Customer.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1]) for r in rows]


def add_loans(bank: Bank, staff: dict[str, Actor], rng: random.Random, count: int = 40) -> dict[str, int]:
    """Make up to `count` applications in every state; returns how many ended in each."""
    officer, manager, approver = staff["credit01"], staff["manager01"], staff["approver01"]
    tally: dict[str, int] = {}
    for i, (customer, account) in enumerate(bank.run(_borrowers, count, readonly=True)):
        amount = rng.choice((20_000, 50_000, 80_000, 120_000, 200_000, 300_000))
        cmd = ApplicationCreate(
            customer_number=customer,
            product_code="PERSONAL_LOAN_CNY",
            amount=f"{amount}.00",
            term_months=rng.choice((12, 24, 36)),
            method=rng.choice(("equal_installment", "equal_installment", "equal_principal", "interest_only")),
            purpose=rng.choice(PURPOSES),
            monthly_income=f"{rng.choice((4_000, 8_000, 12_000, 18_000, 30_000, 60_000))}.00",
            monthly_debt_payments=f"{rng.choice((0, 500, 1_500, 3_000))}.00",
            employment=rng.choice(EMPLOYMENT),
            employment_years=rng.randint(0, 20),
            documents=["id_card", "income_proof"],
            repay_account=account,
        )
        app = bank.run(applications.create_application, officer, cmd)
        if i % 10 == 9:
            tally["submitted"] = tally.get("submitted", 0) + 1
            continue
        scored = bank.run(applications.score_application, officer, app.application_id)
        if i % 10 == 8:
            tally["scored"] = tally.get("scored", 0) + 1
            continue
        state = _decide(bank, scored.application_id, manager, approver, officer)
        tally[state] = tally.get(state, 0) + 1
    return tally


def _decide(bank: Bank, application_id: int, manager: Actor, approver: Actor, officer: Actor) -> str:
    for who in (manager, approver):
        try:
            done: Any = bank.run(applications.approve_application, who, application_id, ApprovalTerms())
        except CoreBankError as err:
            if err.code == "NO_APPROVAL_AUTHORITY":
                continue
            if err.code == "RATING_BELOW_FLOOR":
                bank.run(
                    applications.reject_application,
                    approver,
                    application_id,
                    Rejection(reason="rating below the product's floor"),
                )
                return "rejected"
            raise
        key = f"demo-disburse-{application_id}"
        bank.run(servicing.disburse, officer, done.loan_number, Disbursement(), key)
        return "disbursed"
    bank.run(applications.reject_application, approver, application_id, Rejection(reason="beyond authority"))
    return "rejected"
