"""Debit card schemas shared by REST and CLI, and the switch's answer to a PIN check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

# PINs travel as strings and are checked by the service (PIN_FORMAT_INVALID), so that a refused PIN is never
# echoed back in a validation error; `repr=False` keeps them out of any repr that reaches a log.
PinText = str


class CardIssue(BaseModel):
    account_number: str = Field(min_length=4, max_length=24)
    pin: PinText = Field(max_length=64, repr=False, description="six digits, not a trivial one")


class CardIssued(BaseModel):
    """The answer to issuing (or replacing) a card: the only answer that shows the full PAN."""

    card_id: int
    pan: str
    pan_masked: str
    account_number: str
    expiry: str = Field(description="YYYY-MM: valid through the last day of that month")
    status: str


class CardRead(BaseModel):
    """A card as staff and its holder see it: the PAN masked."""

    id: int
    pan_masked: str
    account_number: str
    customer_number: str
    expiry: str = Field(description="YYYY-MM")
    status: str = Field(description="issued | active | lost | replaced | closed | expired")
    pin_locked: bool = Field(description="too many wrong PINs today")
    replaced_by: int | None
    issued_by: str
    created_at: datetime
    updated_at: datetime


class PinChange(BaseModel):
    old_pin: PinText = Field(max_length=64, repr=False)
    new_pin: PinText = Field(max_length=64, repr=False)


class PinReset(BaseModel):
    new_pin: PinText = Field(max_length=64, repr=False)


class CardReplace(BaseModel):
    reason: Literal["lost", "damaged"] = Field(
        default="lost", description="lost: the card was reported lost first; damaged: the holder hands it in"
    )
    pin: PinText = Field(max_length=64, repr=False, description="the new card's PIN, set at the counter")


@dataclass(frozen=True, slots=True)
class CardCheck:
    """The answer to a PIN check, in ISO 8583 response codes: 00 ok, 14 unknown card or bad PAN, 41 lost,
    54 expired, 55 wrong PIN, 57 not active (issued, replaced or closed), 75 PIN tries exceeded. The card's
    fields are filled whenever the card is known (code other than 14)."""

    code: str
    card_id: int | None = None
    customer_id: int | None = None
    account_id: int | None = None
    account_number: str = ""
    account_class: int = 0
    pan_masked: str = ""

    @property
    def ok(self) -> bool:
        """True when the card and PIN were accepted."""
        return self.code == "00"


@dataclass(frozen=True, slots=True)
class PinOutcome:
    """The card after a PIN change, or the error to raise once the wrong try has been committed."""

    card: CardRead | None
    error: Exception | None
