"""Product catalogue: read from tables; the standard products are seeded by `corebank init`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from corebank import ledger
from corebank.db.uow import UnitOfWork
from corebank.kernel.money import minor_to_text
from corebank.ledger import chart
from corebank.products import rules
from corebank.products.errors import (
    InvalidProduct,
    ProductExists,
    ProductNotAvailable,
    ProductNotFound,
    ProductRetired,
    ProductStatusConflict,
    RateNotFound,
    RatesMissing,
)
from corebank.products.loan_terms import (
    LOAN_KINDS,
    STANDARD_BASE_RATES,
    STANDARD_LOAN_PRODUCTS,
    LoanProduct,
    read_loan_terms,
)
from corebank.products.models import BaseRate, Product, ProductRate
from corebank.products.schemas import ProductCreate, ProductRead, ProductUpdate
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
    account_classes: tuple[int, ...] = (1, 2, 3)
    channels: tuple[str, ...] = ("counter",)


# Staff work at the counter whether they use the teller screen, the command line or a system job.
_BACK_OFFICE = {"counter", "cli", "system"}


def check_sold_on(code: str, channels: tuple[str, ...], actor_channel: str) -> None:
    """Refuse selling product `code` on a channel it is not sold on (staff channels count as the counter)."""
    channel = "counter" if actor_channel in _BACK_OFFICE else actor_channel
    if channel not in channels:
        raise ProductNotAvailable(f"product {code} is not sold on the {channel} channel")


_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,31}")
_TIME_TERMS = ["3M", "6M", "12M", "24M", "36M", "60M"]

STANDARD_PRODUCTS: tuple[dict[str, Any], ...] = (
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
        interest_method="quarterly",
        channels="counter,internet,mobile,atm",
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
        interest_method="quarterly",
        channels="counter,internet",
    ),
    dict(
        code="TIME_CNY",
        name="Personal time deposit, lump sum (CNY)",
        name_zh="整存整取",
        kind="time_deposit",
        currency="CNY",
        gl_code=chart.TIME_DEPOSITS,
        customer_types="individual",
        min_opening_amount=5_000,
        min_balance=5_000,
        max_partial_withdrawals=1,
        early_withdrawal="demand_rate",
        rollover_options="none,principal,principal_and_interest",
        terms=_TIME_TERMS,
        interest_method="at_withdrawal",
        demand_product_code="DEMAND_CNY",
        channels="counter,internet,mobile",
        account_classes="1,2",
        params={},
    ),
    dict(
        code="NOTICE_CNY",
        name="Personal notice deposit (CNY)",
        name_zh="个人通知存款",
        kind="notice_deposit",
        currency="CNY",
        gl_code=chart.NOTICE_DEPOSITS,
        customer_types="individual",
        min_opening_amount=5_000_000,
        min_balance=5_000_000,
        min_withdrawal=5_000_000,
        terms=["1D", "7D"],
        interest_method="at_withdrawal",
        demand_product_code="DEMAND_CNY",
        channels="counter,internet,mobile",
        account_classes="1,2",
        params={},
    ),
    dict(
        code="CORP_NOTICE_CNY",
        name="Corporate notice deposit (CNY)",
        name_zh="单位通知存款",
        kind="notice_deposit",
        currency="CNY",
        gl_code=chart.NOTICE_DEPOSITS,
        customer_types="corporate",
        min_opening_amount=50_000_000,
        min_balance=50_000_000,
        min_withdrawal=10_000_000,
        terms=["1D", "7D"],
        interest_method="at_withdrawal",
        demand_product_code="CORP_DEMAND_CNY",
        channels="counter,internet",
        account_classes="1,2,3",
        params={},
    ),
)

# The PBoC benchmark deposit rates in force since 24 October 2015 (percent a year): the defaults a new bank
# starts with. Each bank posts its own through PUT /api/v1/products/{code}/rates.
STANDARD_RATES: dict[str, dict[str, str]] = {
    "DEMAND_CNY": {"demand": "0.35"},
    "CORP_DEMAND_CNY": {"demand": "0.35"},
    "TIME_CNY": {"3M": "1.10", "6M": "1.30", "12M": "1.50", "24M": "2.10", "36M": "2.75", "60M": "2.75"},
    "NOTICE_CNY": {"1D": "0.80", "7D": "1.35"},
    "CORP_NOTICE_CNY": {"1D": "0.80", "7D": "1.35"},
}


def seed_standard_products(uow: UnitOfWork, effective_date: date | None = None) -> int:
    """Insert the standard products (and their starting rates) that are missing; return how many."""
    have = set(uow.session.execute(select(Product.code)).scalars())
    added = 0
    for p in STANDARD_PRODUCTS:
        if p["code"] not in have:
            uow.session.add(Product(status="active", **p))
            added += 1
    for p in STANDARD_LOAN_PRODUCTS:
        if p["code"] not in have:
            uow.session.add(
                Product(
                    status="active",
                    currency="CNY",
                    gl_code=chart.LOANS,
                    interest_method="none",
                    account_classes="1,2,3",
                    terms=[],
                    fees={},
                    **p,
                )
            )
            added += 1
    if uow.session.execute(select(BaseRate.id).limit(1)).first() is None:
        for code, rate in STANDARD_BASE_RATES:
            uow.session.add(
                BaseRate(
                    code=code,
                    annual_rate=rate,
                    effective_date=date(2025, 5, 20),
                    created_by="system",
                    created_at=uow.now,
                )
            )
    uow.session.flush()
    with_rates = set(uow.session.execute(select(ProductRate.product_code).distinct()).scalars())
    day = effective_date or uow.business_date
    for code, rates in STANDARD_RATES.items():
        if code in with_rates:
            continue
        for term, rate in rates.items():
            uow.session.add(
                ProductRate(
                    product_code=code,
                    term=term,
                    min_amount=0,
                    annual_rate=rate,
                    effective_date=day,
                    created_by="system",
                    approved_by="system",
                    created_at=uow.now,
                )
            )
    uow.session.flush()
    return added


@dataclass(frozen=True, slots=True)
class DepositProduct:
    """A deposit product's parameters, as the deposits area and end of day use them."""

    code: str
    name: str
    kind: str
    currency: str
    gl_code: str
    status: str
    customer_types: tuple[str, ...]
    terms: tuple[str, ...]
    min_opening_amount: int
    min_balance: int
    min_withdrawal: int
    max_partial_withdrawals: int
    early_withdrawal: str
    rollover_options: tuple[str, ...]
    channels: tuple[str, ...]
    account_classes: tuple[int, ...]
    interest_method: str
    settlement_months: tuple[int, ...]
    settlement_day: int
    demand_product_code: str | None
    fees: dict[str, Any]
    # What a maturity date that falls on a non-working day becomes (params "maturity_holiday_rule"):
    # "none" (matures that day: end of day runs every calendar day), "next_working_day" or
    # "previous_working_day" (the holiday conventions of the business calendar).
    maturity_holiday_rule: str = "none"

    @property
    def on_sale(self) -> bool:
        """Sold to new customers (a retired product still serves the accounts it has)."""
        return self.status == "active"

    def settles_on(self, day: date) -> bool:
        """True when `day` is an interest settlement date of this (demand) product."""
        return (
            self.interest_method == "quarterly"
            and day.month in self.settlement_months
            and (day.day == self.settlement_day)
        )


