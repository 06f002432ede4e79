"""Loan mathematics: repayment schedules, repayment allocation, penalty interest, classification, provisioning.

Pure functions over integer minor units (fen for CNY) and Decimal rates; never floating point, because a schedule
must be right to the fen and a loan's principal lines must add up to exactly the loan. Annual rates are percent
("4.90" is 4.9 % a year). Every booked figure is rounded half up (四舍五入) once, where it is booked; accruals such
as penalty interest stay unrounded until they are booked (DOMAIN.md, "Money and rounding").
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from types import MappingProxyType
from typing import Literal, get_args

from corebank.kernel.errors import InvalidAmount, InvalidRequest
from corebank.loans.errors import InvalidClassification, InvalidMethod, InvalidRate, InvalidTerm

Method = Literal["equal_installment", "equal_principal", "interest_only", "bullet"]
METHODS: tuple[str, ...] = get_args(Method)
MAX_TERM_MONTHS = 360
RATE_PLACES = 4  # a contract rate has at most 4 decimals of a percent
DAY_COUNT = 360  # penalty interest is daily at rate ÷ 360 (DOMAIN.md)
DEFAULT_PENALTY_MARKUP = Decimal("0.5")  # penalty rate = contract rate × (1 + 50 %)

# 34 digits is IEEE decimal128; 50 leaves room for (1 + r)^360 with a 4-decimal rate without a visible error.
_MATH = Context(prec=50, rounding=ROUND_HALF_UP)
_HUNDRED = Decimal(100)
_MONTHS_PER_YEAR = 12

# Five-tier classification (五级分类) by days past due: each band is (first day past due, classification).
DEFAULT_BANDS: tuple[tuple[int, str], ...] = (
    (0, "normal"),  # 正常
    (1, "special_mention"),  # 关注
    (91, "substandard"),  # 次级
    (271, "doubtful"),  # 可疑
    (361, "loss"),  # 损失
)
CLASSIFICATIONS: tuple[str, ...] = tuple(name for _, name in DEFAULT_BANDS)
DEFAULT_PROVISION_RATES: Mapping[str, Decimal] = MappingProxyType(
    {
        "normal": Decimal("0.01"),
        "special_mention": Decimal("0.02"),
        "substandard": Decimal("0.25"),
        "doubtful": Decimal("0.50"),
        "loss": Decimal("1.00"),
    }
)
ALLOCATION_ORDER: tuple[str, ...] = (
    "penalty",
    "overdue_interest",
    "overdue_principal",
    "current_interest",
    "current_principal",
)


@dataclass(frozen=True, slots=True)
class ScheduleLine:
    """One period of a repayment schedule; every amount in integer minor units."""

    period: int
    due_date: date | None
    opening_principal: int
    payment: int
    principal: int
    interest: int
    closing_principal: int


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def add_months(start: date, months: int) -> date:
    """`start` plus `months` calendar months; a day the target month lacks becomes its last day
    (31 January + 1 month = 28 or 29 February)."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_reprice_date(previous: date | None, day: date, mode: str | None) -> date:
    """A floating-rate loan's repricing date after `day`: the next 1 January, or for `anniversary` the loan's
    repricing date (its first disbursement date the first time) moved on by whole years past `day`."""
    if mode == "anniversary" and previous is not None:
        following = previous
        while following <= day:
            following = add_months(following, 12)
        return following
    return date(day.year + 1, 1, 1)


def check_principal(principal: int) -> None:
    """Refuse a principal (minor units) that is not a whole number above zero."""
    if isinstance(principal, bool) or not isinstance(principal, int) or principal <= 0:
        raise InvalidAmount(f"the principal must be above zero in minor units, got {principal!r}")


def check_term(term_months: int) -> None:
    """Refuse a term that is not a whole number of months from 1 to 360."""
    if isinstance(term_months, bool) or not isinstance(term_months, int):
        raise InvalidTerm(f"the term must be a whole number of months, got {term_months!r}")
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise InvalidTerm(f"the term must be from 1 to {MAX_TERM_MONTHS} months, got {term_months}")


