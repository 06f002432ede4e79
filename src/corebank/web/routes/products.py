"""The product factory: define, change, activate and retire deposit products; their rates under
maker-checker (a proposal answers 202 and is approved through /api/v1/approvals/{id}/approve)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from corebank import products
from corebank.products import (
    PendingRateChange,
    ProductCreate,
    ProductRead,
    ProductUpdate,
    RateChange,
    RateRead,
)
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/products", tags=["products"])
Reader = Annotated[Actor, Depends(requires(P.PRODUCT_READ))]
Writer = Annotated[Actor, Depends(requires(P.PRODUCT_WRITE))]


@router.get("", response_model=list[ProductRead], summary="The product catalogue")
def product_list(bank: BankDep, actor: Reader) -> list[ProductRead]:
    return bank.run(products.list_products, actor, readonly=True)


@router.post("", response_model=ProductRead, status_code=201, summary="Define a product (starts as a draft)")
def create(bank: BankDep, cmd: ProductCreate, actor: Writer) -> ProductRead:
    return bank.run(products.create_product, actor, cmd)


@router.get("/{code}", response_model=ProductRead, summary="One product with all its parameters")
def get(bank: BankDep, code: str, actor: Reader) -> ProductRead:
    return bank.run(products.get_product, actor, code, readonly=True)


@router.patch(
    "/{code}", response_model=ProductRead, summary="Change parameters (not code, kind, currency, GL)"
)
def update(bank: BankDep, code: str, cmd: ProductUpdate, actor: Writer) -> ProductRead:
    return bank.run(products.update_product, actor, code, cmd)


@router.post("/{code}/activate", response_model=ProductRead, summary="Put a draft on sale (needs its rates)")
def activate(bank: BankDep, code: str, actor: Writer) -> ProductRead:
    return bank.run(products.activate_product, actor, code)


@router.post("/{code}/retire", response_model=ProductRead, summary="Stop selling; existing accounts go on")
def retire(bank: BankDep, code: str, actor: Writer) -> ProductRead:
    return bank.run(products.retire_product, actor, code)


@router.get(
    "/{code}/rates", response_model=list[RateRead], summary="Rate history, newest effective date first"
)
def rates(bank: BankDep, code: str, actor: Reader, term: str | None = None) -> list[RateRead]:
    return bank.run(products.list_rates, actor, code, term, readonly=True)


@router.put(
    "/{code}/rates",
    response_model=PendingRateChange,
    status_code=202,
    summary="Propose rates from an effective date; another product manager approves them",
)
def propose_rates(bank: BankDep, code: str, cmd: RateChange, actor: Writer) -> PendingRateChange:
    return bank.run(products.propose_rates, actor, code, cmd)