def _csv(text: str) -> tuple[str, ...]:
    return tuple(x for x in (text or "").split(",") if x)


def deposit_product(uow: UnitOfWork, code: str) -> DepositProduct:
    """A deposit product's parameters (any status)."""
    p = uow.session.get(Product, code)
    if p is None:
        raise ProductNotFound(f"no product {code!r}")
    return DepositProduct(
        code=p.code,
        name=p.name,
        kind=p.kind,
        currency=p.currency,
        gl_code=p.gl_code,
        status=p.status,
        customer_types=_csv(p.customer_types),
        terms=tuple(p.terms or ()),
        min_opening_amount=p.min_opening_amount,
        min_balance=p.min_balance,
        min_withdrawal=p.min_withdrawal,
        max_partial_withdrawals=p.max_partial_withdrawals,
        early_withdrawal=p.early_withdrawal,
        rollover_options=_csv(p.rollover_options),
        channels=_csv(p.channels),
        account_classes=tuple(int(x) for x in _csv(p.account_classes)),
        interest_method=p.interest_method,
        settlement_months=tuple(int(x) for x in _csv(p.settlement_months)),
        settlement_day=p.settlement_day,
        demand_product_code=p.demand_product_code,
        fees=dict(p.fees or {}),
        maturity_holiday_rule=str((p.params or {}).get("maturity_holiday_rule", "none")),
    )


