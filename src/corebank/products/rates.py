"""Rate changes under maker-checker: one product manager proposes new rates from an effective date, another
approves them, and only then are the rows written. Rates are never edited: the history stays."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from corebank import operations
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import minor_to_text
from corebank.products import rules
from corebank.products.errors import (
    DuplicateRate,
    ProductNotFound,
    ProductRetired,
    RateDateInPast,
    TermNotOffered,
)
from corebank.products.models import Product, ProductRate
from corebank.products.schemas import PendingRateChange, RateChange, RateLine, RateRead
from corebank.security import Actor, P

RATE_CHANGE_KIND = "product.rate_change"


def _product(uow: UnitOfWork, code: str) -> Product:
    p = uow.session.get(Product, code)
    if p is None:
        raise ProductNotFound(f"no product {code!r}")
    return p


def _read(r: ProductRate, currency: str) -> RateRead:
    return RateRead(
        id=r.id,
        product_code=r.product_code,
        term=r.term,
        annual_rate=r.annual_rate,
        min_amount=minor_to_text(r.min_amount, currency),
        effective_date=r.effective_date,
        created_by=r.created_by,
        approved_by=r.approved_by,
        created_at=r.created_at,
    )


def list_rates(uow: UnitOfWork, actor: Actor, code: str, term: str | None = None) -> list[RateRead]:
    """A product's rate history, newest effective date first (then by term and tier)."""
    actor.require(P.PRODUCT_READ)
    p = _product(uow, code)
    q = select(ProductRate).where(ProductRate.product_code == code)
    if term is not None:
        q = q.where(ProductRate.term == term)
    q = q.order_by(
        ProductRate.effective_date.desc(), ProductRate.term, ProductRate.min_amount, ProductRate.id
    )
    return [_read(r, p.currency) for r in uow.session.execute(q).scalars()]


def _check_change(
    uow: UnitOfWork, p: Product, effective: date, lines: list[dict[str, Any]]
) -> list[tuple[str, str, int]]:
    """The checks a rate change passes when proposed and again when approved: product not retired, date not
    before the business date, terms offered, no tier twice, nothing already posted for that date."""
    if p.status == "retired":
        raise ProductRetired(f"product {p.code} is retired; its rates no longer change")
    if effective < uow.business_date:
        raise RateDateInPast(
            f"a rate cannot take effect on {effective}, before the business date {uow.business_date}"
        )
    offered = rules.offered_terms(p.kind, list(p.terms or []))
    out: list[tuple[str, str, int]] = []
    seen: set[tuple[str, int]] = set()
    for n, line in enumerate(lines, start=1):
        term = line["term"]
        if term not in offered:
            raise TermNotOffered(f"rate {n}: product {p.code} does not offer {term!r} ({', '.join(offered)})")
        rate = rules.parse_rate(line["annual_rate"])
        tier = rules.amount_to_minor(f"rate {n}: min_amount", line.get("min_amount", "0"), p.currency)
        if (term, tier) in seen:
            raise DuplicateRate(f"rate {n}: {term} from {minor_to_text(tier, p.currency)} appears twice")
        seen.add((term, tier))
        out.append((term, rate, tier))
    posted = {
        (t, m)
        for t, m in uow.session.execute(
            select(ProductRate.term, ProductRate.min_amount).where(
                ProductRate.product_code == p.code, ProductRate.effective_date == effective
            )
        ).all()
    }
    for term, _rate, tier in out:
        if (term, tier) in posted:
            raise DuplicateRate(f"product {p.code} already has a {term} rate from {effective} for that tier")
    return out


def _summary(code: str, effective: date, lines: list[tuple[str, str, int]]) -> str:
    rates = ", ".join(f"{t} {r}%" + (f" (tier {tier})" if tier else "") for t, r, tier in lines)
    return f"rates of {code} from {effective}: {rates}"


def propose_rates(uow: UnitOfWork, actor: Actor, code: str, cmd: RateChange) -> PendingRateChange:
    """Propose new rates for a product from `effective_date` on. Nothing is posted yet: the change waits
    for a second product manager (maker-checker), who approves it through the approvals."""
    actor.require(P.PRODUCT_WRITE)
    p = _product(uow, code)
    lines = _check_change(uow, p, cmd.effective_date, [r.model_dump() for r in cmd.rates])
    payload = {
        "product_code": p.code,
        "effective_date": cmd.effective_date.isoformat(),
        "rates": [
            RateLine(term=t, annual_rate=r, min_amount=minor_to_text(m, p.currency)).model_dump()
            for t, r, m in lines
        ],
    }
    summary = _summary(p.code, cmd.effective_date, lines)
    pending = operations.request_approval(
        uow,
        actor,
        kind=RATE_CHANGE_KIND,
        summary=summary,
        payload=payload,
        branch_code=actor.branch_code,
        permission=P.PRODUCT_WRITE,
    )
    uow.audit(actor, "product.rates.propose", "product", p.code, approval=pending.id, **payload)
    return PendingRateChange(approval_id=pending.id, summary=pending.summary)


def execute_rate_change(
    uow: UnitOfWork, maker: str, approver: Actor, payload: dict[str, Any]
) -> dict[str, Any]:
    """Approval executor: post the approved rates (made by `maker`, approved by `approver`), after checking
    again that the date has not passed meanwhile and nothing was posted for it since."""
    p = _product(uow, payload["product_code"])
    effective = date.fromisoformat(payload["effective_date"])
    lines = _check_change(uow, p, effective, list(payload["rates"]))
    rows = [
        ProductRate(
            product_code=p.code,
            term=term,
            min_amount=tier,
            annual_rate=rate,
            effective_date=effective,
            created_by=maker,
            approved_by=approver.username,
            created_at=uow.now,
        )
        for term, rate, tier in lines
    ]
    uow.session.add_all(rows)
    uow.session.flush()
    uow.audit(
        approver,
        "product.rates.post",
        "product",
        p.code,
        effective_date=effective.isoformat(),
        maker=maker,
        rates=payload["rates"],
    )
    return {"product_code": p.code, "effective_date": effective.isoformat(), "rate_ids": [r.id for r in rows]}


def approve_rate_change(
    uow: UnitOfWork, actor: Actor, approval_id: int, reason: str = ""
) -> operations.ApprovalRead:
    """Approve a proposed rate change (and only a rate change) as the second product manager."""
    found = operations.get_approval(uow, actor, approval_id)
    if found.kind != RATE_CHANGE_KIND:
        raise InvalidRequest(f"approval {approval_id} is a {found.kind}, not a rate change")
    return operations.approve(uow, actor, approval_id, reason)
