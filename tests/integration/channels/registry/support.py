"""Helpers for the registry, limit and fee tests: a channel manager, customers by id, the day's use."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from corebank import customers
from corebank.bootstrap import Bank
from corebank.channels import limits
from corebank.channels.limit_models import LimitUsage
from corebank.db.models import AuditRecord
from corebank.kernel.money import Money
from corebank.security import Actor
from corebank.security.permissions import CUSTOMER_CHANNEL
from tests.factories import new_customer
from tests.integration.conftest import FreshBank


def manager(fb: FreshBank) -> Actor:
    """The bank's channel manager (CHANNEL_ADMIN), made once per fresh bank."""
    return fb.actors.get("chief") or fb.add_staff("chief", "channel_manager", "0001")


def customer_id(bank: Bank, teller: Actor) -> tuple[str, int]:
    """A new customer: (number, internal id)."""
    number = new_customer(bank, teller).number
    ref = bank.run(customers.customer_ref, number, readonly=True)
    return number, ref.id


def customer_actor(cid: int, channel: str = "internet", strength: str = "sms") -> Actor:
    """The customer acting for themselves on an e-channel (as the customer token's actor is)."""
    return Actor(
        username=f"customer:c{cid}",
        user_id=None,
        roles=("customer",),
        branch_code="0001",
        channel=channel,
        permissions=CUSTOMER_CHANNEL,
        branches=None,
        customer_id=cid,
        strength=strength,
    )


def check(
    bank: Bank,
    cid: int,
    channel: str,
    tx_type: str,
    amount: str,
    *,
    account_class: int = 1,
    tier: str = "standard",
    strength: str = "sms",
) -> None:
    """One request's limit check and count, in a transaction of its own."""
    bank.run(
        lambda uow: limits.check_and_record(
            uow,
            customer_id=cid,
            channel=channel,
            tx_type=tx_type,
            amount=Money.of(amount, "CNY"),
            account_class=account_class,
            tier=tier,
            strength=strength,
        )
    )


def used(bank: Bank, cid: int, channel: str, tx_type: str) -> tuple[int, int]:
    """(amount in minor units, count) the customer used today on the channel and type."""

    def read(uow: Any) -> tuple[int, int]:
        row = uow.session.execute(
            select(
                func.coalesce(func.sum(LimitUsage.amount), 0), func.coalesce(func.sum(LimitUsage.count), 0)
            ).where(
                LimitUsage.customer_id == cid,
                LimitUsage.channel == channel,
                LimitUsage.tx_type == tx_type,
                LimitUsage.day == uow.business_date,
            )
        ).one()
        return int(row[0]), int(row[1])

    return bank.run(read, readonly=True)  # type: ignore[no-any-return]


def audit_actions(bank: Bank, action_prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(action, object id, detail) of the audit records whose action starts with `action_prefix`."""
    import json

    def read(uow: Any) -> list[tuple[str, str, dict[str, Any]]]:
        rows = uow.session.execute(
            select(AuditRecord.action, AuditRecord.object_id, AuditRecord.detail)
            .where(AuditRecord.action.startswith(action_prefix))
            .order_by(AuditRecord.seq)
        ).all()
        return [(a, o, json.loads(d) if isinstance(d, str) else d) for a, o, d in rows]

    return bank.run(read, readonly=True)  # type: ignore[no-any-return]