def interest_bearing_demand_products(uow: UnitOfWork) -> list[DepositProduct]:
    """Demand products that earn interest by the daily product method (active or retired)."""
    codes = uow.session.execute(
        select(Product.code)
        .where(Product.kind == "demand_deposit", Product.interest_method == "quarterly")
        .order_by(Product.code)
    ).scalars()
    return [deposit_product(uow, c) for c in codes]


def rate_on(uow: UnitOfWork, product_code: str, term: str, on: date, amount: int = 0) -> Decimal:
    """The annual rate in percent of `product_code` for `term` in force on `on`, for an amount of `amount`
    minor units (the highest tier at or below it). Raises RateNotFound when none is posted."""
    row = uow.session.execute(
        select(ProductRate.annual_rate)
        .where(
            ProductRate.product_code == product_code,
            ProductRate.term == term,
            ProductRate.effective_date <= on,
            ProductRate.min_amount <= max(amount, 0),
        )
        .order_by(ProductRate.effective_date.desc(), ProductRate.min_amount.desc())
        .limit(1)
    ).scalar()
    if row is None:
        raise RateNotFound(f"product {product_code} has no {term} rate in force on {on}")
    return Decimal(row)


def demand_rate_on(uow: UnitOfWork, product: DepositProduct, on: date) -> Decimal:
    """The demand rate that applies to `product` on `on` (its own for a demand product, else its
    `demand_product_code`'s)."""
    code = product.code if product.kind == "demand_deposit" else product.demand_product_code
    if code is None:
        raise RateNotFound(f"product {product.code} names no demand product for its demand rate")
    return rate_on(uow, code, "demand", on)


def _read(p: Product) -> ProductRead:
    def text(minor: int) -> str:
        return minor_to_text(minor, p.currency)

    return ProductRead(
        code=p.code,
        name=p.name,
        name_zh=p.name_zh,
        kind=p.kind,
        currency=p.currency,
        gl_code=p.gl_code,
        customer_types=p.customer_types.split(","),
        min_opening_amount=text(p.min_opening_amount),
        allow_overdraft=p.allow_overdraft,
        overdraft_limit=text(p.overdraft_limit),
        status=p.status,
        params=p.params or {},
        terms=list(p.terms or []),
        min_balance=text(p.min_balance),
        min_withdrawal=text(p.min_withdrawal),
        max_partial_withdrawals=p.max_partial_withdrawals,
        early_withdrawal=p.early_withdrawal,
        rollover_options=list(_csv(p.rollover_options)),
        channels=list(_csv(p.channels)),
        account_classes=[int(x) for x in _csv(p.account_classes)],
        fees={k: text(v) if isinstance(v, int) else str(v) for k, v in (p.fees or {}).items()},
        interest_method=p.interest_method,
        settlement_months=[int(x) for x in _csv(p.settlement_months)],
        settlement_day=p.settlement_day,
        demand_product_code=p.demand_product_code,
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
        tuple(int(x) for x in (p.account_classes or "").split(",") if x),
        tuple(x for x in (p.channels or "").split(",") if x),
    )


# ---------------------------------------------------------------- the product factory: define, change, retire


def _load(uow: UnitOfWork, code: str) -> Product:
    p = uow.session.get(Product, code)
    if p is None:
        raise ProductNotFound(f"no product {code!r}")
    return p


def _check_gl(uow: UnitOfWork, gl_code: str, kind: str) -> None:
    gl = next((g for g in ledger.list_chart(uow) if g["code"] == gl_code), None)
    if gl is None:
        raise InvalidProduct(f"gl_code: there is no GL account {gl_code!r}")
    if kind in LOAN_KINDS:
        if gl["gl_class"] != "asset" or not gl["has_subledger"]:
            raise InvalidProduct(f"gl_code: {gl_code} is not a loan (asset) account with a sub-ledger")
        return
    if gl["gl_class"] != "liability" or not gl["has_subledger"]:
        raise InvalidProduct(f"gl_code: {gl_code} is not a deposit (liability) account with a sub-ledger")


def _check_demand_product(uow: UnitOfWork, code: str | None, currency: str) -> None:
    if code is None:
        return
    d = uow.session.get(Product, code)
    if d is None or d.kind != "demand_deposit" or d.currency != currency:
        raise InvalidProduct(f"demand_product_code: {code!r} is not a {currency} demand deposit product")


