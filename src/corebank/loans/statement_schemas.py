"""The loan statement (贷款对账单) as REST, the CLI and the CSV and PDF files read it. Amounts are decimal strings
of the loan's currency; a principal change is signed (+ lent, − repaid)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class LoanStatementMovement(BaseModel):
    """One movement on the loan in the period, with the outstanding principal right after it."""

    booked_on: date
    kind: str = Field(
        description="disbursement · counter · auto_debit · prepayment · recovery, or the journal entry's kind "
        "for any other principal movement (a write-off, a correction)"
    )
    description: str
    account: str | None = Field(description="the deposit account the money came from or went to, or cash")
    disbursed: str = Field(description="principal lent by this movement")
    repaid: str = Field(description="money received: penalty + interest + principal + fee + recovery")
    penalty: str
    interest: str
    principal: str = Field(description="principal repaid")
    fee: str
    recovery: str
    principal_change: str = Field(description="signed change of the outstanding principal")
    principal_balance: str = Field(description="outstanding principal after this movement")
    entry_id: int | None


class LoanStatementTotals(BaseModel):
    """What the period added up to: opening + disbursed − principal + other_principal = closing."""

    movements: int
    disbursed: str
    repaid: str
    penalty: str
    interest: str
    principal: str
    fee: str
    recovery: str
    other_principal: str = Field(
        description="signed net of principal movements that are neither lent nor repaid"
    )

    def movements_text(self) -> str:
        """How many movements, in words: "1 movement", "3 movements"."""
        return f"{self.movements} movement" if self.movements == 1 else f"{self.movements} movements"


class LoanStatement(BaseModel):
    """A loan's statement for a period: its header, opening and closing outstanding principal, every movement
    in date order with the principal after it, and the totals."""

    loan_number: str
    borrower_number: str
    borrower_name: str
    product_code: str
    product_name: str
    branch_code: str
    currency: str
    contract_amount: str
    disbursed_amount: str
    annual_rate: str = Field(description="percent a year, the rate in force")
    method: str
    term_months: int
    status: str
    classification: str
    maturity_date: date | None
    date_from: date
    date_to: date
    opening_principal: str
    closing_principal: str
    movements: list[LoanStatementMovement]
    totals: LoanStatementTotals
    business_date: date
    generated_at: datetime
    generated_by: str

    def filename(self, fmt: str) -> str:
        """The file name to save this statement under."""
        return f"loan-statement-{self.loan_number}-{self.date_from}-{self.date_to}.{fmt}"
