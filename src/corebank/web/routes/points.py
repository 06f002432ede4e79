"""Points (积分): the customer's own points and redemption, staff views and adjustments, earning rules."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from corebank.channels import points
from corebank.channels.points_schemas import (
    AdjustmentCreate,
    AdjustmentRead,
    PointsAccountRead,
    PointsRuleRead,
    PointsRulesUpdate,
    RedemptionCreate,
    RedemptionRead,
)
from corebank.security import Actor, P
from corebank.web.customer_deps import CustomerDep
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1", tags=["points"])
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get(
    "/me/points",
    response_model=PointsAccountRead,
    summary="My points: balance, what expires soon, history newest first (follow next_cursor)",
)
def my_points(
    bank: BankDep, actor: CustomerDep, cursor: str | None = None, limit: Limit = 50
) -> PointsAccountRead:
    return bank.run(points.my_points, actor, cursor=cursor, limit=limit, readonly=True)


@router.post(
    "/me/points/redemptions",
    response_model=RedemptionRead,
    status_code=201,
    summary="Redeem my points for cash into one of my accounts (oldest points first)",
)
def redeem(bank: BankDep, actor: CustomerDep, cmd: RedemptionCreate, key: IdempotencyKey) -> RedemptionRead:
    return bank.run(points.redeem, actor, cmd, key)


@router.get(
    "/customers/{number}/points",
    response_model=PointsAccountRead,
    summary="A customer's points: balance, what expires soon, history newest first",
)
def customer_points(
    bank: BankDep,
    number: str,
    actor: Annotated[Actor, Depends(requires(P.CUSTOMER_READ))],
    cursor: str | None = None,
    limit: Limit = 50,
) -> PointsAccountRead:
    return bank.run(points.customer_points, actor, number, cursor=cursor, limit=limit, readonly=True)


@router.post(
    "/customers/{number}/points/adjustments",
    response_model=AdjustmentRead,
    status_code=201,
    summary="Add points to a customer or take them away, with a reason (audited)",
)
def adjust(
    bank: BankDep,
    number: str,
    cmd: AdjustmentCreate,
    key: IdempotencyKey,
    actor: Annotated[Actor, Depends(requires(P.POINTS_OPERATE))],
) -> AdjustmentRead:
    return bank.run(points.adjust, actor, number, cmd, key)


@router.get("/points/rules", response_model=list[PointsRuleRead], summary="The points earning rules")
def rules(
    bank: BankDep, actor: Annotated[Actor, Depends(requires(P.POINTS_OPERATE))]
) -> list[PointsRuleRead]:
    return bank.run(points.list_rules, actor, readonly=True)


@router.put(
    "/points/rules",
    response_model=list[PointsRuleRead],
    summary="Write points earning rules by code (the others stay as they are); returns every rule",
)
def put_rules(
    bank: BankDep, cmd: PointsRulesUpdate, actor: Annotated[Actor, Depends(requires(P.POINTS_OPERATE))]
) -> list[PointsRuleRead]:
    return bank.run(points.update_rules, actor, cmd)