def _parameters(p: Product) -> dict[str, Any]:
    """A stored product's parameters in the shape of ProductParameters (to merge a PATCH into)."""
    r = _read(p)
    return {
        "name": r.name,
        "name_zh": r.name_zh,
        "customer_types": r.customer_types,
        "min_opening_amount": r.min_opening_amount,
        "min_balance": r.min_balance,
        "min_withdrawal": r.min_withdrawal,
        "max_partial_withdrawals": r.max_partial_withdrawals,
        "early_withdrawal": r.early_withdrawal,
        "rollover_options": r.rollover_options,
        "terms": r.terms,
        "fees": r.fees,
        "channels": r.channels,
        "account_classes": r.account_classes,
        "allow_overdraft": r.allow_overdraft,
        "overdraft_limit": r.overdraft_limit,
        "interest_method": r.interest_method,
        "settlement_months": r.settlement_months,
        "settlement_day": r.settlement_day,
        "demand_product_code": r.demand_product_code,
        "params": r.params,
    }


def _terms_without_rates(uow: UnitOfWork, p: Product, terms: list[str]) -> list[str]:
    have = set(
        uow.session.execute(
            select(ProductRate.term).where(ProductRate.product_code == p.code).distinct()
        ).scalars()
    )
    return [t for t in rules.offered_terms(p.kind, terms) if t not in have]


def create_product(uow: UnitOfWork, actor: Actor, cmd: ProductCreate) -> ProductRead:
    """Define a new deposit product as a draft: checked against its kind, currency and GL account. It sells
    nothing until it has a rate for every term and is activated."""
    actor.require(P.PRODUCT_WRITE)
    code = cmd.code.strip().upper()
    if not _CODE.fullmatch(code):
        raise InvalidProduct(
            f"code: {cmd.code!r} must be 2-32 capital letters, digits or '_', a letter first"
        )
    ident = rules.check_identity(cmd.kind, cmd.currency)
    columns = rules.product_columns(ident, cmd.model_dump(exclude={"code", "kind", "currency", "gl_code"}))
    _check_gl(uow, cmd.gl_code, ident.kind)
    _check_demand_product(uow, columns["demand_product_code"], ident.currency)
    if uow.session.get(Product, code) is not None:
        raise ProductExists(f"product {code} exists already")
    p = Product(
        code=code, kind=ident.kind, currency=ident.currency, gl_code=cmd.gl_code, status="draft", **columns
    )
    uow.session.add(p)
    uow.session.flush()
    uow.audit(actor, "product.create", "product", code, kind=p.kind, currency=p.currency, gl_code=p.gl_code)
    return _read(p)


_NULLABLE = ("demand_product_code", "interest_method")


def update_product(uow: UnitOfWork, actor: Actor, code: str, cmd: ProductUpdate) -> ProductRead:
    """Change some parameters of a draft or active product (its code, kind, currency and GL stay). The whole
    result is checked again; an active product must keep a rate for every term it offers."""
    actor.require(P.PRODUCT_WRITE)
    p = _load(uow, code)
    if p.status == "retired":
        raise ProductRetired(f"product {code} is retired and cannot change")
    changes = cmd.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidProduct("send at least one parameter to change")
    nulls = sorted(k for k, v in changes.items() if v is None and k not in _NULLABLE)
    if nulls:
        raise InvalidProduct(f"{nulls[0]}: give a value (only {' and '.join(_NULLABLE)} may be cleared)")
    before = _parameters(p)
    merged = {**before, **changes}
    columns = rules.product_columns(rules.Kind(p.kind, p.currency), merged)
    _check_demand_product(uow, columns["demand_product_code"], p.currency)
    if p.status == "active":
        missing = _terms_without_rates(uow, p, columns["terms"])
        if missing:
            raise RatesMissing(f"product {code} is on sale: post rates for {', '.join(missing)} first")
    for name, value in columns.items():
        setattr(p, name, value)
    uow.session.flush()
    changed = {k: {"from": before[k], "to": merged[k]} for k in changes if before.get(k) != merged[k]}
    uow.audit(actor, "product.update", "product", code, changes=changed)
    return _read(p)


def activate_product(uow: UnitOfWork, actor: Actor, code: str) -> ProductRead:
    """Put a draft product on sale (draft -> active); every term it offers needs a rate first."""
    actor.require(P.PRODUCT_WRITE)
    p = _load(uow, code)
    if p.status != "draft":
        raise ProductStatusConflict(f"product {code} is {p.status}; only a draft is activated")
    missing = _terms_without_rates(uow, p, list(p.terms or []))
    if missing:
        raise RatesMissing(f"product {code} has no rate for {', '.join(missing)}")
    p.status = "active"
    uow.session.flush()
    uow.audit(actor, "product.activate", "product", code)
    return _read(p)