def check_rate(annual_rate: Decimal) -> None:
    """Refuse an annual percent rate that is not a Decimal in [0, 100) with at most 4 decimals."""
    if not isinstance(annual_rate, Decimal) or not annual_rate.is_finite():
        raise InvalidRate(f"the annual rate must be a finite decimal percentage, got {annual_rate!r}")
    if not 0 <= annual_rate < _HUNDRED:
        raise InvalidRate(f"the annual rate must be from 0 up to 100 percent, got {annual_rate}")
    exp = annual_rate.normalize().as_tuple().exponent
    if isinstance(exp, int) and -exp > RATE_PLACES:
        raise InvalidRate(f"the annual rate has more than {RATE_PLACES} decimals: {annual_rate}")


def check_method(method: str) -> None:
    """Refuse a repayment method this module does not know."""
    if method not in METHODS:
        raise InvalidMethod(f"unknown repayment method {method!r}; use one of {', '.join(METHODS)}")


def month_interest(outstanding: int, annual_rate: Decimal) -> int:
    """One month's interest: outstanding (minor units) × annual percent ÷ 100 ÷ 12, rounded half up."""
    # Multiplying before dividing keeps an exact .5 exact, so half-up sees it.
    with localcontext(_MATH):
        return _round(Decimal(outstanding) * annual_rate / (_HUNDRED * _MONTHS_PER_YEAR))


def installment(principal: int, annual_rate: Decimal, term_months: int) -> int:
    """Equal-installment (等额本息) payment A = P·r(1+r)^n / ((1+r)^n − 1), r = annual % ÷ 100 ÷ 12; P and A in
    minor units, A rounded half up; at a zero rate A = P ÷ n rounded half up."""
    check_principal(principal)
    check_term(term_months)
    check_rate(annual_rate)
    with localcontext(_MATH):
        if annual_rate == 0:
            return _round(Decimal(principal) / term_months)
        r = annual_rate / (_HUNDRED * _MONTHS_PER_YEAR)
        growth = (1 + r) ** term_months
        return _round(Decimal(principal) * r * growth / (growth - 1))


def bullet_interest(principal: int, annual_rate: Decimal, term_months: int) -> int:
    """Interest of a single payment at maturity (到期一次还本付息): P × annual % ÷ 100 × n ÷ 12, simple, P and
    the result in minor units, rounded half up."""
    with localcontext(_MATH):
        return _round(Decimal(principal) * annual_rate * term_months / (_HUNDRED * _MONTHS_PER_YEAR))


def _principal_parts(principal: int, term_months: int, method: str) -> list[int] | None:
    """The principal due each period for the methods where it does not depend on interest; None otherwise."""
    if method == "equal_principal":
        with localcontext(_MATH):
            part = _round(Decimal(principal) / term_months)
        return [part] * term_months
    if method == "interest_only":
        return [0] * term_months
    return None


def schedule(
    principal: int,
    annual_rate: Decimal,
    term_months: int,
    method: Method,
    first_due: date | None = None,
) -> list[ScheduleLine]:
    """The repayment schedule of a loan of `principal` minor units at `annual_rate` percent over `term_months`:
    each period's interest is round half up(outstanding × r), r = annual ÷ 12; the last period takes the whole
    remaining principal so the principal lines add up exactly to the loan. Due dates run monthly from
    `first_due` (month ends clamped), or are None without it. `bullet` gives one line, period n, at maturity."""
    check_principal(principal)
    check_term(term_months)
    check_rate(annual_rate)
    check_method(method)

    def due(period: int) -> date | None:
        # Always from the first due date, so 31 Jan → 28 Feb → 31 Mar rather than drifting to the 28th.
        return add_months(first_due, period - 1) if first_due is not None else None

    if method == "bullet":
        interest = bullet_interest(principal, annual_rate, term_months)
        return [
            ScheduleLine(
                term_months, due(term_months), principal, principal + interest, principal, interest, 0
            )
        ]

    payment = installment(principal, annual_rate, term_months) if method == "equal_installment" else 0
    parts = _principal_parts(principal, term_months, method)
    lines: list[ScheduleLine] = []
    outstanding = principal
    for period in range(1, term_months + 1):
        interest = month_interest(outstanding, annual_rate)
        if period == term_months:
            part = outstanding  # the last period absorbs every rounding
        else:
            wanted = payment - interest if parts is None else parts[period - 1]
            # Rounding up a tiny loan's part could repay it early; never repay more than is owed.
            part = min(max(wanted, 0), outstanding)
        lines.append(
            ScheduleLine(
                period, due(period), outstanding, part + interest, part, interest, outstanding - part
            )
        )
        outstanding -= part
    return lines


