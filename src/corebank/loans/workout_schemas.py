"""Schemas of loan workouts shared by REST, web and CLI: an officer's classification, collections (催收) and
promises to pay, restructuring (重组), write-off (核销) and recoveries after it. Amounts are decimal strings."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText
from corebank.loans.rules import CLASSIFICATIONS, MAX_TERM_MONTHS
from corebank.loans.schemas import RateText

COLLECTION_ACTIONS: tuple[str, ...] = ("call", "sms", "letter", "visit", "promise", "legal")


# ---------------------------------------------------------------------------------------------- classification


class ClassificationChange(BaseModel):
    """A credit officer's five-tier class (五级分类) for a loan: worse than the end-of-day floor, or the floor
    itself to clear an earlier officer's class; always with a reason."""

    classification: str = Field(
        max_length=24,
        description="normal · special_mention · substandard · doubtful · loss",
        json_schema_extra={"enum": list(CLASSIFICATIONS)},
    )
    reason: str = Field(min_length=3, max_length=200)


class LoanClassificationRead(BaseModel):
    loan_number: str
    classification: str = Field(description="the worse of the floor and the officer's class")
    classification_floor: str = Field(description="the class end of day gives by days past due")
    officer_classification: str | None
    classification_reason: str
    days_past_due: int


class ClassificationHistoryRead(BaseModel):
    from_class: str
    to_class: str
    days_past_due: int
    reason: str
    changed_on: date
    changed_by: str


# ---------------------------------------------------------------------------------------------- collections


class CollectionActionCreate(BaseModel):
    """A step in collecting an overdue loan. A promise to pay (还款承诺) names an amount and a date after
    today; end of day marks it kept or broken once the date has passed."""

    action: str = Field(
        max_length=16,
        description="call · sms · letter · visit · promise · legal",
        json_schema_extra={"enum": list(COLLECTION_ACTIONS)},
    )
    note: str = Field(default="", max_length=400)
    promise_amount: AmountText | None = Field(default=None, description="a promise only: the amount promised")
    promise_date: date | None = Field(default=None, description="a promise only: the day it is to be paid by")


class CollectionActionRead(BaseModel):
    id: int
    loan_number: str
    action: str
    note: str
    promise_amount: str | None
    promise_date: date | None
    promise_status: str | None = Field(description="open · kept · broken (promises only)")
    created_on: date
    created_by: str


class CollectionQueueItem(BaseModel):
    loan_number: str
    customer_number: str
    branch_code: str
    currency: str
    outstanding_principal: str
    overdue_principal: str
    overdue_interest: str
    penalty_owed: str
    overdue_total: str
    overdue_since: date | None
    days_past_due: int
    classification: str
    last_action: CollectionActionRead | None
    open_promise: CollectionActionRead | None


class CollectionQueuePage(BaseModel):
    items: list[CollectionQueueItem]
    next_cursor: str | None


# ---------------------------------------------------------------------------------------------- workouts


class Restructuring(BaseModel):
    """Restructure a troubled loan (贷款重组): overdue interest and unpaid penalty are capitalised, and the whole
    principal is rescheduled over `term_months` from a month after today, at `annual_rate` or the rate in force."""

    term_months: int = Field(json_schema_extra={"minimum": 1, "maximum": MAX_TERM_MONTHS})
    annual_rate: RateText | None = None
    reason: str = Field(min_length=3, max_length=200)


class RestructuringRead(BaseModel):
    loan_number: str
    capitalised_interest: str
    capitalised_penalty: str
    entry_id: int | None = Field(description="the capitalisation entry (none when nothing was capitalised)")
    outstanding_principal: str
    annual_rate: str
    term_months: int
    schedule_version: int
    next_due_date: date | None
    next_payment: str
    maturity_date: date | None
    classification: str
    restructured: bool


class WriteOff(BaseModel):
    """Write a doubtful or loss loan off (核销) against its loan-loss provision."""

    reason: str = Field(min_length=3, max_length=200)


class WriteOffRead(BaseModel):
    loan_number: str
    written_off_amount: str = Field(description="the principal taken off the books")
    provision_used: str = Field(description="the provision the loan held before")
    provision_topped_up: str = Field(description="charged to impairment loss so the provision covered it all")
    interest_reversed: str = Field(description="interest receivable taken back out of interest income")
    entry_id: int | None
    written_off_on: date
    status: str


class Recovery(BaseModel):
    """Money collected on a written-off loan: from an account of the borrower, or cash into the teller's till."""

    amount: AmountText
    from_account: str | None = Field(default=None, max_length=24)
    cash: bool = False


class RecoveryRead(BaseModel):
    loan_number: str
    amount: str
    source: str = Field(description="the account debited, or cash")
    entry_id: int
    booked_on: date
    recovered_amount: str = Field(description="everything recovered on the loan so far")
    written_off_amount: str
    status: str
