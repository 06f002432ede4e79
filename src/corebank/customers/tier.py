"""A customer's service tier (standard, gold, vip): it picks their channel limits and fees (VIP fees are waived
by default)."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select

from corebank.customers.errors import CustomerNotFound
from corebank.customers.models import Customer, CustomerChange
from corebank.db.fastsql import FastSQL
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.security import Actor, P

TIERS = ("standard", "gold", "vip")
DEFAULT_TIER = "standard"


class InvalidTier(InvalidRequest):
    code = "INVALID_TIER"
    title = "No such customer tier"


class TierRead(BaseModel):
    """A customer's tier."""

    number: str
    tier: str


# Asked on every card and e-channel payment (it picks the limits): plain SQL on the driver's cursor.
_TIER_OF = FastSQL("SELECT tier FROM customers WHERE id = :id")


def tier_of(uow: UnitOfWork, customer_id: int) -> str:
    """The tier of the customer with internal id `customer_id` ("standard" for an unknown id)."""
    cursor = _TIER_OF.execute(uow, {"id": customer_id})
    row = cursor.fetchone()
    cursor.close()
    return (row[0] if row else None) or DEFAULT_TIER


def set_tier(uow: UnitOfWork, actor: Actor, customer_number: str, tier: str) -> TierRead:
    """Move a customer to another tier; the change is kept in the customer's history and audited."""
    actor.require(P.CUSTOMER_WRITE)
    tier = tier.strip().lower()
    if tier not in TIERS:
        raise InvalidTier(f"tier {tier!r} is not one of {', '.join(TIERS)}")
    c = uow.session.execute(select(Customer).where(Customer.number == customer_number)).scalar()
    if c is None:
        raise CustomerNotFound(f"no customer {customer_number}")
    if c.tier == tier:
        return TierRead(number=c.number, tier=c.tier)
    before = c.tier
    c.tier = tier
    c.version += 1
    c.updated_at = uow.now
    uow.session.add(
        CustomerChange(
            customer_id=c.id,
            version=c.version,
            changed_by=actor.username,
            changed_at=uow.now,
            changes={"tier": [before, tier]},
        )
    )
    uow.session.flush()
    uow.audit(actor, "customer.tier", "customer", c.number, before=before, after=tier)
    uow.publish(Event("CustomerUpdated", "customer", c.number, {"fields": ["tier"]}))
    return TierRead(number=c.number, tier=tier)
