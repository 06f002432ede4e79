"""Loan workouts: an officer's classification and its history, the collections queue and collection actions
(promises to pay), restructuring, write-off and recoveries after write-off. Registered before the loans router so
that /api/v1/loans/collections is not read as a loan number."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from corebank.loans import portfolio, workouts
from corebank.loans.workout_schemas import (
    ClassificationChange,
    ClassificationHistoryRead,
    CollectionActionCreate,
    CollectionActionRead,
    CollectionQueuePage,
    LoanClassificationRead,
    Recovery,
    RecoveryRead,
    Restructuring,
    RestructuringRead,
    WriteOff,
    WriteOffRead,
)
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1/loans", tags=["loan workouts"])
Reader = Annotated[Actor, Depends(requires(P.LOAN_READ))]
Collector = Annotated[Actor, Depends(requires(P.LOAN_COLLECT))]
Workout = Annotated[Actor, Depends(requires(P.LOAN_WORKOUT))]


@router.get(
    "/collections",
    response_model=CollectionQueuePage,
    summary="The collections queue (催收): overdue loans, the longest overdue first",
    description="Each loan with what is overdue, days past due, its class, the last collection step and any "
    "open promise to pay. Follow next_cursor.",
)
def collections_queue(
    bank: BankDep,
    actor: Reader,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CollectionQueuePage:
    return bank.run(workouts.collections_queue, actor, cursor, limit, readonly=True)


@router.get(
    "/portfolio",
    response_model=portfolio.PortfolioReport,
    summary="The loan book by aging bucket (账龄) and five-tier class, with the NPL ratio and provision coverage",
    description="Staff scoped to their branches name one with `branch`; `format=csv` answers a file.",
)
def loan_portfolio(
    bank: BankDep,
    actor: Reader,
    branch: str | None = None,
    currency: str = "CNY",
    fmt: Annotated[str, Query(alias="format", pattern="^(json|csv)$")] = "json",
) -> object:
    report = bank.run(portfolio.portfolio, actor, branch_code=branch, currency=currency, readonly=True)
    if fmt == "csv":
        return Response(
            portfolio.portfolio_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="loan-portfolio-{report.as_of}.csv"'},
        )
    return report


@router.post(
    "/{loan_number}/classification",
    response_model=LoanClassificationRead,
    summary="Classify a loan worse than its days-past-due floor (五级分类), with a reason",
    description="Refused with INVALID_CLASSIFICATION for a class better than the floor; naming the floor clears "
    "the officer's class.",
)
def classify(
    bank: BankDep, actor: Collector, loan_number: str, cmd: ClassificationChange
) -> LoanClassificationRead:
    return bank.run(workouts.classify, actor, loan_number, cmd)


@router.get(
    "/{loan_number}/classifications",
    response_model=list[ClassificationHistoryRead],
    summary="Every change of the loan's class, oldest first",
)
def classification_history(bank: BankDep, actor: Reader, loan_number: str) -> list[ClassificationHistoryRead]:
    return bank.run(workouts.classification_history, actor, loan_number, readonly=True)


@router.post(
    "/{loan_number}/collections",
    response_model=CollectionActionRead,
    status_code=201,
    summary="Record a collection step: call, sms, letter, visit, legal, or a promise to pay",
    description="Refused with LOAN_NOT_OVERDUE when nothing is overdue, INVALID_COLLECTION_ACTION for a promise "
    "without an amount above zero and a date after today.",
)
def add_collection_action(
    bank: BankDep, actor: Collector, loan_number: str, cmd: CollectionActionCreate
) -> CollectionActionRead:
    return bank.run(workouts.add_collection_action, actor, loan_number, cmd)


@router.get(
    "/{loan_number}/collections",
    response_model=list[CollectionActionRead],
    summary="Every collection step on the loan, oldest first",
)
def collection_actions(bank: BankDep, actor: Reader, loan_number: str) -> list[CollectionActionRead]:
    return bank.run(workouts.collection_actions, actor, loan_number, readonly=True)


@router.post(
    "/{loan_number}/restructure",
    response_model=RestructuringRead,
    summary="Restructure a troubled loan (重组): capitalise overdue interest and penalty, reschedule",
    description="Refused with RESTRUCTURING_NOT_ALLOWED for a loan with nothing overdue and classified normal. "
    "Needs an Idempotency-Key.",
)
def restructure(
    bank: BankDep, actor: Workout, loan_number: str, cmd: Restructuring, key: IdempotencyKey
) -> RestructuringRead:
    return bank.run(workouts.restructure, actor, loan_number, cmd, key)


@router.post(
    "/{loan_number}/write-off",
    response_model=WriteOffRead,
    summary="Write off (核销) a doubtful or loss loan against its provision",
    description="Refused with WRITE_OFF_NOT_ALLOWED for a loan classified better than doubtful. Needs an "
    "Idempotency-Key.",
)
def write_off(
    bank: BankDep, actor: Workout, loan_number: str, cmd: WriteOff, key: IdempotencyKey
) -> WriteOffRead:
    return bank.run(workouts.write_off, actor, loan_number, cmd, key)


@router.post(
    "/{loan_number}/recoveries",
    response_model=RecoveryRead,
    status_code=201,
    summary="Book money recovered on a written-off loan (核销后收回)",
    description="Refused with LOAN_STATUS_CONFLICT unless the loan is written off, RECOVERY_EXCEEDS_WRITTEN_OFF "
    "beyond what is left written off. Needs an Idempotency-Key.",
)
def recover(
    bank: BankDep, actor: Workout, loan_number: str, cmd: Recovery, key: IdempotencyKey
) -> RecoveryRead:
    return bank.run(workouts.recover, actor, loan_number, cmd, key)
