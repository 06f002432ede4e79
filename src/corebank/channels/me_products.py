"""The customer's time deposits and loans on the e-channels: buy a time deposit from their demand account and
withdraw it early into one, apply for a loan, and read their applications, loans and schedules.

Each request checks that every account, deposit, application or loan it names is the customer's own (NotYours
otherwise) and then hands it to the deposits or loans area with the customer actor.
"""

from __future__ import annotations

from corebank import deposits
from corebank.channels import me, registry
from corebank.channels.errors import NotYours
from corebank.channels.me_schemas import MyEarlyWithdrawal, MyLoan, MyLoanApplication, MyTimeDepositOpen
from corebank.db.uow import UnitOfWork
from corebank.deposits.time_errors import CertificateVoid, TimeDepositNotFound
from corebank.deposits.time_schemas import (
    EarlyWithdrawal,
    TimeDepositOpen,
    TimeDepositPage,
    TimeDepositPayout,
    TimeDepositRead,
)
from corebank.loans import applications, servicing
from corebank.loans.errors import LoanNotFound
from corebank.loans.schemas import ApplicationCreate, ApplicationPage, ApplicationRead, LoanPage, LoanRead
from corebank.security import Actor

TIME_DEPOSIT = "time_deposit"
LOAN_APPLICATION = "loan_application"


# ---------------------------------------------------------------------------------------------- time deposits


def own_time_deposit(uow: UnitOfWork, actor: Actor, certificate_number: str) -> TimeDepositRead:
    """The customer's own time deposit; NotYours when there is none by that certificate or it is another's."""
    td: TimeDepositRead | None
    try:
        td = deposits.get_time_deposit(uow, actor, certificate_number)
    except (TimeDepositNotFound, CertificateVoid):
        td = None
    if td is None or td.customer_number != me.customer_number(uow, actor):
        raise NotYours(f"you hold no time deposit {certificate_number}")
    return td


def my_time_deposits(
    uow: UnitOfWork, actor: Actor, *, cursor: str | None = None, limit: int = 50
) -> TimeDepositPage:
    """The customer's time deposits, oldest first; follow `next_cursor`."""
    registry.require_open(uow, actor.channel, me.READ)
    return deposits.list_time_deposits(uow, actor, me.customer_number(uow, actor), cursor=cursor, limit=limit)


def buy_time_deposit(
    uow: UnitOfWork, actor: Actor, cmd: MyTimeDepositOpen, idempotency_key: str | None
) -> TimeDepositRead:
    """Open a time deposit paid from one of the customer's demand accounts (once per Idempotency-Key)."""
    registry.require_open(uow, actor.channel, TIME_DEPOSIT)
    me.own_account(uow, actor, cmd.from_account)
    if cmd.linked_account:
        me.own_account(uow, actor, cmd.linked_account)
    return deposits.open_time_deposit(
        uow,
        actor,
        TimeDepositOpen(
            customer_number=me.customer_number(uow, actor),
            from_account=cmd.from_account,
            cash=False,
            product_code=cmd.product_code,
            term_months=cmd.term_months,
            amount=cmd.amount,
            currency=cmd.currency,
            maturity_instruction=cmd.maturity_instruction,
            linked_account=cmd.linked_account,
            memo=cmd.memo,
        ),
        idempotency_key,
    )


def withdraw_early(
    uow: UnitOfWork,
    actor: Actor,
    certificate_number: str,
    cmd: MyEarlyWithdrawal,
    idempotency_key: str | None,
) -> TimeDepositPayout:
    """Withdraw one of the customer's time deposits before maturity, in full or one partial, into one of their
    demand accounts (once per Idempotency-Key)."""
    registry.require_open(uow, actor.channel, TIME_DEPOSIT)
    own_time_deposit(uow, actor, certificate_number)
    me.own_account(uow, actor, cmd.to_account)
    paid = deposits.early_withdrawal(
        uow,
        actor,
        certificate_number,
        EarlyWithdrawal(amount=cmd.amount, all=cmd.all, to_account=cmd.to_account, cash=False, memo=cmd.memo),
        idempotency_key,
    )
    # Paid into an account, never cash: nothing waits for a supervisor.
    assert isinstance(paid, TimeDepositPayout)
    return paid


# ---------------------------------------------------------------------------------------------- loans


def apply_for_loan(uow: UnitOfWork, actor: Actor, cmd: MyLoanApplication) -> ApplicationRead:
    """Apply for a loan as the customer, at their home branch; a repayment account must be their own."""
    registry.require_open(uow, actor.channel, LOAN_APPLICATION)
    if cmd.repay_account:
        me.own_account(uow, actor, cmd.repay_account)
    return applications.create_application(
        uow,
        actor,
        ApplicationCreate(customer_number=me.customer_number(uow, actor), **cmd.model_dump()),
    )


def my_loan_applications(
    uow: UnitOfWork, actor: Actor, *, cursor: str | None = None, limit: int = 50
) -> ApplicationPage:
    """The customer's loan applications, newest first; follow `next_cursor`."""
    registry.require_open(uow, actor.channel, me.READ)
    return applications.list_applications(
        uow, actor, customer_number=me.customer_number(uow, actor), cursor=cursor, limit=limit
    )


def my_loans(uow: UnitOfWork, actor: Actor, *, cursor: str | None = None, limit: int = 50) -> LoanPage:
    """The customer's loans, oldest first; follow `next_cursor`."""
    registry.require_open(uow, actor.channel, me.READ)
    return servicing.list_loans(
        uow, actor, customer_number=me.customer_number(uow, actor), cursor=cursor, limit=limit
    )


def my_loan(uow: UnitOfWork, actor: Actor, loan_number: str) -> MyLoan:
    """One of the customer's loans with its current repayment schedule (none before disbursement)."""
    registry.require_open(uow, actor.channel, me.READ)
    loan: LoanRead | None
    try:
        loan = servicing.get_loan(uow, actor, loan_number)
    except LoanNotFound:
        loan = None
    if loan is None or loan.customer_number != me.customer_number(uow, actor):
        raise NotYours(f"you have no loan {loan_number}")
    schedule = None
    if loan.first_disbursed_on is not None:
        schedule = servicing.get_schedule(uow, actor, loan_number)
    return MyLoan(loan=loan, schedule=schedule)
