"""Notice deposits (通知存款): open, read, notices, withdrawals; sweep agreements (双利丰): sign, read, cancel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from corebank.accounts import PendingApproval
from corebank.deposits import notice, notice_withdrawals, sweep
from corebank.deposits.notice_schemas import (
    NoticeCreate,
    NoticeDepositOpen,
    NoticeDepositRead,
    NoticeRead,
    NoticeWithdrawalCreate,
    NoticeWithdrawalRead,
    SweepAgreementCreate,
    SweepAgreementRead,
    SweepCancelRead,
)
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1", tags=["notice deposits"])
Operator = Annotated[Actor, Depends(requires(P.DEPOSIT_OPERATE))]
Reader = Annotated[Actor, Depends(requires(P.ACCOUNT_READ))]


@router.post(
    "/notice-deposits",
    response_model=NoticeDepositRead,
    status_code=201,
    summary="Open a 1-day or 7-day notice deposit from a demand account or cash",
)
def open_notice_deposit(
    bank: BankDep, cmd: NoticeDepositOpen, key: IdempotencyKey, actor: Operator
) -> NoticeDepositRead:
    return bank.run(notice.open_notice_deposit, actor, cmd, key)


@router.get(
    "/notice-deposits/{number}", response_model=NoticeDepositRead, summary="A notice deposit and its notices"
)
def get_notice_deposit(bank: BankDep, number: str, actor: Reader) -> NoticeDepositRead:
    return bank.run(notice.get_notice_deposit, actor, number, readonly=True)


@router.post(
    "/notice-deposits/{number}/notices",
    response_model=NoticeRead,
    status_code=201,
    summary="Register a withdrawal notice (支取通知): amount and withdrawal date",
)
def register_notice(bank: BankDep, number: str, cmd: NoticeCreate, actor: Operator) -> NoticeRead:
    return bank.run(notice.register_notice, actor, number, cmd)


@router.post(
    "/notice-deposits/{number}/notices/{notice_id}/cancel",
    response_model=NoticeRead,
    summary="Cancel a registered notice",
)
def cancel_notice(bank: BankDep, number: str, notice_id: int, actor: Operator) -> NoticeRead:
    return bank.run(notice.cancel_notice, actor, number, notice_id)


@router.post(
    "/notice-deposits/{number}/withdrawals",
    response_model=NoticeWithdrawalRead,
    status_code=201,
    summary="Withdraw an amount (or everything) to a demand account or in cash, with interest",
    responses={202: {"model": PendingApproval, "description": "cash at or above the threshold waits"}},
)
def withdraw(
    bank: BankDep, number: str, cmd: NoticeWithdrawalCreate, key: IdempotencyKey, actor: Operator
) -> Any:
    result = bank.run(notice_withdrawals.withdraw_notice_deposit, actor, number, cmd, key)
    if isinstance(result, PendingApproval):
        return JSONResponse(result.model_dump(mode="json"), status_code=202)
    return result


@router.post(
    "/sweep-agreements",
    response_model=SweepAgreementRead,
    status_code=201,
    summary="Sign a sweep agreement (双利丰) on a Type I demand account",
)
def sign_sweep(bank: BankDep, cmd: SweepAgreementCreate, actor: Operator) -> SweepAgreementRead:
    return bank.run(sweep.sign_agreement, actor, cmd)


@router.get(
    "/sweep-agreements/{agreement_id}",
    response_model=SweepAgreementRead,
    summary="A sweep agreement with its swept notice deposits",
)
def get_sweep(bank: BankDep, agreement_id: int, actor: Reader) -> SweepAgreementRead:
    return bank.run(sweep.get_agreement, actor, agreement_id, readonly=True)


@router.post(
    "/sweep-agreements/{agreement_id}/cancel",
    response_model=SweepCancelRead,
    summary="Cancel a sweep agreement, drawing every swept deposit back to the demand account",
)
def cancel_sweep(bank: BankDep, agreement_id: int, key: IdempotencyKey, actor: Operator) -> SweepCancelRead:
    return bank.run(sweep.cancel_agreement, actor, agreement_id, key)
