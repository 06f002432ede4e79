"""Books: trial balance, chart of accounts, branches, journal entries; products."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from corebank import ledger, products
from corebank.db.uow import UnitOfWork
from corebank.kernel.money import minor_to_text
from corebank.products import ProductRead
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1", tags=["ledger and products"])
Reader = Annotated[Actor, Depends(requires(P.LEDGER_READ))]


class TrialBalanceLine(BaseModel):
    gl_code: str
    name: str
    gl_class: str
    currency: str
    debit: str
    credit: str


class TrialBalanceRead(BaseModel):
    as_of: date
    branch_code: str | None
    lines: list[TrialBalanceLine]
    totals: dict[str, dict[str, str]]
    total_debit: str
    total_credit: str
    balanced: bool


def _trial_balance(uow: UnitOfWork, actor: Actor, as_of: date | None, branch: str | None) -> TrialBalanceRead:
    if branch is None and actor.branches is not None:
        branch = actor.branch_code
    if branch is not None:
        actor.require_branch(branch)
    tb = ledger.trial_balance(uow, as_of, branch)
    totals = tb.totals()
    base = uow.settings.base_currency
    d, c = totals.get(base, (0, 0))
    return TrialBalanceRead(
        as_of=tb.as_of,
        branch_code=branch,
        lines=[
            TrialBalanceLine(
                gl_code=r.gl_code,
                name=r.name,
                gl_class=r.gl_class,
                currency=r.currency,
                debit=minor_to_text(r.debit, r.currency),
                credit=minor_to_text(r.credit, r.currency),
            )
            for r in tb.rows
        ],
        totals={
            cur: {"debit": minor_to_text(dd, cur), "credit": minor_to_text(cc, cur)}
            for cur, (dd, cc) in totals.items()
        },
        total_debit=minor_to_text(d, base),
        total_credit=minor_to_text(c, base),
        balanced=tb.balanced,
    )


@router.get(
    "/ledger/trial-balance",
    response_model=TrialBalanceRead,
    summary="Trial balance for the bank or one branch, at the end of a date (default today)",
)
def trial_balance(
    bank: BankDep, actor: Reader, as_of: date | None = None, branch: str | None = None
) -> TrialBalanceRead:
    return bank.run(_trial_balance, actor, as_of, branch, readonly=True)


@router.get("/ledger/chart", summary="The chart of accounts")
def chart(bank: BankDep, actor: Reader) -> list[dict[str, Any]]:
    return bank.run(ledger.list_chart, readonly=True)


@router.get("/ledger/entries/{entry_id}", summary="A journal entry with its lines")
def entry(bank: BankDep, entry_id: int, actor: Reader) -> dict[str, Any]:
    e = bank.run(ledger.get_entry, entry_id, readonly=True)
    if actor.branches is not None and not ({ln.branch_code for ln in e.lines} & actor.branches):
        actor.require_branch(e.lines[0].branch_code)
    return {
        "id": e.id,
        "booking_date": e.booking_date,
        "value_date": e.value_date,
        "kind": e.kind,
        "memo": e.memo,
        "reference": e.reference,
        "reverses_id": e.reverses_id,
        "created_by": e.created_by,
        "lines": [
            {
                "line_no": ln.line_no,
                "gl_code": ln.gl_code,
                "branch_code": ln.branch_code,
                "side": "debit" if ln.amount > 0 else "credit",
                "amount": minor_to_text(abs(ln.amount), ln.currency),
                "currency": ln.currency,
            }
            for ln in e.lines
        ],
    }


@router.get("/branches", summary="The organisation tree")
def branches(
    bank: BankDep, actor: Annotated[Actor, Depends(requires(P.PRODUCT_READ))]
) -> list[dict[str, Any]]:
    return bank.run(ledger.list_branches, readonly=True)


@router.get("/products", response_model=list[ProductRead], summary="The product catalogue")
def product_list(
    bank: BankDep, actor: Annotated[Actor, Depends(requires(P.PRODUCT_READ))]
) -> list[ProductRead]:
    return bank.run(products.list_products, actor, readonly=True)
