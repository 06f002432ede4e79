"""Product catalogue: read from tables; the standard products are seeded by `corebank init`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from corebank.db.uow import UnitOfWork
from corebank.kernel.money import minor_to_text
from corebank.ledger import chart
from corebank.products.errors import ProductNotFound
from corebank.products.models import Product
from corebank.products.schemas import ProductRead
from corebank.security import Actor, P


@dataclass(frozen=True, slots=True)
class ProductTerms:
    """What opening an account needs from a product (used by the accounts area)."""

    code: str
    kind: str
    currency: str
    gl_code: str
    customer_types: tuple[str, ...]
    min_opening_amount: int
    allow_overdraft: bool
    overdraft_limit: int
    active: bool


STANDARD_PRODUCTS = (
    dict(
        code="DEMAND_CNY",
        name="Personal demand deposit (CNY)",
        name_zh="个人活期存款",
        kind="demand_deposit",
        currency="CNY",
        gl_code=chart.DEMAND_DEPOSITS,
        customer_types="individual",
        min_opening_amount=0,
        allow_overdraft=False,
        overdraft_limit=0,
        params={"interest": "daily product, quarterly settlement"},
    ),
    dict(
        code="CORP_DEMAND_CNY",
        name="Corporate demand deposit (CNY)",
        name_zh="单位活期存款",
        kind="demand_deposit",
        currency="CNY",
        gl_code=chart.CORPORATE_DEPOSITS,
        customer_types="corporate",
        min_opening_amount=0,
        allow_overdraft=True,
        overdraft_limit=0,
        params={},
    ),
)


def seed_standard_products(uow: UnitOfWork) -> int:
    """Insert the standard products that are missing."""
    have = set(uow.session.execute(select(Product.code)).scalars())
    added = 0
    for p in STANDARD_PRODUCTS:
        if p["code"] not in have:
            uow.session.add(Product(status="active", **p))
            added += 1
    return added


def _read(p: Product) -> ProductRead:
    return ProductRead(
        code=p.code,
        name=p.name,
        name_zh=p.name_zh,
        kind=p.kind,
        currency=p.currency,
        gl_code=p.gl_code,
        customer_types=p.customer_types.split(","),
        min_opening_amount=minor_to_text(p.min_opening_amount, p.currency),
        allow_overdraft=p.allow_overdraft,
        overdraft_limit=minor_to_text(p.overdraft_limit, p.currency),
        status=p.status,
        params=p.params or {},
    )


def list_products(uow: UnitOfWork, actor: Actor) -> list[ProductRead]:
    """Every product, by code."""
    actor.require(P.PRODUCT_READ)
    return [_read(p) for p in uow.session.execute(select(Product).order_by(Product.code)).scalars()]


def terms(uow: UnitOfWork, code: str) -> ProductTerms:
    """The opening terms of a product."""
    p = uow.session.get(Product, code)
    if p is None:
        raise ProductNotFound(f"no product {code!r}")
    return ProductTerms(
        p.code,
        p.kind,
        p.currency,
        p.gl_code,
        tuple(p.customer_types.split(",")),
        p.min_opening_amount,
        p.allow_overdraft,
        p.overdraft_limit,
        p.status == "active",
    )
