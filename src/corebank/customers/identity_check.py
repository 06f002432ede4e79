"""Checks of a customer's identity for other areas (e-banking enrollment): does the ID number the customer
presents, or the phone they give, match what is on file? Answered through the keyed hash index, never by
decrypting."""

from __future__ import annotations

from sqlalchemy import select

from corebank.customers import rules
from corebank.customers.errors import CustomerNotFound
from corebank.customers.models import Customer
from corebank.customers.schemas import CustomerRef
from corebank.db.uow import UnitOfWork
from corebank.security import cipher_for


def id_matches(uow: UnitOfWork, customer_id: int, id_number: str, *, id_type: str | None = None) -> bool:
    """Whether `id_number` (and `id_type`, when given) is the ID document the customer registered with."""
    row = uow.session.execute(
        select(Customer.id_type, Customer.id_hash).where(Customer.id == customer_id)
    ).first()
    if row is None or (id_type is not None and id_type != row.id_type):
        return False
    return cipher_for(uow.settings).index(rules.normalize_id(row.id_type, id_number)) == row.id_hash


def phone_matches(uow: UnitOfWork, customer_id: int, phone: str) -> bool:
    """Whether `phone` is the phone on file for the customer."""
    h = uow.session.execute(select(Customer.phone_hash).where(Customer.id == customer_id)).scalar()
    return h is not None and cipher_for(uow.settings).index(phone.replace(" ", "")) == h


def phone_problem(phone: str) -> str | None:
    """Why a phone number is not acceptable for a customer, or None."""
    return rules.phone_problem(phone)


def customer_ref_by_id(uow: UnitOfWork, customer_id: int) -> CustomerRef:
    """The customer with internal id `customer_id` (any status), for other areas."""
    c = uow.session.execute(
        select(
            Customer.id, Customer.number, Customer.type, Customer.name, Customer.status, Customer.home_branch
        ).where(Customer.id == customer_id)
    ).first()
    if c is None:
        raise CustomerNotFound(f"no customer with id {customer_id}")
    return CustomerRef(
        id=c.id, number=c.number, type=c.type, name=c.name, status=c.status, home_branch=c.home_branch
    )
