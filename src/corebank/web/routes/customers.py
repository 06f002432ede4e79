"""Customers (ECIF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from corebank import accounts, customers
from corebank.customers import CustomerCreate, CustomerRead, CustomerUpdate
from corebank.customers.schemas import CustomerChangeRead
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/customers", tags=["customers"])


@router.post(
    "", response_model=CustomerRead, status_code=201, summary="Open a customer (one per ID document)"
)
def open_customer(
    bank: BankDep, cmd: CustomerCreate, actor: Annotated[Actor, Depends(requires(P.CUSTOMER_WRITE))]
) -> CustomerRead:
    return bank.run(customers.open_customer, actor, cmd)


@router.get(
    "", response_model=list[CustomerRead], summary="Search by name prefix, number, phone or ID number"
)
def search(
    bank: BankDep,
    actor: Annotated[Actor, Depends(requires(P.CUSTOMER_READ))],
    q: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    after: str | None = None,
) -> list[CustomerRead]:
    return bank.run(
        customers.search_customers,
        actor,
        q,
        limit=limit,
        after_number=after,
        readonly=True,
    )


@router.get("/{number}", response_model=CustomerRead, summary="A customer by number")
def get(
    bank: BankDep, number: str, actor: Annotated[Actor, Depends(requires(P.CUSTOMER_READ))]
) -> CustomerRead:
    return bank.run(customers.get_customer, actor, number, readonly=True)


@router.patch("/{number}", response_model=CustomerRead, summary="Change a customer's data (kept in history)")
def update(
    bank: BankDep,
    number: str,
    cmd: CustomerUpdate,
    actor: Annotated[Actor, Depends(requires(P.CUSTOMER_WRITE))],
) -> CustomerRead:
    return bank.run(customers.update_customer, actor, number, cmd)


@router.get(
    "/{number}/history", response_model=list[CustomerChangeRead], summary="Changes to a customer's data"
)
def history(
    bank: BankDep, number: str, actor: Annotated[Actor, Depends(requires(P.CUSTOMER_READ))]
) -> list[CustomerChangeRead]:
    return bank.run(customers.customer_history, actor, number, readonly=True)


@router.get("/{number}/accounts", response_model=list[accounts.AccountRead], summary="A customer's accounts")
def customer_accounts(
    bank: BankDep, number: str, actor: Annotated[Actor, Depends(requires(P.ACCOUNT_READ))]
) -> list[accounts.AccountRead]:
    return bank.run(accounts.accounts_of_customer, actor, number, readonly=True)
