"""Loan services. For now the schedule calculator, which needs no database and no actor."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from corebank.kernel.money import minor_to_text, positive_amount
from corebank.loans import rules
from corebank.loans.errors import InvalidRate
from corebank.loans.schemas import ScheduleLineRead, SchedulePreview, SchedulePreviewRequest


def _rate(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except ArithmeticError:
        raise InvalidRate(f"the annual rate {text!r} is not a number") from None


def preview_schedule(cmd: SchedulePreviewRequest) -> SchedulePreview:
    """The repayment schedule a loan would have, computed by the loan rules; no loan is created or read."""
    principal = positive_amount(cmd.principal, cmd.currency).to_minor()
    annual_rate = _rate(cmd.annual_rate)
    rules.check_method(cmd.method)
    lines = rules.schedule(
        principal, annual_rate, cmd.term_months, cast(rules.Method, cmd.method), cmd.first_due_date
    )
    total_payment, total_principal, total_interest = rules.totals(lines)

    def text(minor: int) -> str:
        return minor_to_text(minor, cmd.currency)

    return SchedulePreview(
        currency=cmd.currency,
        principal=text(principal),
        annual_rate=str(annual_rate),
        term_months=cmd.term_months,
        method=cmd.method,
        first_due_date=cmd.first_due_date,
        lines=[
            ScheduleLineRead(
                period=line.period,
                due_date=line.due_date,
                opening_principal=text(line.opening_principal),
                payment=text(line.payment),
                principal=text(line.principal),
                interest=text(line.interest),
                closing_principal=text(line.closing_principal),
            )
            for line in lines
        ],
        total_payment=text(total_payment),
        total_principal=text(total_principal),
        total_interest=text(total_interest),
    )
