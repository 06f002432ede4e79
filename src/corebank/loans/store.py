"""Finding loans and applications within the actor's branch scope, and turning them into their read models."""

from __future__ import annotations

from sqlalchemy import select

from corebank import customers
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import minor_to_text
from corebank.loans import engine
from corebank.loans.errors import ApplicationNotFound, LoanNotFound
from corebank.loans.models import Loan, LoanApplication, LoanInstallment, LoanSchedule
from corebank.loans.schemas import (
    ApplicationRead,
    FactorRead,
    InstallmentRead,
    LoanRead,
    ScheduleRead,
)
from corebank.security import Actor


def find_application(uow: UnitOfWork, actor: Actor, application_id: int) -> LoanApplication:
    """The application, if the actor's branches reach it (else APPLICATION_NOT_FOUND, revealing nothing)."""
    app = uow.session.get(LoanApplication, application_id)
    if app is None or (actor.branches is not None and app.branch_code not in actor.branches):
        raise ApplicationNotFound(f"no loan application {application_id}")
    return app


def find_loan(uow: UnitOfWork, actor: Actor, loan_number: str) -> Loan:
    """The loan, if the actor's branches reach it (else LOAN_NOT_FOUND)."""
    loan = uow.session.execute(select(Loan).where(Loan.loan_number == loan_number)).scalar_one_or_none()
    if loan is None or (actor.branches is not None and loan.branch_code not in actor.branches):
        raise LoanNotFound(f"no loan {loan_number}")
    return loan


def loan_number_of(uow: UnitOfWork, loan_id: int | None) -> str | None:
    if loan_id is None:
        return None
    return uow.session.execute(select(Loan.loan_number).where(Loan.id == loan_id)).scalar()


def application_read(uow: UnitOfWork, app: LoanApplication) -> ApplicationRead:
    cur = app.currency
    number, name = customers.customer_names(uow, [app.customer_id])[app.customer_id]
    detail = app.score_detail or {}

    def text(minor: int | None) -> str | None:
        return None if minor is None else minor_to_text(minor, cur)

    return ApplicationRead(
        application_id=app.id,
        customer_number=number,
        customer_name=name,
        product_code=app.product_code,
        currency=cur,
        amount=minor_to_text(app.amount, cur),
        term_months=app.term_months,
        method=app.method,
        purpose=app.purpose,
        monthly_income=minor_to_text(app.monthly_income, cur),
        monthly_debt_payments=minor_to_text(app.monthly_debt_payments, cur),
        employment=app.employment,
        employment_years=app.employment_years,
        documents=list(app.documents or []),
        repay_account=app.repay_account_number,
        status=app.status,
        score=app.score,
        rating=app.rating,
        pd=app.pd,
        scorecard=(f"{app.scorecard_code} v{app.scorecard_version}" if app.scorecard_code else None),
        factors=[FactorRead(**f) for f in detail.get("factors", [])],
        approved_amount=text(app.approved_amount),
        approved_term_months=app.approved_term_months,
        approved_rate=app.approved_rate,
        approved_method=app.approved_method,
        decided_by=app.decided_by,
        decision_reason=app.decision_reason,
        loan_number=loan_number_of(uow, app.loan_id),
        branch_code=app.branch_code,
        created_by=app.created_by,
        submitted_on=app.submitted_on,
    )


def loan_read(uow: UnitOfWork, loan: Loan) -> LoanRead:
    cur = loan.currency

    def text(minor: int) -> str:
        return minor_to_text(minor, cur)

    current = engine.current_installment(uow, loan)
    due = engine.owed(loan, current)
    number = customers.customer_names(uow, [loan.customer_id])[loan.customer_id][0]
    return LoanRead(
        loan_number=loan.loan_number,
        application_id=loan.application_id,
        customer_number=number,
        product_code=loan.product_code,
        currency=cur,
        method=loan.method,
        term_months=loan.term_months,
        contract_amount=text(loan.contract_amount),
        disbursed_amount=text(loan.disbursed_amount),
        outstanding_principal=text(engine.outstanding_principal(uow, loan)),
        annual_rate=loan.annual_rate,
        rate_type=loan.rate_type,
        status=loan.status,
        branch_code=loan.branch_code,
        repay_account=loan.repay_account_number,
        contracted_on=loan.contracted_on,
        first_disbursed_on=loan.first_disbursed_on,
        maturity_date=loan.maturity_date,
        next_due_date=loan.next_due_date,
        next_payment=text(due.current_interest + due.current_principal),
        overdue_principal=text(loan.overdue_principal),
        overdue_interest=text(loan.overdue_interest),
        penalty_owed=text(due.penalty),
        accrued_interest=text(loan.accrued_interest),
        days_past_due=loan.days_past_due,
        classification=loan.classification,
        provision=text(loan.provision),
        restructured=loan.restructured,
        schedule_version=loan.schedule_version,
        written_off_amount=text(loan.written_off_amount),
        recovered_amount=text(loan.recovered_amount),
    )


def schedule_read(uow: UnitOfWork, loan: Loan, version: int | None = None) -> ScheduleRead:
    """A schedule version of the loan (the current one by default) with each installment's payments."""
    versions = list(
        uow.session.execute(
            select(LoanSchedule.version).where(LoanSchedule.loan_id == loan.id).order_by(LoanSchedule.version)
        ).scalars()
    )
    if not versions:
        raise InvalidRequest(f"loan {loan.loan_number} has no schedule yet: it is made at disbursement")
    wanted = version if version is not None else loan.schedule_version
    sched = uow.session.execute(
        select(LoanSchedule).where(LoanSchedule.loan_id == loan.id, LoanSchedule.version == wanted)
    ).scalar_one_or_none()
    if sched is None:
        raise InvalidRequest(f"loan {loan.loan_number} has no schedule version {wanted} (it has {versions})")
    cur = loan.currency

    def text(minor: int) -> str:
        return minor_to_text(minor, cur)

    rows = uow.session.execute(
        select(LoanInstallment)
        .where(LoanInstallment.schedule_id == sched.id)
        .order_by(LoanInstallment.period)
    ).scalars()
    return ScheduleRead(
        loan_number=loan.loan_number,
        currency=cur,
        version=sched.version,
        reason=sched.reason,
        status=sched.status,
        principal=text(sched.principal),
        annual_rate=sched.annual_rate,
        method=sched.method,
        made_on=sched.made_on,
        made_by=sched.made_by,
        lines=[
            InstallmentRead(
                period=r.period,
                due_date=r.due_date,
                period_start=r.period_start,
                principal=text(r.principal),
                interest=text(r.interest),
                payment=text(r.principal + r.interest),
                paid_principal=text(r.paid_principal),
                paid_interest=text(r.paid_interest),
                status=r.status,
            )
            for r in rows
        ],
        versions=versions,
    )
