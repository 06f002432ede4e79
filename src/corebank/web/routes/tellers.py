"""Teller tills and vaults."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from corebank import tellers
from corebank.security import Actor, P
from corebank.tellers import CashMove, TillClose, TillOpen, TillRead, VaultRead
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1", tags=["tellers"])
Teller = Annotated[Actor, Depends(requires(P.CASH_OPERATE))]


@router.post(
    "/tills", response_model=TillRead, status_code=201, summary="Open your till for the business date"
)
def open_till(bank: BankDep, actor: Teller, cmd: TillOpen | None = None) -> TillRead:
    return bank.run(tellers.open_till, actor, cmd or TillOpen())


@router.get("/tills", response_model=list[TillRead], summary="Today's tills in a branch")
def list_tills(bank: BankDep, actor: Teller, branch: str | None = None) -> list[TillRead]:
    return bank.run(tellers.list_tills, actor, branch, readonly=True)


@router.get("/tills/{till_id}", response_model=TillRead, summary="One till")
def get_till(bank: BankDep, till_id: int, actor: Teller) -> TillRead:
    return bank.run(tellers.get_till, actor, till_id, readonly=True)


@router.post("/tills/{till_id}/cash-from-vault", response_model=TillRead, summary="Take cash from the vault")
def from_vault(bank: BankDep, till_id: int, cmd: CashMove, key: IdempotencyKey, actor: Teller) -> TillRead:
    return bank.run(tellers.take_from_vault, actor, till_id, cmd, key)


@router.post("/tills/{till_id}/cash-to-vault", response_model=TillRead, summary="Return cash to the vault")
def to_vault(bank: BankDep, till_id: int, cmd: CashMove, key: IdempotencyKey, actor: Teller) -> TillRead:
    return bank.run(tellers.return_to_vault, actor, till_id, cmd, key)


@router.post(
    "/tills/{till_id}/close",
    response_model=TillRead,
    summary="Balance the till (轧账) against counted cash and close it",
)
def close_till(bank: BankDep, till_id: int, cmd: TillClose, actor: Teller) -> TillRead:
    return bank.run(tellers.close_till, actor, till_id, cmd)


@router.get("/vaults/{branch}", response_model=VaultRead, summary="Cash in a branch's vault")
def vault(bank: BankDep, branch: str, actor: Teller, currency: str = "CNY") -> VaultRead:
    return bank.run(tellers.vault_balance, actor, branch, currency, readonly=True)
