"""The customer's transfers and bill payments (included by `me`, under /api/v1/me)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query

from corebank.bootstrap import Bank
from corebank.channels import me_transfers, signing
from corebank.channels.errors import SigningCodeInvalid
from corebank.channels.me_schemas import (
    MyBiller,
    MyBillPayment,
    MyTransferCreate,
    MyTransferPage,
    MyTransferRead,
    SigningProof,
    TransferQuote,
    TransferQuoteRequest,
)
from corebank.payments.mandate_schemas import BillPaymentRead
from corebank.security import Actor
from corebank.web.customer_deps import CustomerDep
from corebank.web.deps import BankDep, IdempotencyKey

T = TypeVar("T")

router = APIRouter(tags=["me"])
MONEY = (
    "Needs an Idempotency-Key (a retry returns the first answer and counts no limit twice). Over the signing "
    "threshold without `signing`: SIGNING_REQUIRED (428) naming the payee to sign for; a wrong, used or "
    "mismatched code: SIGNING_CODE_INVALID (401). Over a limit: LIMIT_EXCEEDED. A closed channel: "
    "CHANNEL_CLOSED. Someone else's account or payee: NOT_FOUND."
)


def _signed(bank: Bank, actor: Actor, proof: SigningProof | None, fn: Callable[..., T], *args: Any) -> T:
    """Run a signed use case; a refused code rolls back with it, so the wrong try is then counted against its
    challenge in a transaction of its own (the challenge is void after too many) before the refusal goes out."""
    try:
        return bank.run(fn, actor, *args)
    except SigningCodeInvalid:
        if proof is not None:
            bank.run(signing.record_failure, actor, proof.challenge_id)
        raise


@router.post(
    "/transfers/quote",
    response_model=TransferQuote,
    summary="What a transfer would cost before I confirm it: fee, total, signing needed, limit left today",
)
def quote_transfer(bank: BankDep, actor: CustomerDep, cmd: TransferQuoteRequest) -> TransferQuote:
    return bank.run(me_transfers.quote_transfer, actor, cmd, readonly=True)


@router.post(
    "/transfers",
    response_model=MyTransferRead,
    status_code=201,
    summary="Transfer from my account to an account in this bank or at another bank, or to a payee",
    description=MONEY,
)
def make_transfer(
    bank: BankDep, actor: CustomerDep, cmd: MyTransferCreate, key: IdempotencyKey
) -> MyTransferRead:
    return _signed(bank, actor, cmd.signing, me_transfers.make_transfer, cmd, key)


@router.get(
    "/transfers",
    response_model=MyTransferPage,
    summary="My transfers, newest first (interbank ones with their clearing status); follow next_cursor",
)
def my_transfers(
    bank: BankDep,
    actor: CustomerDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MyTransferPage:
    return bank.run(me_transfers.my_transfers, actor, cursor=cursor, limit=limit, readonly=True)


@router.get("/billers", response_model=list[MyBiller], summary="The billers I can pay")
def my_billers(bank: BankDep, actor: CustomerDep) -> list[MyBiller]:
    return bank.run(me_transfers.my_billers, actor, readonly=True)


@router.post(
    "/bill-payments",
    response_model=BillPaymentRead,
    status_code=201,
    summary="Pay a bill from my account",
    description=MONEY + ' The signing payee is "biller:<code>:<reference>".',
)
def pay_bill(bank: BankDep, actor: CustomerDep, cmd: MyBillPayment, key: IdempotencyKey) -> BillPaymentRead:
    return _signed(bank, actor, cmd.signing, me_transfers.pay_my_bill, cmd, key)
