"""Direct debit mandates (代扣), standing orders and bill payment to registered billers."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from corebank.payments import billers, mandates, standing_orders
from corebank.payments.mandate_schemas import (
    BillerCreate,
    BillerRead,
    BillPaymentCreate,
    BillPaymentRead,
    CollectionCreate,
    DebitSchedule,
    DirectDebitRead,
    MandateCreate,
    MandateRead,
    MandateRevoke,
    StandingOrderCreate,
    StandingOrderRead,
)
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1", tags=["mandates"])
Reader = Annotated[Actor, Depends(requires(P.PAYMENT_READ))]
Writer = Annotated[Actor, Depends(requires(P.MANDATE_WRITE))]
Operator = Annotated[Actor, Depends(requires(P.PAYMENT_OPERATE))]
Payer = Annotated[Actor, Depends(requires(P.PAYMENT_CREATE))]
Limit = Annotated[int, Query(ge=1, le=500)]

# ---------------------------------------------------------------------------------------------- mandates


@router.post(
    "/mandates",
    response_model=MandateRead,
    status_code=201,
    summary="Sign a direct debit mandate (签约代扣) for a customer's account",
    description="The creditor is a biller (`biller_code`, the reference checked by its rule) or an account in "
    "this bank (`creditor_account`). Refused with MANDATE_DEBTOR_NOT_CUSTOMERS when the account is not the "
    "customer's, MANDATE_INVALID for bad limits or dates.",
)
def create_mandate(bank: BankDep, actor: Writer, cmd: MandateCreate) -> MandateRead:
    return bank.run(mandates.create_mandate, actor, cmd)


@router.get("/mandates", response_model=list[MandateRead], summary="Mandates, newest first")
def list_mandates(
    bank: BankDep,
    actor: Reader,
    customer: str | None = None,
    account: str | None = None,
    status: Literal["active", "revoked", "expired"] | None = None,
    limit: Limit = 100,
) -> list[MandateRead]:
    return bank.run(
        mandates.list_mandates,
        actor,
        customer_number=customer,
        account=account,
        status=status,
        limit=limit,
        readonly=True,
    )


@router.get("/mandates/{mandate_id}", response_model=MandateRead, summary="One mandate")
def get_mandate(bank: BankDep, actor: Reader, mandate_id: int) -> MandateRead:
    return bank.run(mandates.get_mandate, actor, mandate_id, readonly=True)


@router.post(
    "/mandates/{mandate_id}/revoke",
    response_model=MandateRead,
    summary="Revoke a mandate (解约); its open debits are cancelled",
)
def revoke_mandate(bank: BankDep, actor: Writer, mandate_id: int, cmd: MandateRevoke) -> MandateRead:
    return bank.run(mandates.revoke_mandate, actor, mandate_id, cmd)


@router.post(
    "/mandates/{mandate_id}/collections",
    response_model=DirectDebitRead,
    status_code=201,
    summary="Collect under a mandate now (Idempotency-Key)",
    description="Answers the debit: `collected`, or `failed` with `last_error` (e.g. INSUFFICIENT_FUNDS) and "
    "`next_attempt_date` when a retry is scheduled. Refused, changing nothing, with MANDATE_LIMIT_EXCEEDED, "
    "MANDATE_MONTHLY_LIMIT_EXCEEDED, MANDATE_EXPIRED or MANDATE_NOT_ACTIVE.",
)
def collect(
    bank: BankDep, actor: Operator, mandate_id: int, cmd: CollectionCreate, key: IdempotencyKey
) -> DirectDebitRead:
    return bank.run(mandates.collect, actor, mandate_id, cmd, key)


@router.post(
    "/mandates/{mandate_id}/debits",
    response_model=DirectDebitRead,
    status_code=201,
    summary="Schedule a direct debit for a due date; end of day collects it",
)
def schedule_debit(bank: BankDep, actor: Operator, mandate_id: int, cmd: DebitSchedule) -> DirectDebitRead:
    return bank.run(mandates.schedule_debit, actor, mandate_id, cmd)


@router.get(
    "/mandates/{mandate_id}/debits", response_model=list[DirectDebitRead], summary="A mandate's direct debits"
)
def list_debits(bank: BankDep, actor: Reader, mandate_id: int) -> list[DirectDebitRead]:
    return bank.run(mandates.list_debits, actor, mandate_id, readonly=True)


# ---------------------------------------------------------------------------------------------- standing orders


@router.post(
    "/standing-orders",
    response_model=StandingOrderRead,
    status_code=201,
    summary="Set up a standing order (定期转账), run by end of day",
)
def create_standing_order(bank: BankDep, actor: Writer, cmd: StandingOrderCreate) -> StandingOrderRead:
    return bank.run(standing_orders.create_standing_order, actor, cmd)


@router.get(
    "/standing-orders", response_model=list[StandingOrderRead], summary="Standing orders, newest first"
)
def list_standing_orders(
    bank: BankDep,
    actor: Reader,
    account: str | None = None,
    status: Literal["active", "ended", "cancelled", "suspended"] | None = None,
    limit: Limit = 100,
) -> list[StandingOrderRead]:
    return bank.run(
        standing_orders.list_standing_orders,
        actor,
        account=account,
        status=status,
        limit=limit,
        readonly=True,
    )


@router.get(
    "/standing-orders/{order_id}",
    response_model=StandingOrderRead,
    summary="One standing order with its runs",
)
def get_standing_order(bank: BankDep, actor: Reader, order_id: int) -> StandingOrderRead:
    return bank.run(standing_orders.get_standing_order, actor, order_id, readonly=True)


@router.post(
    "/standing-orders/{order_id}/cancel", response_model=StandingOrderRead, summary="Cancel a standing order"
)
def cancel_standing_order(bank: BankDep, actor: Writer, order_id: int) -> StandingOrderRead:
    return bank.run(standing_orders.cancel_standing_order, actor, order_id)


# ---------------------------------------------------------------------------------------------- billers


@router.post("/billers", response_model=BillerRead, status_code=201, summary="Register a biller")
def register_biller(bank: BankDep, actor: Operator, cmd: BillerCreate) -> BillerRead:
    return bank.run(billers.register_biller, actor, cmd)


@router.get("/billers", response_model=list[BillerRead], summary="Registered billers")
def list_billers(
    bank: BankDep, actor: Reader, category: Literal["utilities", "telecom", "other"] | None = None
) -> list[BillerRead]:
    return bank.run(billers.list_billers, actor, category, readonly=True)


@router.post(
    "/bill-payments",
    response_model=BillPaymentRead,
    status_code=201,
    summary="Pay a bill (缴费) to a registered biller (Idempotency-Key)",
    description="Refused with BILLER_REFERENCE_INVALID when the reference does not follow the biller's rule, "
    "BILLER_AMOUNT_OUT_OF_RANGE outside its amounts.",
)
def pay_bill(bank: BankDep, actor: Payer, cmd: BillPaymentCreate, key: IdempotencyKey) -> BillPaymentRead:
    return bank.run(billers.pay_bill, actor, cmd, key)
