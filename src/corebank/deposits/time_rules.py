"""Time deposit (整存整取) interest and dates: pure functions over integer minor units and Decimal rates.

Rates are annual percentages as the product factory posts them ("1.50" means 1.50 % a year). Every figure a
function here returns is what gets booked: rounded half up (四舍五入) to the minor unit, once, at the end.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Instruction = Literal["pay_to_account", "rollover_principal", "rollover_principal_and_interest", "none"]
INSTRUCTIONS: tuple[Instruction, ...] = (
    "pay_to_account",
    "rollover_principal",
    "rollover_principal_and_interest",
    "none",
)
# The instructions that pay something to the linked demand account at maturity, so need one.
NEEDS_LINKED_ACCOUNT: frozenset[str] = frozenset({"pay_to_account", "rollover_principal"})
# The product factory's rollover option each rollover instruction needs (`rollover_options`).
ROLLOVER_OPTION: dict[str, str] = {
    "rollover_principal": "principal",
    "rollover_principal_and_interest": "principal_and_interest",
}
DAY_COUNT = 360  # demand interest for days: principal × rate × days ÷ 360 (DOMAIN.md)
ORAL_LOSS_DAYS = 5  # an oral loss report (口头挂失) blocks the deposit this many days, then lapses
WRITTEN_LOSS_WAIT_DAYS = (
    7  # a written loss report (书面挂失) allows reissue or withdrawal after this many days
)


def term_code(months: int) -> str:
    """The product factory's name for a term of `months` months, e.g. 12 -> "12M"."""
    return f"{months}M"


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def term_interest(principal: int, annual_rate: Decimal, months: int) -> int:
    """Interest for a whole term: principal × annual rate × months ÷ 12, no compounding.
    `principal` in minor units, `annual_rate` in percent; returns minor units rounded half up."""
    return _round(Decimal(principal) * annual_rate * months / (Decimal(100) * 12))


def day_interest(principal: int, annual_rate: Decimal, days: int) -> int:
    """Interest for `days` days at an annual rate: principal × rate × days ÷ 360 (demand interest for an early
    withdrawal or for money left past maturity). Minor units in and out, rounded half up."""
    if days <= 0:
        return 0
    return _round(Decimal(principal) * annual_rate * days / (Decimal(100) * DAY_COUNT))


def add_months(start: date, months: int) -> date:
    """`start` plus `months` calendar months; a day the target month lacks goes to its last day
    (31 January + 1 month = 28 or 29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def maturity_date(start: date, months: int) -> date:
    """The day a term of `months` months that starts on `start` matures."""
    return add_months(start, months)


def accrued_to_date(principal: int, annual_rate: Decimal, months: int, start: date, today: date) -> int:
    """Term interest earned so far, pro rata by days (an information figure: nothing accrues in the books
    before payment). Zero before the start; the whole term interest from maturity on."""
    end = maturity_date(start, months)
    full = term_interest(principal, annual_rate, months)
    if today <= start:
        return 0
    if today >= end:
        return full
    return _round(Decimal(full) * (today - start).days / (end - start).days)


def early_withdrawal_interest(principal_part: int, demand_rate: Decimal, start: date, today: date) -> int:
    """Interest on the part withdrawn before maturity (储蓄管理条例 art. 24–25): the demand rate posted on the
    withdrawal day, for the days held (`today` − `start`), ÷ 360."""
    return day_interest(principal_part, demand_rate, (today - start).days)


def past_maturity_interest(principal: int, demand_rate: Decimal, maturity: date, today: date) -> int:
    """Interest on money left past maturity without rollover: the demand rate posted on the withdrawal day for
    the days after maturity, ÷ 360."""
    return day_interest(principal, demand_rate, (today - maturity).days)


def oral_report_lapses_on(reported_on: date) -> date:
    """The first day an oral loss report no longer blocks the deposit."""
    return date.fromordinal(reported_on.toordinal() + ORAL_LOSS_DAYS)


def written_report_ripens_on(reported_on: date) -> date:
    """The first day a written loss report allows the reissue (补发) or a withdrawal."""
    return date.fromordinal(reported_on.toordinal() + WRITTEN_LOSS_WAIT_DAYS)
