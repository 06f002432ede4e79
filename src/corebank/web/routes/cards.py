"""Debit cards at the counter (`/api/v1/cards`) and for the customer (`/api/v1/me/cards`, in me_cards)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from corebank.channels import cards
from corebank.channels.card_schemas import CardIssue, CardIssued, CardRead, CardReplace, PinReset
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires
from corebank.web.routes import me_cards

staff = APIRouter(prefix="/api/v1/cards", tags=["cards"])
Operator = Annotated[Actor, Depends(requires(P.CARD_OPERATE))]


@staff.post(
    "",
    response_model=CardIssued,
    status_code=201,
    summary="Issue a debit card on a personal CNY demand account (the only answer with the full PAN)",
)
def issue(bank: BankDep, cmd: CardIssue, actor: Operator) -> CardIssued:
    return bank.run(cards.issue_card, actor, cmd)


@staff.get("", response_model=list[CardRead], summary="The cards of an account, newest first")
def list_cards(
    bank: BankDep, actor: Operator, account: Annotated[str, Query(min_length=4, max_length=24)]
) -> list[CardRead]:
    return bank.run(cards.cards_of_account, actor, account, readonly=True)


@staff.get("/{card_id}", response_model=CardRead, summary="One card (PAN masked)")
def get(bank: BankDep, card_id: int, actor: Operator) -> CardRead:
    return bank.run(cards.get_card, actor, card_id, readonly=True)


@staff.post("/{card_id}/activate", response_model=CardRead, summary="Activate an issued card")
def activate(bank: BankDep, card_id: int, actor: Operator) -> CardRead:
    return bank.run(cards.activate_card, actor, card_id)


@staff.post("/{card_id}/pin-reset", response_model=CardRead, summary="Set a new PIN at the counter")
def reset_pin(bank: BankDep, card_id: int, cmd: PinReset, actor: Operator) -> CardRead:
    return bank.run(cards.reset_pin, actor, card_id, cmd)


@staff.post("/{card_id}/loss", response_model=CardRead, summary="Report a card lost (挂失): it stops at once")
def report_lost(bank: BankDep, card_id: int, actor: Operator) -> CardRead:
    return bank.run(cards.report_lost, actor, card_id)


@staff.post(
    "/{card_id}/replace",
    response_model=CardIssued,
    status_code=201,
    summary="Replace a lost or damaged card (补卡): a new PAN on the same account",
)
def replace(bank: BankDep, card_id: int, cmd: CardReplace, actor: Operator) -> CardIssued:
    return bank.run(cards.replace_card, actor, card_id, cmd)


@staff.post("/{card_id}/close", response_model=CardRead, summary="Close a card for good (销卡)")
def close(bank: BankDep, card_id: int, actor: Operator) -> CardRead:
    return bank.run(cards.close_card, actor, card_id)


# app.py registers `router`: the counter's routes and the customer's, each under its own prefix.
router = APIRouter()
router.include_router(staff)
router.include_router(me_cards.router)
