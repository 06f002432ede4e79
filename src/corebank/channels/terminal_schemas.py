"""ATM and POS terminal schemas, and what the switch knows of a terminal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText


class TerminalCreate(BaseModel):
    terminal_id: str = Field(
        min_length=8, max_length=8, pattern=r"^[A-Za-z0-9]{8}$", description="ISO 8583 field 41: 8 characters"
    )
    kind: Literal["atm", "pos"] = "atm"
    branch_code: str = Field(default="0001", min_length=1, max_length=8)
    # Checked by the service (TERMINAL_KEY_INVALID), so that a refused key is never echoed in an error.
    pin_key: str = Field(max_length=64, repr=False, description="TDES PIN key: 32 or 48 hex characters")
    location: str = Field(default="", max_length=200)
    merchant_name: str = Field(default="", max_length=120, description="POS: the merchant's name")


class TerminalRead(BaseModel):
    terminal_id: str
    kind: str
    branch_code: str
    location: str
    merchant_name: str
    status: str
    signed_on: bool
    last_seen_at: datetime | None
    currency: str
    cash_balance: str | None = Field(description="ATMs: the cash loaded in it (GL 1005)")
    created_by: str
    created_at: datetime


class TerminalCash(BaseModel):
    amount: AmountText
    direction: Literal["load", "unload"] = Field(
        default="load", description="load: from the branch vault into the ATM; unload: back to the vault"
    )


@dataclass(frozen=True, slots=True)
class TerminalInfo:
    """What the ATM/POS switch needs to know of a terminal; `pin_key` is the clear TDES key (keep it in memory
    only)."""

    terminal_id: str
    kind: str
    branch_code: str
    status: str
    pin_key: bytes
    cash_account_id: int | None
    currency: str
    signed_on: bool = False
    merchant_name: str = ""

    def __repr__(self) -> str:
        return f"TerminalInfo({self.terminal_id!r}, {self.kind!r}, {self.branch_code!r}, {self.status!r})"
