"""What the ATM transfer routes read and return (amounts as decimal text, as everywhere in the API)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class AtmTransferRead(BaseModel):
    """A transfer made at an ATM. To another person's account it is `pending` until `due_at`, then `credited`
    (or `revoked` before that by the payer or the bank); to the customer's own account it is credited at once."""

    id: int
    entry_id: int
    terminal_id: str
    payer_account: str
    payee_account: str
    amount: str
    currency: str
    due_at: datetime
    status: str
    credit_entry_id: int | None = None
    revoke_entry_id: int | None = None
    revoked_by: str | None = None
    revoke_reason: str | None = None
    created_at: datetime
    settled_at: datetime | None = None


class AtmTransferRevoke(BaseModel):
    """Why the transfer is revoked (kept on the transfer and in the audit trail)."""

    reason: str = Field(default="", max_length=200)
