"""Time deposits (整存整取) at the counter: open, read, list, withdraw early or at maturity, change the
maturity instruction, loss reports (挂失), release (解挂), reissue (补发), and the interest certificate."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from corebank.accounts import PendingApproval
from corebank.deposits import certificate, time_deposits, time_loss, time_payouts
from corebank.deposits.time_schemas import (
    EarlyWithdrawal,
    HolderIdentity,
    InstructionChange,
    LossReportCreate,
    LossReportRead,
    MaturityWithdrawal,
    ReissueRead,
    TimeDepositOpen,
    TimeDepositPage,
    TimeDepositPayout,
    TimeDepositRead,
)
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1/time-deposits", tags=["time deposits"])
Operator = Annotated[Actor, Depends(requires(P.DEPOSIT_OPERATE))]
Reader = Annotated[Actor, Depends(requires(P.ACCOUNT_READ))]
PENDING: dict[int | str, dict[str, Any]] = {
    202: {"model": PendingApproval, "description": "cash at or above the threshold waits for a supervisor"}
}


def _maybe_pending(result: TimeDepositPayout | PendingApproval) -> TimeDepositPayout | JSONResponse:
    if isinstance(result, PendingApproval):
        return JSONResponse(result.model_dump(mode="json"), status_code=202)
    return result


@router.post(
    "",
    response_model=TimeDepositRead,
    status_code=201,
    summary="Open a time deposit from a demand account or cash; answers with its certificate_number",
    description="Refused with TERM_NOT_OFFERED for a term the product lacks, BELOW_MINIMUM under the "
    "product's minimum. Needs an Idempotency-Key.",
)
def open_deposit(
    bank: BankDep, cmd: TimeDepositOpen, key: IdempotencyKey, actor: Operator
) -> TimeDepositRead:
    return bank.run(time_deposits.open_time_deposit, actor, cmd, key)


@router.get("", response_model=TimeDepositPage, summary="A customer's time deposits; follow next_cursor")
def list_deposits(
    bank: BankDep,
    actor: Reader,
    customer: Annotated[str, Query(min_length=4, max_length=16, description="customer number")],
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TimeDepositPage:
    return bank.run(
        time_deposits.list_time_deposits, actor, customer, cursor=cursor, limit=limit, readonly=True
    )


@router.get(
    "/{certificate_number}",
    response_model=TimeDepositRead,
    summary="Principal, rate, dates, instruction, status, interest expected at maturity and accrued so far",
)
def get_deposit(bank: BankDep, certificate_number: str, actor: Reader) -> TimeDepositRead:
    return bank.run(time_deposits.get_time_deposit, actor, certificate_number, readonly=True)


@router.post(
    "/{certificate_number}/early-withdrawal",
    response_model=TimeDepositPayout,
    responses=PENDING,
    summary="Withdraw before maturity: `amount` (one partial) or `all: true`, to `to_account` or cash",
    description="The part withdrawn earns the demand rate for the days held. A second partial withdrawal is "
    "refused with PARTIAL_WITHDRAWAL_USED, a rest under the minimum with BELOW_MINIMUM. Idempotent.",
)
def early_withdrawal(
    bank: BankDep, certificate_number: str, cmd: EarlyWithdrawal, key: IdempotencyKey, actor: Operator
) -> TimeDepositPayout | JSONResponse:
    return _maybe_pending(bank.run(time_payouts.early_withdrawal, actor, certificate_number, cmd, key))


@router.post(
    "/{certificate_number}/withdrawal",
    response_model=TimeDepositPayout,
    responses=PENDING,
    summary="Withdraw a matured deposit: principal, term interest and demand interest past maturity",
)
def withdrawal(
    bank: BankDep, certificate_number: str, cmd: MaturityWithdrawal, key: IdempotencyKey, actor: Operator
) -> TimeDepositPayout | JSONResponse:
    return _maybe_pending(bank.run(time_payouts.withdraw_at_maturity, actor, certificate_number, cmd, key))


@router.put(
    "/{certificate_number}/maturity-instruction",
    response_model=TimeDepositRead,
    summary="Change what happens at maturity (before the maturity date)",
)
def change_instruction(
    bank: BankDep, certificate_number: str, cmd: InstructionChange, actor: Operator
) -> TimeDepositRead:
    return bank.run(time_deposits.change_maturity_instruction, actor, certificate_number, cmd)


@router.post(
    "/{certificate_number}/loss-reports",
    response_model=LossReportRead,
    status_code=201,
    summary="Report the certificate lost: oral (blocks 5 days) or written (with the holder's ID)",
)
def report_loss(
    bank: BankDep, certificate_number: str, cmd: LossReportCreate, actor: Operator
) -> LossReportRead:
    return bank.run(time_loss.report_loss, actor, certificate_number, cmd)


@router.post(
    "/{certificate_number}/loss-reports/release",
    response_model=LossReportRead,
    summary="Release the loss report in force (解挂), with the holder's ID number",
)
def release_loss_report(
    bank: BankDep, certificate_number: str, cmd: HolderIdentity, actor: Operator
) -> LossReportRead:
    return bank.run(time_loss.release_loss_report, actor, certificate_number, cmd)


@router.post(
    "/{certificate_number}/reissue",
    response_model=ReissueRead,
    status_code=201,
    summary="Reissue the certificate (补发) 7 days after a written loss report: new number, old one voided",
)
def reissue(bank: BankDep, certificate_number: str, cmd: HolderIdentity, actor: Operator) -> ReissueRead:
    return bank.run(time_loss.reissue_certificate, actor, certificate_number, cmd)


@router.get(
    "/{certificate_number}/interest-certificate",
    summary="The interest certificate (利息清单) as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def interest_certificate(bank: BankDep, certificate_number: str, actor: Reader) -> Response:
    cert = bank.run(certificate.interest_certificate, actor, certificate_number, readonly=True)
    out = io.BytesIO()
    certificate.write_pdf(cert, out)
    return Response(
        out.getvalue(),
        media_type=certificate.MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="interest-{certificate_number}.pdf"'},
    )
