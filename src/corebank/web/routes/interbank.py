"""Interbank payments (跨行支付): send, look up, list."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request

from corebank.payments import clearing_link, interbank
from corebank.payments.interbank_schemas import InterbankCreate, InterbankPage, InterbankRead
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])


def _send_now(request: Request) -> None:
    """After the answer: try to send to clearing at once (the sender thread retries if clearing is down).
    Tests put a client for the simulator in `app.state.clearing_client`."""
    bank = request.app.state.bank
    if float(bank.settings.clearing_send_interval_seconds) <= 0:
        return
    clearing_link.try_send(bank, getattr(request.app.state, "clearing_client", None))


@router.post(
    "/interbank",
    response_model=InterbankRead,
    status_code=201,
    summary="Send money to an account at another bank through clearing (跨行转账)",
)
def send_interbank(
    request: Request,
    bank: BankDep,
    cmd: InterbankCreate,
    key: IdempotencyKey,
    background: BackgroundTasks,
    actor: Annotated[Actor, Depends(requires(P.PAYMENT_CREATE))],
) -> InterbankRead:
    paid: InterbankRead = bank.run(interbank.send_interbank, actor, cmd, key)
    background.add_task(_send_now, request)
    return paid


@router.get("/{payment_id}", response_model=InterbankRead, summary="An interbank payment and its status")
def get_payment(
    bank: BankDep, payment_id: int, actor: Annotated[Actor, Depends(requires(P.PAYMENT_READ))]
) -> InterbankRead:
    return bank.run(interbank.get_payment, actor, payment_id, readonly=True)


@router.get("", response_model=InterbankPage, summary="Interbank payments, newest first")
def list_payments(
    bank: BankDep,
    actor: Annotated[Actor, Depends(requires(P.PAYMENT_READ))],
    status: str | None = None,
    direction: str | None = None,
    value_date: date | None = None,
    account: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> InterbankPage:
    return bank.run(
        interbank.list_payments,
        actor,
        status=status,
        direction=direction,
        value_date=value_date,
        account=account,
        cursor=cursor,
        limit=limit,
        readonly=True,
    )


def start_clearing_sender(app: Any, bank: Any) -> clearing_link.Sender | None:
    """Start the background clearing sender when `clearing_send_interval_seconds` > 0 (`corebank serve`)."""
    interval = float(bank.settings.clearing_send_interval_seconds)
    if interval <= 0:
        return None
    sender = clearing_link.Sender(bank, interval).start()
    app.state.clearing_sender = sender
    return sender
