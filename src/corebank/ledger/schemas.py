"""Ledger values: entry drafts handed to `post()`, and what posting returns. Pure data, no SQLAlchemy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from corebank.kernel.money import Money


@dataclass(frozen=True, slots=True)
class Leg:
    """One side of a posting: a positive amount debited or credited to a GL account in a branch's books,
    and to a sub-ledger account (`account_id`) when the GL has one."""

    gl_code: str
    branch_code: str
    amount: Money
    side: Literal["debit", "credit"]
    account_id: int | None = None
    narrative: str = ""

    @classmethod
    def debit(
        cls, gl_code: str, branch_code: str, amount: Money, account_id: int | None = None, narrative: str = ""
    ) -> Leg:
        """A debit leg."""
        return cls(gl_code, branch_code, amount, "debit", account_id, narrative)

    @classmethod
    def credit(
        cls, gl_code: str, branch_code: str, amount: Money, account_id: int | None = None, narrative: str = ""
    ) -> Leg:
        """A credit leg."""
        return cls(gl_code, branch_code, amount, "credit", account_id, narrative)

    def signed_minor(self) -> int:
        """Debit positive, credit negative, in minor units."""
        minor = self.amount.to_minor()
        return minor if self.side == "debit" else -minor


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """A journal entry to post: its kind (`transfer`, `cash_deposit` ...), legs, memo and voucher reference."""

    kind: str
    legs: tuple[Leg, ...]
    memo: str = ""
    reference: str | None = None
    value_date: date | None = None


@dataclass(frozen=True, slots=True)
class PostedLine:
    line_no: int
    gl_code: str
    branch_code: str
    account_id: int | None
    currency: str
    amount: int  # signed minor units, debit positive
    balance_after: int | None


@dataclass(frozen=True, slots=True)
class PostedEntry:
    id: int
    booking_date: date
    value_date: date
    kind: str
    memo: str
    reference: str | None
    reverses_id: int | None
    created_by: str
    lines: tuple[PostedLine, ...] = field(default_factory=tuple)

    def balance_after(self, account_id: int) -> int | None:
        """The sub-ledger balance of `account_id` after this entry."""
        found = [ln.balance_after for ln in self.lines if ln.account_id == account_id]
        return found[-1] if found else None


@dataclass(frozen=True, slots=True)
class AccountBalance:
    account_id: int
    currency: str
    balance: int
    held: int
    floor: int
    ceiling: int | None
    allow_increase: bool
    allow_decrease: bool
    branch_code: str
    gl_code: str

    @property
    def available(self) -> int:
        """What may be drawn now: balance above the floor, less holds (never below zero)."""
        return max(self.balance - self.held - self.floor, 0) if self.allow_decrease else 0


@dataclass(frozen=True, slots=True)
class TrialBalanceRow:
    gl_code: str
    name: str
    gl_class: str
    currency: str
    debit: int
    credit: int


@dataclass(frozen=True, slots=True)
class TrialBalance:
    as_of: date
    branch_code: str | None
    rows: tuple[TrialBalanceRow, ...]

    def totals(self) -> dict[str, tuple[int, int]]:
        """Per currency: (total debit, total credit)."""
        out: dict[str, tuple[int, int]] = {}
        for r in self.rows:
            d, c = out.get(r.currency, (0, 0))
            out[r.currency] = (d + r.debit, c + r.credit)
        return out

    @property
    def balanced(self) -> bool:
        """True when debits equal credits in every currency, exactly."""
        return all(d == c for d, c in self.totals().values())
