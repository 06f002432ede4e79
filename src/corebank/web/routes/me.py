"""The customer's own banking: accounts, payees, transfers, deposits, loans, bills, limits.

Every route here takes a customer token (a staff token is refused with 401) and answers only about the
customer's own objects: another customer's account, payee, deposit or loan is NOT_FOUND, exactly like one that
does not exist. Transfers and bills are in `me_money`, time deposits and loans in `me_products`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from corebank import accounts, finance
from corebank.channels import me, payees
from corebank.channels.limit_schemas import LimitRead
from corebank.channels.me_schemas import (
    LimitChange,
    NotificationSettings,
    NotificationSettingsRead,
    PayeeCreate,
    PayeeRead,
)
from corebank.web.customer_deps import CustomerDep
from corebank.web.deps import BankDep
from corebank.web.routes import me_money, me_products
from corebank.web.routes.statements import statement_response

router = APIRouter(prefix="/api/v1/me", tags=["me"])
NOT_YOURS = "Someone else's object, or none by that number, is NOT_FOUND."


# ---------------------------------------------------------------------------------------------- accounts


@router.get(
    "/accounts",
    response_model=list[accounts.AccountRead],
    summary="My open accounts with ledger and available balances",
)
def my_accounts(bank: BankDep, actor: CustomerDep) -> list[accounts.AccountRead]:
    return bank.run(me.my_accounts, actor, readonly=True)


@router.get(
    "/accounts/{number}",
    response_model=accounts.AccountRead,
    summary="One of my accounts",
    description=NOT_YOURS,
)
def my_account(bank: BankDep, actor: CustomerDep, number: str) -> accounts.AccountRead:
    return bank.run(me.my_account, actor, number, readonly=True)


@router.get(
    "/accounts/{number}/transactions",
    response_model=accounts.TransactionPage,
    summary="My account's movements with running balance, newest first; follow next_cursor",
    description=NOT_YOURS,
)
def my_transactions(
    bank: BankDep,
    actor: CustomerDep,
    number: str,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    from_date: date | None = None,
    to_date: date | None = None,
) -> accounts.TransactionPage:
    return bank.run(
        me.my_transactions,
        actor,
        number,
        cursor=cursor,
        limit=limit,
        from_date=from_date,
        to_date=to_date,
        readonly=True,
    )


@router.get(
    "/accounts/{number}/statement",
    summary="My account's statement for a month or a period (at most 366 days) as CSV or PDF",
    description="Give `month=YYYY-MM`, or `from` and `to` (YYYY-MM-DD). A bad period is INVALID_PERIOD. "
    + NOT_YOURS,
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}, "application/pdf": {}}}},
)
def my_statement(
    bank: BankDep,
    actor: CustomerDep,
    number: str,
    month: Annotated[str | None, Query(description="the whole month, YYYY-MM")] = None,
    start: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(alias="to", description="last day, YYYY-MM-DD")] = None,
    fmt: Annotated[str, Query(alias="format", description="csv (default) or pdf")] = "csv",
) -> StreamingResponse:
    period = finance.parse_period(month=month, start=start, end=end)
    kind = finance.parse_format(fmt)
    st = bank.run(me.my_statement, actor, number, period)
    return statement_response(bank, actor, st, kind)


# ---------------------------------------------------------------------------------------------- payees


@router.get("/payees", response_model=list[PayeeRead], summary="My payees")
def list_payees(bank: BankDep, actor: CustomerDep) -> list[PayeeRead]:
    return bank.run(payees.list_payees, actor, readonly=True)


@router.post(
    "/payees",
    response_model=PayeeRead,
    status_code=201,
    summary="Add a payee in this bank (number and holder's name must match) or at another bank",
    description="Refused with PAYEE_EXISTS for an account already among my payees, PAYEE_ACCOUNT_MISMATCH when "
    "no open account of this bank has that number and name, PAYEE_BANK_CODE_INVALID for a bad bank code.",
)
def add_payee(bank: BankDep, actor: CustomerDep, cmd: PayeeCreate) -> PayeeRead:
    return bank.run(payees.add_payee, actor, cmd)


@router.delete(
    "/payees/{payee_id}", response_model=PayeeRead, summary="Remove one of my payees", description=NOT_YOURS
)
def delete_payee(bank: BankDep, actor: CustomerDep, payee_id: int) -> PayeeRead:
    return bank.run(payees.delete_payee, actor, payee_id)


# ---------------------------------------------------------------------------------------------- limits


@router.get(
    "/limits",
    response_model=list[LimitRead],
    summary="The limits on this channel per transaction type, with what I used and have left today",
    description="For the class of `account` (one of mine) when given, else for a Type I account.",
)
def my_limits(bank: BankDep, actor: CustomerDep, account: str | None = None) -> list[LimitRead]:
    return bank.run(me.my_limits, actor, account, readonly=True)


@router.put(
    "/limits/{tx_type}",
    response_model=LimitRead,
    summary="Lower my own single and daily limit for a transaction type on this channel",
    description="A limit above the bank's is refused with LIMIT_ABOVE_BANK.",
)
def lower_my_limit(bank: BankDep, actor: CustomerDep, tx_type: str, cmd: LimitChange) -> LimitRead:
    return bank.run(me.lower_my_limit, actor, tx_type, cmd)


# ---------------------------------------------------------------------------------------------- notifications


@router.get(
    "/notifications", response_model=NotificationSettingsRead, summary="When the bank sends me an SMS"
)
def notification_settings(bank: BankDep, actor: CustomerDep) -> NotificationSettingsRead:
    return bank.run(me.notification_settings, actor, readonly=True)


@router.put(
    "/notifications", response_model=NotificationSettingsRead, summary="Change when the bank sends me an SMS"
)
def set_notification_settings(
    bank: BankDep, actor: CustomerDep, cmd: NotificationSettings
) -> NotificationSettingsRead:
    return bank.run(me.set_notification_settings, actor, cmd)


router.include_router(me_money.router)
router.include_router(me_products.router)
