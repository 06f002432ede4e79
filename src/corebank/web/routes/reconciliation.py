"""Daily reconciliation (对账) with the clearing house and its exceptions."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import Response

from corebank.payments import reconcile
from corebank.payments.recon_schemas import (
    ExceptionAssign,
    ExceptionResolve,
    ReconExceptionPage,
    ReconExceptionRead,
    ReconRunPage,
    ReconRunRead,
    ReconRunStart,
)
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/reconciliation", tags=["reconciliation"])
Reconciler = Annotated[Actor, Depends(requires(P.RECONCILE))]
# Readers pass here; the service lets in those who reconcile and auditors only.
Reader = Annotated[Actor, Depends(requires(P.PAYMENT_READ))]


@router.post(
    "/runs",
    response_model=ReconRunRead,
    status_code=201,
    summary="Reconcile a settlement date with the file fetched from the clearing house",
    description="Differences become exceptions (one per transaction and kind, however often found). "
    "SETTLEMENT_FILE_UNAVAILABLE (502) when the clearing house does not give the file (kept as a failed run), "
    "RECON_FILE_INVALID when it is not a valid settlement file for that date (nothing stored).",
)
def start_run(bank: BankDep, actor: Reconciler, cmd: ReconRunStart) -> ReconRunRead:
    return reconcile.reconcile_with_clearing(bank.run, bank.settings, actor, cmd.date)


@router.post(
    "/runs/upload",
    response_model=ReconRunRead,
    status_code=201,
    summary="Reconcile a settlement date with an uploaded settlement file (CSV)",
    description="The clearing house's CSV layout, header row exactly as it writes it. RECON_FILE_INVALID for "
    "a wrong header, a bad line or a line of another date: nothing is stored.",
)
def upload_run(
    bank: BankDep,
    actor: Reconciler,
    day: Annotated[date, Query(alias="date", description="the settlement date, YYYY-MM-DD")],
    file: Annotated[UploadFile, File(description="the settlement file, CSV, UTF-8")],
) -> ReconRunRead:
    data = file.file.read()
    return bank.run(reconcile.run_reconciliation, actor, day, data, "upload")


@router.get("/runs", response_model=ReconRunPage, summary="Reconciliation runs, newest first")
def list_runs(
    bank: BankDep,
    actor: Reader,
    day: Annotated[date | None, Query(alias="date")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ReconRunPage:
    return bank.run(reconcile.list_runs, actor, day, cursor, limit, readonly=True)


@router.get("/runs/{run_id}", response_model=ReconRunRead, summary="One reconciliation run")
def get_run(bank: BankDep, actor: Reader, run_id: int) -> ReconRunRead:
    return bank.run(reconcile.get_run, actor, run_id, readonly=True)


@router.get(
    "/exceptions",
    response_model=ReconExceptionPage,
    summary="Reconciliation exceptions, newest first, by status, owner, settlement date or kind",
    description="`format=csv` answers every matching exception as a file, oldest first.",
)
def list_exceptions(
    bank: BankDep,
    actor: Reader,
    status: str | None = None,
    owner: str | None = None,
    day: Annotated[date | None, Query(alias="date")] = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    fmt: Annotated[str, Query(alias="format", pattern="^(json|csv)$")] = "json",
) -> object:
    filters: dict[str, Any] = {"status": status, "owner": owner, "day": day, "kind": kind}
    if fmt == "csv":
        text = bank.run(reconcile.exceptions_csv, actor, **filters, readonly=True)
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="recon-exceptions.csv"'},
        )
    return bank.run(reconcile.list_exceptions, actor, **filters, cursor=cursor, limit=limit, readonly=True)


@router.post(
    "/exceptions/{exception_id}/assign",
    response_model=ReconExceptionRead,
    summary="Give an open exception to a staff user who reconciles",
    description="OWNER_NOT_ELIGIBLE for anyone else; EXCEPTION_CLOSED once resolved.",
)
def assign(bank: BankDep, actor: Reconciler, exception_id: int, cmd: ExceptionAssign) -> ReconExceptionRead:
    return bank.run(reconcile.assign, actor, exception_id, cmd.owner)


@router.post(
    "/exceptions/{exception_id}/resolve",
    response_model=ReconExceptionRead,
    summary="Resolve an exception: apply_clearing (book what the clearing house says), accept, escalate",
    description="Only the owner resolves (anyone who reconciles while it has none: EXCEPTION_NOT_OWNER); "
    "EXCEPTION_CLOSED once resolved; accept and escalate need a note (RESOLUTION_NOTE_REQUIRED); "
    "RESOLUTION_NOT_APPLICABLE when the clearing house's outcome cannot be booked automatically.",
)
def resolve(bank: BankDep, actor: Reconciler, exception_id: int, cmd: ExceptionResolve) -> ReconExceptionRead:
    return bank.run(reconcile.resolve, actor, exception_id, cmd.action, cmd.note)
