"""Loans: the schedule calculator, applications (score, approve, reject), disbursement, repayment,
prepayment, schedules with their history, and scorecards."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response

from corebank import loans
from corebank.loans import applications, scorecards, servicing
from corebank.loans.export import schedule_csv, stored_schedule_as_preview, write_schedule_pdf
from corebank.loans.schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ApprovalTerms,
    Disbursement,
    DisbursementRead,
    LoanPage,
    LoanRead,
    PrepaymentRequest,
    Rejection,
    RepaymentRead,
    RepaymentRequest,
    SchedulePreview,
    SchedulePreviewRequest,
    ScheduleRead,
)
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1/loans", tags=["loans"])
ProductReader = Annotated[Actor, Depends(requires(P.PRODUCT_READ))]
Reader = Annotated[Actor, Depends(requires(P.LOAN_READ))]
Applier = Annotated[Actor, Depends(requires(P.LOAN_APPLY))]
Assessor = Annotated[Actor, Depends(requires(P.LOAN_ASSESS))]
Approver = Annotated[Actor, Depends(requires(P.LOAN_APPROVE))]
Operator = Annotated[Actor, Depends(requires(P.LOAN_OPERATE))]
ProductWriter = Annotated[Actor, Depends(requires(P.PRODUCT_WRITE))]
Format = Annotated[Literal["json", "csv", "pdf"], Query(alias="format")]


def _schedule_file(bank: BankDep, preview: SchedulePreview, fmt: str, name: str) -> Any:
    if fmt == "csv":
        return Response(
            schedule_csv(preview),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    out = io.BytesIO()
    write_schedule_pdf(preview, out, bank.settings.bank_name)
    return Response(
        out.getvalue(),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@router.post(
    "/schedule-preview",
    response_model=SchedulePreview,
    summary="Preview a repayment schedule (等额本息, 等额本金, 先息后本, 到期一次还本付息) without a loan",
    description="`format=csv` or `format=pdf` answers the schedule as a file (还款计划表) instead of JSON.",
)
def schedule_preview(
    bank: BankDep, actor: ProductReader, cmd: SchedulePreviewRequest, fmt: Format = "json"
) -> Any:
    preview = loans.preview_schedule(cmd)
    if fmt == "json":
        return preview
    return _schedule_file(bank, preview, fmt, "repayment-schedule")


# ---------------------------------------------------------------------------------------------- applications


@router.post(
    "/applications",
    response_model=ApplicationRead,
    status_code=201,
    summary="Take a loan application; answers with its application_id",
    description="Refused with AMOUNT_OUT_OF_RANGE, TERM_OUT_OF_RANGE or METHOD_NOT_OFFERED outside the "
    "product, NOT_A_LOAN_PRODUCT for a product that is not a loan product on sale.",
)
def create_application(bank: BankDep, actor: Applier, cmd: ApplicationCreate) -> ApplicationRead:
    return bank.run(applications.create_application, actor, cmd)


@router.get(
    "/applications",
    response_model=ApplicationPage,
    summary="Applications, newest first (status=scored: the approval queue)",
)
def list_applications(
    bank: BankDep,
    actor: Reader,
    status: str | None = None,
    customer: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ApplicationPage:
    return bank.run(
        applications.list_applications,
        actor,
        status=status,
        customer_number=customer,
        cursor=cursor,
        limit=limit,
        readonly=True,
    )


@router.get("/applications/{application_id}", response_model=ApplicationRead, summary="One application")
def get_application(bank: BankDep, actor: Reader, application_id: int) -> ApplicationRead:
    return bank.run(applications.get_application, actor, application_id, readonly=True)


@router.post(
    "/applications/{application_id}/score",
    response_model=ApplicationRead,
    summary="Score an application: score, rating, probability of default, and each factor's points",
)
def score_application(bank: BankDep, actor: Assessor, application_id: int) -> ApplicationRead:
    return bank.run(applications.score_application, actor, application_id)


@router.post(
    "/applications/{application_id}/approve",
    response_model=ApplicationRead,
    summary="Approve (as asked or with changed terms) and make the loan contract; answers with its loan_number",
    description="Refused with SELF_APPROVAL for the officer who prepared or scored it, NO_APPROVAL_AUTHORITY "
    "beyond the approver's authority, RATING_BELOW_FLOOR, LTV_EXCEEDED.",
)
def approve_application(
    bank: BankDep, actor: Approver, application_id: int, cmd: Annotated[ApprovalTerms | None, Body()] = None
) -> ApplicationRead:
    return bank.run(applications.approve_application, actor, application_id, cmd or ApprovalTerms())


@router.post(
    "/applications/{application_id}/reject",
    response_model=ApplicationRead,
    summary="Reject an application with a reason",
)
def reject_application(
    bank: BankDep, actor: Approver, application_id: int, cmd: Rejection
) -> ApplicationRead:
    return bank.run(applications.reject_application, actor, application_id, cmd)


@router.post(
    "/applications/{application_id}/cancel",
    response_model=ApplicationRead,
    summary="Withdraw an undecided application",
)
def cancel_application(bank: BankDep, actor: Applier, application_id: int) -> ApplicationRead:
    return bank.run(applications.cancel_application, actor, application_id)


# ---------------------------------------------------------------------------------------------- scorecards


@router.get("/scorecards/{code}", summary="The active definition of a scorecard")
def get_scorecard(bank: BankDep, actor: Reader, code: str) -> dict[str, Any]:
    return bank.run(scorecards.get_scorecard, actor, code, readonly=True)


@router.put(
    "/scorecards/{code}",
    summary="Publish a new version of a scorecard (factors, bands, points, ratings with PD)",
    description="Refused with INVALID_SCORECARD when a rule of a valid card fails; the old version is kept.",
)
def publish_scorecard(
    bank: BankDep, actor: ProductWriter, code: str, definition: dict[str, Any]
) -> dict[str, Any]:
    return bank.run(scorecards.publish_scorecard, actor, {**definition, "code": code})


# ---------------------------------------------------------------------------------------------- loans


@router.get("", response_model=LoanPage, summary="Loans by id; overdue=true for the collections view")
def list_loans(
    bank: BankDep,
    actor: Reader,
    customer: str | None = None,
    status: str | None = None,
    classification: str | None = None,
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> LoanPage:
    return bank.run(
        servicing.list_loans,
        actor,
        customer_number=customer,
        status=status,
        classification=classification,
        overdue=overdue,
        cursor=cursor,
        limit=limit,
        readonly=True,
    )


@router.get(
    "/{loan_number}",
    response_model=LoanRead,
    summary="A loan: balances, what is due, overdue, classification",
)
def get_loan(bank: BankDep, actor: Reader, loan_number: str) -> LoanRead:
    return bank.run(servicing.get_loan, actor, loan_number, readonly=True)


@router.get(
    "/{loan_number}/schedule",
    response_model=ScheduleRead,
    summary="The loan's repayment schedule (the current version, or ?version=N from its history)",
    description="`format=csv` or `format=pdf` answers it as a file (还款计划表).",
)
def get_schedule(
    bank: BankDep, actor: Reader, loan_number: str, version: int | None = None, fmt: Format = "json"
) -> Any:
    sched = bank.run(servicing.get_schedule, actor, loan_number, version, readonly=True)
    if fmt == "json":
        return sched
    return _schedule_file(
        bank, stored_schedule_as_preview(sched), fmt, f"schedule-{loan_number}-v{sched.version}"
    )


@router.get(
    "/{loan_number}/repayments", response_model=list[RepaymentRead], summary="Every repayment of the loan"
)
def list_repayments(bank: BankDep, actor: Reader, loan_number: str) -> list[RepaymentRead]:
    return bank.run(servicing.repayments_of, actor, loan_number, readonly=True)


@router.post(
    "/{loan_number}/disburse",
    response_model=DisbursementRead,
    summary="Disburse the loan (or a tranche) into the borrower's account",
    description="Refused with NOT_BORROWER_ACCOUNT for another customer's account, ACCOUNT_FROZEN for a frozen "
    "one, DISBURSEMENT_EXCEEDS_CONTRACT past the contract. Needs an Idempotency-Key.",
)
def disburse(
    bank: BankDep,
    actor: Operator,
    loan_number: str,
    key: IdempotencyKey,
    cmd: Annotated[Disbursement | None, Body()] = None,
) -> DisbursementRead:
    return bank.run(servicing.disburse, actor, loan_number, cmd or Disbursement(), key)


@router.post(
    "/{loan_number}/repayments",
    response_model=RepaymentRead,
    status_code=201,
    summary="Repay what is due (penalty, overdue interest, overdue principal, then the next installment)",
    description="Refused with LOAN_CLOSED on a closed loan, REPAYMENT_EXCEEDS_DUE beyond what is due (prepay "
    "instead), NOTHING_DUE. Needs an Idempotency-Key.",
)
def repay(
    bank: BankDep, actor: Operator, loan_number: str, cmd: RepaymentRequest, key: IdempotencyKey
) -> RepaymentRead:
    return bank.run(servicing.repay, actor, loan_number, cmd, key)


@router.post(
    "/{loan_number}/prepayments",
    response_model=RepaymentRead,
    status_code=201,
    summary="Prepay in full, or part of the principal (shorten_term or lower_installment)",
    description="Refused with OVERDUE_FIRST while anything is overdue. Needs an Idempotency-Key.",
)
def prepay(
    bank: BankDep, actor: Operator, loan_number: str, cmd: PrepaymentRequest, key: IdempotencyKey
) -> RepaymentRead:
    return bank.run(servicing.prepay, actor, loan_number, cmd, key)
