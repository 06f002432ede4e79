"""Deposit accounts: open, read, history, statements, cash at the counter, holds, freezes, close."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse

from corebank import accounts
from corebank.accounts import (
    AccountClosedRead,
    AccountOpen,
    AccountRead,
    BlockRequest,
    CashOperation,
    CashReceipt,
    CloseRequest,
    FreezeRequest,
    HoldRead,
    HoldRequest,
    PendingApproval,
    TransactionPage,
    UnfreezeRequest,
)
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1/accounts", tags=["accounts"])
Reason = Annotated[str, Query(min_length=1, max_length=200)]


def _maybe_pending(result: object) -> object:
    if isinstance(result, PendingApproval):
        return JSONResponse(result.model_dump(mode="json"), status_code=202)
    return result


@router.post("", response_model=AccountRead, status_code=201, summary="Open a deposit account at your branch")
def open_account(
    bank: BankDep,
    cmd: AccountOpen,
    key: IdempotencyKey,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_OPEN))],
) -> AccountRead:
    return bank.run(accounts.open_account, actor, cmd, key)


@router.get("/{number}", response_model=AccountRead, summary="Balance (ledger and available), status, holds")
def get(
    bank: BankDep, number: str, actor: Annotated[Actor, Depends(requires(P.ACCOUNT_READ))]
) -> AccountRead:
    return bank.run(accounts.get_account, actor, number, readonly=True)


@router.get(
    "/{number}/transactions",
    response_model=TransactionPage,
    summary="History with running balance, newest first; follow next_cursor",
)
def transactions(
    bank: BankDep,
    number: str,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_READ))],
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    from_date: date | None = None,
    to_date: date | None = None,
) -> TransactionPage:
    return bank.run(
        accounts.history,
        actor,
        number,
        cursor=cursor,
        limit=limit,
        from_date=from_date,
        to_date=to_date,
        readonly=True,
    )


@router.get(
    "/{number}/statement.csv",
    summary="CSV statement for a period (streamed in chunks)",
    response_class=StreamingResponse,
)
def statement_csv(
    bank: BankDep,
    number: str,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_READ))],
    from_date: date | None = None,
    to_date: date | None = None,
) -> StreamingResponse:
    first = bank.run(
        accounts.statement_chunk, actor, number, from_date=from_date, to_date=to_date, after_line=None
    )

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(
            [
                "booking_date",
                "value_date",
                "entry_id",
                "kind",
                "reference",
                "memo",
                "amount",
                "balance",
                "channel",
            ]
        )
        chunk = first
        while chunk:
            for t in chunk:
                w.writerow(
                    [
                        t.booking_date,
                        t.value_date,
                        t.entry_id,
                        t.kind,
                        t.reference or "",
                        t.memo,
                        t.amount,
                        t.balance_after or "",
                        t.channel,
                    ]
                )
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
            chunk = bank.run(
                accounts.statement_chunk,
                actor,
                number,
                from_date=from_date,
                to_date=to_date,
                after_line=chunk[-1].line_id,
                readonly=True,
            )
        if buf.getvalue():
            yield buf.getvalue()

    name = f"statement-{number}-{from_date or 'start'}-{to_date or 'today'}.csv"
    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/{number}/cash-deposits",
    response_model=CashReceipt,
    status_code=201,
    summary="Cash paid in at the counter, into your till",
)
def cash_deposit(
    bank: BankDep,
    number: str,
    cmd: CashOperation,
    key: IdempotencyKey,
    actor: Annotated[Actor, Depends(requires(P.CASH_OPERATE))],
) -> CashReceipt:
    return bank.run(accounts.cash_deposit, actor, number, cmd, key)


@router.post(
    "/{number}/cash-withdrawals",
    response_model=CashReceipt,
    status_code=201,
    responses={202: {"model": PendingApproval, "description": "waits for a supervisor"}},
    summary="Cash paid out from your till (a supervisor approves large amounts)",
)
def cash_withdrawal(
    bank: BankDep,
    number: str,
    cmd: CashOperation,
    key: IdempotencyKey,
    actor: Annotated[Actor, Depends(requires(P.CASH_OPERATE))],
) -> object:
    return _maybe_pending(bank.run(accounts.cash_withdrawal, actor, number, cmd, key))


@router.post(
    "/{number}/freeze", response_model=HoldRead, status_code=201, summary="Freeze fully or by amount"
)
def freeze(
    bank: BankDep,
    number: str,
    cmd: FreezeRequest,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_FREEZE))],
) -> HoldRead:
    return bank.run(accounts.freeze, actor, number, cmd)


@router.post("/{number}/unfreeze", response_model=HoldRead, summary="Lift a freeze")
def unfreeze(
    bank: BankDep,
    number: str,
    cmd: UnfreezeRequest,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_FREEZE))],
) -> HoldRead:
    return bank.run(accounts.unfreeze, actor, number, cmd)


@router.get("/{number}/holds", response_model=list[HoldRead], summary="Holds and freezes on the account")
def holds(
    bank: BankDep, number: str, actor: Annotated[Actor, Depends(requires(P.ACCOUNT_READ))], all: bool = False
) -> list[HoldRead]:
    return bank.run(accounts.list_holds, actor, number, active_only=not all, readonly=True)


@router.post("/{number}/holds", response_model=HoldRead, status_code=201, summary="Hold an amount (止付)")
def place_hold(
    bank: BankDep, number: str, cmd: HoldRequest, actor: Annotated[Actor, Depends(requires(P.ACCOUNT_HOLD))]
) -> HoldRead:
    return bank.run(accounts.place_hold, actor, number, cmd)


@router.post("/{number}/holds/{hold_id}/release", response_model=HoldRead, summary="Release a hold")
def release_hold(
    bank: BankDep,
    number: str,
    hold_id: int,
    reason: Reason,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_HOLD))],
) -> HoldRead:
    return bank.run(accounts.release_hold, actor, number, hold_id, reason)


@router.post(
    "/{number}/blocks", response_model=AccountRead, summary="Debit-block or credit-block the account"
)
def blocks(
    bank: BankDep,
    number: str,
    cmd: BlockRequest,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_FREEZE))],
) -> AccountRead:
    return bank.run(accounts.set_blocks, actor, number, cmd)


@router.post("/{number}/reactivate", response_model=AccountRead, summary="Reactivate a dormant account")
def reactivate(
    bank: BankDep, number: str, reason: Reason, actor: Annotated[Actor, Depends(requires(P.ACCOUNT_HOLD))]
) -> AccountRead:
    return bank.run(accounts.reactivate, actor, number, reason)


@router.post(
    "/{number}/close",
    response_model=AccountClosedRead,
    responses={202: {"model": PendingApproval, "description": "balance settlement waits for a supervisor"}},
    summary="Close the account, settling any balance to cash or another account",
)
def close(
    bank: BankDep,
    number: str,
    cmd: CloseRequest,
    key: IdempotencyKey,
    response: Response,
    actor: Annotated[Actor, Depends(requires(P.ACCOUNT_CLOSE))],
) -> object:
    return _maybe_pending(bank.run(accounts.close_account, actor, number, cmd, key))
