"""The channel registry, limits and fees (staff), and a customer's tier and limits.

Full paths, no router prefix: the customer's tier and limits live under /api/v1/customers. The fixed paths
(/limits, /fees) come before /api/v1/channels/{code}; the monitor's /metrics and /alerts are registered before
this router, by the app.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import BaseModel

from corebank import customers
from corebank.channels import limits, registry
from corebank.channels.limit_schemas import CustomerLimitSet, LimitRead, LimitRuleRead, LimitRuleSet
from corebank.channels.registry_schemas import ChannelChange, ChannelRead
from corebank.customers.tier import TierRead
from corebank.products import fee_schedule
from corebank.products.fee_schemas import FeeQuote, FeeQuoteAsk, FeeRuleRead, FeeRuleSet
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(tags=["channels"])
Reader = Annotated[Actor, Depends(requires(P.CHANNEL_READ))]
Admin = Annotated[Actor, Depends(requires(P.CHANNEL_ADMIN))]
CustomerWriter = Annotated[Actor, Depends(requires(P.CUSTOMER_WRITE))]
BASE = "/api/v1/channels"


class TierSet(BaseModel):
    """A customer's new tier: standard | gold | vip."""

    tier: str


# ---------------------------------------------------------------- limits


@router.get(f"{BASE}/limits", response_model=list[LimitRuleRead], summary="The bank's channel limit table")
def list_limits(bank: BankDep, actor: Reader, channel: str | None = None) -> list[LimitRuleRead]:
    return bank.run(limits.list_limit_rules, actor, channel, readonly=True)


@router.put(
    f"{BASE}/limits",
    response_model=LimitRuleRead,
    summary="Set one row of the channel limit table (effective for the next request)",
    description="Found by channel, tx_type, tier, account_class, strength and currency; created or replaced. "
    "A field left out sets nothing on this row (a less specific row's value applies). A row with no values "
    "is removed (204). Per field the most specific matching row wins: strength, then account class, then tier.",
    responses={204: {"description": "the row had no values left and was removed"}},
)
def set_limit(bank: BankDep, actor: Admin, cmd: LimitRuleSet) -> LimitRuleRead | Response:
    read = bank.run(limits.set_limit_rule, actor, cmd)
    return Response(status_code=204) if read is None else read


@router.get(
    "/api/v1/customers/{number}/limits",
    response_model=list[LimitRead],
    tags=["customers"],
    summary="A customer's channel limits and today's use",
    description="By default the limits for any account class and strength; name them to see those.",
)
def customer_limits(
    bank: BankDep,
    actor: Reader,
    number: str,
    channel: str | None = None,
    account_class: Annotated[int, Query(ge=0, le=3)] = 0,
    strength: str = "*",
) -> list[LimitRead]:
    return bank.run(
        limits.customer_limits,
        actor,
        number,
        channel,
        account_class=account_class,
        strength=strength,
        readonly=True,
    )


@router.put(
    "/api/v1/customers/{number}/limits",
    response_model=LimitRead,
    tags=["customers"],
    summary="Lower a customer's own limit on a channel (at the customer's request)",
    description="Never above the bank's: LIMIT_ABOVE_BANK (422). Leave both out to go back to the bank's.",
)
def set_customer_limit(bank: BankDep, actor: CustomerWriter, number: str, cmd: CustomerLimitSet) -> LimitRead:
    return bank.run(limits.set_customer_limit_cmd, actor, number, cmd)


@router.put(
    "/api/v1/customers/{number}/tier",
    response_model=TierRead,
    tags=["customers"],
    summary="Move a customer to a tier (standard | gold | vip): it picks their limits and fees",
)
def set_tier(bank: BankDep, actor: CustomerWriter, number: str, cmd: TierSet) -> TierRead:
    return bank.run(customers.set_tier, actor, number, cmd.tier)


# ---------------------------------------------------------------- fees


@router.get(f"{BASE}/fees", response_model=list[FeeRuleRead], summary="The fee table")
def list_fees(bank: BankDep, actor: Reader, tx_type: str | None = None) -> list[FeeRuleRead]:
    return bank.run(fee_schedule.list_fee_rules, actor, tx_type, readonly=True)


@router.put(
    f"{BASE}/fees",
    response_model=FeeRuleRead,
    summary="Set one band of a fee rule (effective for the next transaction)",
    description="Found by tx_type, channel, tier, branch_code, currency and band_upto; created or replaced. "
    "The most specific matching rule wins (tier, then branch, then channel), its lowest band covering the "
    "amount; fee = fixed_fee + amount x rate, rounded half up, at most cap.",
)
def set_fee(bank: BankDep, actor: Admin, cmd: FeeRuleSet) -> FeeRuleRead:
    return bank.run(fee_schedule.set_fee_rule, actor, cmd)


@router.post(f"{BASE}/fees/quote", response_model=FeeQuote, summary="What a transaction would cost")
def quote_fee(bank: BankDep, actor: Reader, ask: FeeQuoteAsk) -> FeeQuote:
    return bank.run(fee_schedule.quote_fee, actor, ask, readonly=True)


# ---------------------------------------------------------------- the registry


@router.get(BASE, response_model=list[ChannelRead], summary="Every channel, open or closed")
def list_channels(bank: BankDep, actor: Reader) -> list[ChannelRead]:
    return bank.run(registry.list_channels, actor, readonly=True)


@router.get(f"{BASE}/{{code}}", response_model=ChannelRead, summary="One channel, open or closed")
def get_channel(bank: BankDep, actor: Reader, code: str) -> ChannelRead:
    return bank.run(registry.get_channel, actor, code, readonly=True)


@router.post(
    f"{BASE}/{{code}}/close",
    response_model=ChannelRead,
    summary="Close a channel, or one transaction type on it, at once for every request",
    description="Requests then get CHANNEL_CLOSED or CHANNEL_TX_CLOSED (503; ISO 8583 91). Closing the counter "
    "is recorded, but teller services do not consult the registry (the answer's note says so).",
)
def close_channel(
    bank: BankDep, actor: Admin, code: str, cmd: Annotated[ChannelChange | None, Body()] = None
) -> ChannelRead:
    cmd = cmd or ChannelChange()
    return bank.run(registry.close_channel, actor, code, cmd.tx_type, cmd.reason)


@router.post(
    f"{BASE}/{{code}}/open",
    response_model=ChannelRead,
    summary="Open a channel, or one transaction type on it, again",
    description="Opening the whole channel leaves the transaction types closed one by one closed.",
)
def open_channel(
    bank: BankDep, actor: Admin, code: str, cmd: Annotated[ChannelChange | None, Body()] = None
) -> ChannelRead:
    cmd = cmd or ChannelChange()
    return bank.run(registry.open_channel, actor, code, cmd.tx_type, cmd.reason)
