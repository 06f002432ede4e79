"""Pure rules of notice deposits (通知存款, 银发〔1999〕3号) and sweeps: terms, notice dates, which part of a
withdrawal earns which rate, and the interest to the fen. No database, no web: values in, values out.

Amounts are integer minor units (fen); rates are annual percentages as Decimal ("1.35" = 1.35 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from corebank.deposits.notice_errors import (
    BelowMinimumWithdrawal,
    ExceedsDepositBalance,
    NoticeDateTooSoon,
    NoticeTermInvalid,
)
from corebank.kernel.errors import InvalidAmount

NOTICE_TERMS: dict[str, int] = {"1D": 1, "7D": 7}
SWEEP_TERM = "7D"
DAY_BASIS = 360  # interest = principal × annual rate × actual days ÷ 360


def term_code(notice_days: int | None, term: str | None) -> str:
    """The product term ("1D" or "7D") from `notice_days` (1 or 7) or `term`; both given must agree."""
    from_days = {v: k for k, v in NOTICE_TERMS.items()}.get(notice_days) if notice_days is not None else None
    if notice_days is not None and from_days is None:
        raise NoticeTermInvalid(f"notice_days must be 1 or 7, not {notice_days}")
    if term is not None and term not in NOTICE_TERMS:
        raise NoticeTermInvalid(f'term must be "1D" or "7D", not {term!r}')
    if from_days and term and from_days != term:
        raise NoticeTermInvalid(f"notice_days {notice_days} and term {term} disagree")
    chosen = from_days or term
    if chosen is None:
        raise NoticeTermInvalid("say notice_days (1 or 7) or term (1D or 7D)")
    return chosen


def notice_days(term: str) -> int:
    """The notice period in days of a term code."""
    try:
        return NOTICE_TERMS[term]
    except KeyError:
        raise NoticeTermInvalid(f"{term!r} is not a notice deposit term") from None


def days_held(interest_from: date, on: date) -> int:
    """Actual days a deposit earned interest: from its value date up to (not including) `on`."""
    return max((on - interest_from).days, 0)


def earliest_withdrawal_date(today: date, term: str) -> date:
    """The first date a notice given today may name: 1 or 7 days ahead."""
    return today + timedelta(days=notice_days(term))


def check_notice(
    amount: int, balance: int, min_withdrawal: int, withdrawal_date: date, today: date, term: str
) -> None:
    """A notice must name an amount the deposit holds, at least the minimum withdrawal (unless it is the whole
    balance), and a withdrawal date at least the notice period after today."""
    check_withdrawal_amount(amount, balance, min_withdrawal)
    earliest = earliest_withdrawal_date(today, term)
    if withdrawal_date < earliest:
        raise NoticeDateTooSoon(
            f"a {notice_days(term)}-day notice given on {today} names {earliest} or later, not {withdrawal_date}"
        )


def check_withdrawal_amount(amount: int, balance: int, min_withdrawal: int) -> None:
    """Refuse a non-positive amount, more than the balance, or less than the minimum withdrawal unless it takes
    the whole balance."""
    if amount <= 0:
        raise InvalidAmount("the amount must be greater than zero")
    if amount > balance:
        raise ExceedsDepositBalance(f"the deposit holds {balance} fen, less than {amount} fen")
    if amount < min_withdrawal and amount != balance:
        raise BelowMinimumWithdrawal(f"a withdrawal is at least {min_withdrawal} fen or the whole balance")


@dataclass(frozen=True, slots=True)
class WithdrawalPlan:
    """How a withdrawal of a notice deposit is paid: principal at the notice rate, principal at the demand rate
    (without a matching notice, over the noticed amount, held too briefly, or the small remainder), and
    whether the deposit closes. `principal` is the total principal paid out."""

    at_notice_rate: int
    at_demand_rate: int
    closes: bool

    @property
    def principal(self) -> int:
        """All principal paid out."""
        return self.at_notice_rate + self.at_demand_rate


def plan_withdrawal(
    *,
    amount: int,
    balance: int,
    min_balance: int,
    held_days: int,
    term: str,
    noticed_amount: int | None,
    swept: bool,
) -> WithdrawalPlan:
    """Split a withdrawal by rate (银发〔1999〕3号 and the 通知存款管理办法):
    - held less than the notice period (1 or 7 days): all at the demand rate;
    - a swept deposit (双利丰) needs no notice: the 7-day rate once held 7 days; it is never forced below a
      minimum (the sweep agreement governs it, so a partial draw-back may leave any balance);
    - otherwise only the part covered by a notice for today (`noticed_amount`) earns the notice rate; the part
      above the noticed amount, or all of it without a notice, earns the demand rate;
    - a balance that would be left under the product minimum is paid out with the withdrawal (清户), at the
      demand rate (it was withdrawn without a notice), and the deposit closes.
    """
    remainder = balance - amount
    forced = remainder if (not swept and 0 < remainder < min_balance) else 0
    closes = remainder - forced == 0
    qualifies = held_days >= notice_days(term)
    if swept:
        at_notice = amount if qualifies else 0
    elif qualifies and noticed_amount is not None:
        at_notice = min(amount, noticed_amount)
    else:
        at_notice = 0
    return WithdrawalPlan(at_notice_rate=at_notice, at_demand_rate=amount - at_notice + forced, closes=closes)


def interest_minor(parts: list[tuple[int, Decimal]], days: int) -> int:
    """Interest on principal parts (minor units, each with its annual rate in percent) for `days` actual days:
    Σ principal × rate ÷ 100 × days ÷ 360, summed exactly and rounded once, ROUND_HALF_UP to the minor unit."""
    exact = sum((Decimal(p) * r for p, r in parts), Decimal(0)) * days / (100 * DAY_BASIS)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def sweep_excess(available: int, retained: int, min_deposit: int) -> int:
    """What end of day sweeps out of a demand account: the whole yuan above the retained balance, when that is
    at least the notice product's minimum deposit; else nothing. Minor units of a two-decimal currency."""
    excess = available - retained
    whole = excess - excess % 100 if excess > 0 else 0
    return whole if whole >= min_deposit and whole > 0 else 0
