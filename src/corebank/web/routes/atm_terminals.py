"""ATM and POS terminals: register, list, read with the cash inside, load and unload cash."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from corebank.channels import terminals
from corebank.channels.terminal_schemas import TerminalCash, TerminalCreate, TerminalRead
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1/atm/terminals", tags=["atm"])


@router.post("", response_model=TerminalRead, status_code=201, summary="Register an ATM or POS terminal")
def add(
    bank: BankDep, cmd: TerminalCreate, actor: Annotated[Actor, Depends(requires(P.CHANNEL_ADMIN))]
) -> TerminalRead:
    return bank.run(terminals.add_terminal, actor, cmd)


@router.get("", response_model=list[TerminalRead], summary="Terminals of your branches, with ATM cash")
def list_all(bank: BankDep, actor: Annotated[Actor, Depends(requires(P.CHANNEL_READ))]) -> list[TerminalRead]:
    return bank.run(terminals.list_terminals, actor, readonly=True)


@router.get("/{terminal_id}", response_model=TerminalRead, summary="One terminal, with the cash in it")
def get(
    bank: BankDep, terminal_id: str, actor: Annotated[Actor, Depends(requires(P.CHANNEL_READ))]
) -> TerminalRead:
    return bank.run(terminals.terminal_detail, actor, terminal_id, readonly=True)


@router.post(
    "/{terminal_id}/cash",
    response_model=TerminalRead,
    summary="Load cash from the branch vault into an ATM (or unload it back); Idempotency-Key required",
)
def move_cash(
    bank: BankDep,
    terminal_id: str,
    cmd: TerminalCash,
    key: IdempotencyKey,
    actor: Annotated[Actor, Depends(requires(P.CASH_OPERATE))],
) -> TerminalRead:
    return bank.run(terminals.move_cash, actor, terminal_id, cmd, key)


@router.post("/{terminal_id}/disable", response_model=TerminalRead, summary="Disable a terminal")
def disable(
    bank: BankDep, terminal_id: str, actor: Annotated[Actor, Depends(requires(P.CHANNEL_ADMIN))]
) -> TerminalRead:
    return bank.run(terminals.set_status, actor, terminal_id, "disabled")


@router.post("/{terminal_id}/enable", response_model=TerminalRead, summary="Enable a terminal again")
def enable(
    bank: BankDep, terminal_id: str, actor: Annotated[Actor, Depends(requires(P.CHANNEL_ADMIN))]
) -> TerminalRead:
    return bank.run(terminals.set_status, actor, terminal_id, "active")