def retire_product(uow: UnitOfWork, actor: Actor, code: str) -> ProductRead:
    """Take an active product off sale (active -> retired): it opens no new accounts, and the accounts it
    has keep working, earning its rates."""
    actor.require(P.PRODUCT_WRITE)
    p = _load(uow, code)
    if p.status != "active":
        raise ProductStatusConflict(f"product {code} is {p.status}; only an active product is retired")
    p.status = "retired"
    uow.session.flush()
    uow.audit(actor, "product.retire", "product", code)
    return _read(p)


def get_product(uow: UnitOfWork, actor: Actor, code: str) -> ProductRead:
    """One product with all its parameters."""
    actor.require(P.PRODUCT_READ)
    return _read(_load(uow, code))


# ---------------------------------------------------------------------------------------------------- loans


def loan_product(uow: UnitOfWork, code: str) -> LoanProduct:
    """A loan product's lending terms (any status); ProductNotFound when `code` is not a loan product."""
    p = uow.session.get(Product, code)
    if p is None or p.kind not in LOAN_KINDS:
        raise ProductNotFound(f"no loan product {code!r}")
    return read_loan_terms(
        code=p.code,
        name=p.name,
        kind=p.kind,
        currency=p.currency,
        gl_code=p.gl_code,
        status=p.status,
        customer_types=_csv(p.customer_types),
        channels=_csv(p.channels),
        loan=dict((p.params or {})["loan"]),
    )


def base_rate_on(uow: UnitOfWork, code: str, on: date) -> Decimal:
    """The base rate `code` (LPR1Y, LPR5Y ...) in force on `on`, percent a year."""
    row = uow.session.execute(
        select(BaseRate.annual_rate)
        .where(BaseRate.code == code, BaseRate.effective_date <= on)
        .order_by(BaseRate.effective_date.desc())
        .limit(1)
    ).scalar()
    if row is None:
        raise RateNotFound(f"no {code} base rate is in force on {on}")
    return Decimal(row)


def loan_rate_on(uow: UnitOfWork, product: LoanProduct, on: date) -> str:
    """The contract rate a new loan of `product` gets on `on`: its fixed rate, or base rate + spread."""
    if product.rate_type == "fixed":
        assert product.fixed_rate is not None
        return rules.parse_rate(product.fixed_rate)
    assert product.base_rate is not None
    rate = base_rate_on(uow, product.base_rate, on) + Decimal(product.spread or "0")
    return rules.parse_rate(str(max(rate, Decimal(0))))


def list_base_rates(uow: UnitOfWork, actor: Actor) -> list[dict[str, Any]]:
    """Every base-rate fixing, newest first per code."""
    actor.require(P.PRODUCT_READ)
    rows = uow.session.execute(
        select(BaseRate).order_by(BaseRate.code, BaseRate.effective_date.desc())
    ).scalars()
    return [
        {
            "code": r.code,
            "annual_rate": r.annual_rate,
            "effective_date": r.effective_date.isoformat(),
            "created_by": r.created_by,
        }
        for r in rows
    ]


def set_base_rate(uow: UnitOfWork, actor: Actor, code: str, annual_rate: str, effective_date: date) -> None:
    """Post a new fixing of a base rate (a new LPR), effective from `effective_date` (today or later): floating
    loans take it when they next reprice."""
    actor.require(P.PRODUCT_WRITE)
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,15}", code):
        raise InvalidProduct(f"code: {code!r} must be 2-16 capital letters or digits")
    rate = rules.parse_rate(annual_rate)
    if effective_date < uow.business_date:
        raise InvalidProduct(f"effective_date: {effective_date} is in the past; a fixing is never backdated")
    exists = uow.session.execute(
        select(BaseRate.id).where(BaseRate.code == code, BaseRate.effective_date == effective_date)
    ).first()
    if exists is not None:
        raise ProductExists(f"{code} already has a fixing effective {effective_date}")
    uow.session.add(
        BaseRate(
            code=code,
            annual_rate=rate,
            effective_date=effective_date,
            created_by=actor.username,
            created_at=uow.now,
        )
    )
    uow.session.flush()
    uow.audit(actor, "base_rate.set", "base_rate", code, annual_rate=rate, effective_date=str(effective_date))
