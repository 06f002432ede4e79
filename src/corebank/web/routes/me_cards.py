"""A customer's own debit cards on the e-channels: list, activate, change the PIN, report lost."""

from __future__ import annotations

from fastapi import APIRouter

from corebank.channels import cards
from corebank.channels.card_schemas import CardRead, PinChange
from corebank.web.customer_deps import CustomerDep
from corebank.web.deps import BankDep

router = APIRouter(prefix="/api/v1/me/cards", tags=["me"])


@router.get("", response_model=list[CardRead], summary="My cards (PAN masked), newest first")
def my_cards(bank: BankDep, actor: CustomerDep) -> list[CardRead]:
    return bank.run(cards.my_cards, actor, readonly=True)


@router.get("/{card_id}", response_model=CardRead, summary="One of my cards (PAN masked)")
def my_card(bank: BankDep, actor: CustomerDep, card_id: int) -> CardRead:
    return bank.run(cards.my_card, actor, card_id, readonly=True)


@router.post("/{card_id}/activate", response_model=CardRead, summary="Activate my new card")
def activate(bank: BankDep, actor: CustomerDep, card_id: int) -> CardRead:
    return bank.run(cards.activate_my_card, actor, card_id)


@router.post(
    "/{card_id}/loss", response_model=CardRead, summary="Report my card lost: it stops working at once"
)
def report_lost(bank: BankDep, actor: CustomerDep, card_id: int) -> CardRead:
    return bank.run(cards.report_my_card_lost, actor, card_id)


@router.post(
    "/{card_id}/pin",
    response_model=CardRead,
    summary="Change my PIN (a wrong old PIN counts toward the day's lock)",
)
def change_pin(bank: BankDep, actor: CustomerDep, card_id: int, cmd: PinChange) -> CardRead:
    # The wrong try is committed first, then refused.
    outcome = bank.run(cards.change_my_pin, actor, card_id, cmd)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.card is not None
    return outcome.card