def totals(lines: Iterable[ScheduleLine]) -> tuple[int, int, int]:
    """(total payment, total principal, total interest) of schedule lines, exact sums of minor units."""
    payment = principal = interest = 0
    for line in lines:
        payment += line.payment
        principal += line.principal
        interest += line.interest
    return payment, principal, interest


def allocate_repayment(
    amount: int,
    overdue_penalty: int,
    overdue_interest: int,
    overdue_principal: int,
    current_interest: int,
    current_principal: int,
) -> tuple[dict[str, int], int]:
    """Split a repayment of `amount` minor units in DOMAIN.md's order: overdue penalty interest, overdue interest,
    overdue principal, current interest, current principal. Returns ({part: minor units paid}, leftover); exact
    integers, no rounding."""
    owed = (overdue_penalty, overdue_interest, overdue_principal, current_interest, current_principal)
    for name, value in (("amount", amount), *zip(ALLOCATION_ORDER, owed, strict=True)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidAmount(f"{name} must be a whole number of minor units, not negative: {value!r}")
    left = amount
    allocation: dict[str, int] = {}
    for name, due in zip(ALLOCATION_ORDER, owed, strict=True):
        paid = min(left, due)
        allocation[name] = paid
        left -= paid
    return allocation, left


def penalty_interest(
    overdue_principal: int,
    annual_rate: Decimal,
    days: int,
    markup: Decimal = DEFAULT_PENALTY_MARKUP,
) -> Decimal:
    """Penalty interest (罚息) for `days` days on `overdue_principal` minor units at the contract `annual_rate`
    percent × (1 + `markup`), daily ÷ 360. Returns minor units as an unrounded Decimal (50 significant digits,
    far beyond the 6 decimals an accrual keeps): round it only when it is booked."""
    if isinstance(overdue_principal, bool) or not isinstance(overdue_principal, int) or overdue_principal < 0:
        raise InvalidAmount(
            f"overdue principal must be whole minor units, not negative: {overdue_principal!r}"
        )
    check_rate(annual_rate)
    if not isinstance(markup, Decimal) or not markup.is_finite() or markup < 0:
        raise InvalidRate(f"the penalty markup must be a decimal fraction of at least 0, got {markup!r}")
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidRequest(f"days must be a whole number, not negative: {days!r}")
    with localcontext(_MATH):
        return Decimal(overdue_principal) * annual_rate * (1 + markup) * days / (_HUNDRED * DAY_COUNT)


def classify(days_past_due: int, bands: Sequence[tuple[int, str]] = DEFAULT_BANDS) -> str:
    """The five-tier classification (五级分类) floor for `days_past_due`: the band whose first day is the last
    one reached (by default 0 normal, 1–90 special_mention, 91–270 substandard, 271–360 doubtful, 361+ loss)."""
    if isinstance(days_past_due, bool) or not isinstance(days_past_due, int) or days_past_due < 0:
        raise InvalidRequest(f"days past due must be a whole number, not negative: {days_past_due!r}")
    ordered = sorted(bands)
    if not ordered or ordered[0][0] != 0:
        raise InvalidRequest("classification bands must start at 0 days past due")
    reached = ordered[0][1]
    for first_day, name in ordered:
        if days_past_due >= first_day:
            reached = name
    return reached


def provision(
    balance: int, classification: str, rates: Mapping[str, Decimal] = DEFAULT_PROVISION_RATES
) -> int:
    """Loan-loss provision for `balance` minor units in `classification`: balance × the class's rate (a
    fraction, by default normal 1 %, special mention 2 %, substandard 25 %, doubtful 50 %, loss 100 %),
    in minor units rounded half up."""
    if isinstance(balance, bool) or not isinstance(balance, int) or balance < 0:
        raise InvalidAmount(f"the balance must be whole minor units, not negative: {balance!r}")
    try:
        rate = rates[classification]
    except KeyError:
        raise InvalidClassification(f"no provisioning rate for classification {classification!r}") from None
    with localcontext(_MATH):
        return _round(Decimal(balance) * rate)
