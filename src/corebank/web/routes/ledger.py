"""Books: trial balance, chart of accounts, branches, journal entries (products: routes/products.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from corebank import finance, ledger
from corebank.finance import EntryRead, TrialBalanceRead
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1", tags=["ledger"])
Reader = Annotated[Actor, Depends(requires(P.LEDGER_READ))]


@router.get(
    "/ledger/trial-balance",
    response_model=TrialBalanceRead,
    summary="Trial balance for the bank or one branch, at the end of a date (default today)",
)
def trial_balance(
    bank: BankDep, actor: Reader, as_of: date | None = None, branch: str | None = None
) -> TrialBalanceRead:
    return bank.run(finance.trial_balance, actor, as_of, branch, readonly=True)


@router.get("/ledger/chart", summary="The chart of accounts")
def chart(bank: BankDep, actor: Reader) -> list[dict[str, Any]]:
    return bank.run(ledger.list_chart, readonly=True)


@router.get("/ledger/entries/{entry_id}", response_model=EntryRead, summary="A journal entry with its lines")
def entry(bank: BankDep, entry_id: int, actor: Reader) -> EntryRead:
    return bank.run(finance.journal_entry, actor, entry_id, readonly=True)


@router.get("/branches", summary="The organisation tree")
def branches(
    bank: BankDep, actor: Annotated[Actor, Depends(requires(P.PRODUCT_READ))]
) -> list[dict[str, Any]]:
    return bank.run(ledger.list_branches, readonly=True)
