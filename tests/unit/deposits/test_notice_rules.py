"""Notice deposit rules (通知存款, 银发〔1999〕3号) as pure functions, pinned to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from corebank.deposits import notice_rules as rules
from corebank.deposits.notice_errors import (
    BelowMinimumWithdrawal,
    ExceedsDepositBalance,
    NoticeDateTooSoon,
    NoticeTermInvalid,
)
from corebank.kernel.errors import InvalidAmount

SEVEN_DAY = Decimal("1.35")
ONE_DAY = Decimal("0.80")
DEMAND = Decimal("0.35")
MIN = 5_000_000  # CNY 50,000.00 in fen: NOTICE_CNY's minimum deposit, balance and withdrawal


@pytest.mark.parametrize(
    ("days", "term", "expected"),
    [(7, None, "7D"), (1, None, "1D"), (None, "7D", "7D"), (None, "1D", "1D"), (7, "7D", "7D")],
)
def test_term_from_notice_days_or_term(days: int | None, term: str | None, expected: str) -> None:
    assert rules.term_code(days, term) == expected


@pytest.mark.parametrize(("days", "term"), [(3, None), (None, "3M"), (1, "7D"), (None, None)])
def test_term_refused_when_missing_unknown_or_contradictory(days: int | None, term: str | None) -> None:
    with pytest.raises(NoticeTermInvalid) as err:
        rules.term_code(days, term)
    assert err.value.code == "NOTICE_TERM_INVALID"


def test_days_held_counts_actual_days_excluding_the_withdrawal_day() -> None:
    assert rules.days_held(date(2026, 6, 1), date(2026, 6, 27)) == 26
    assert rules.days_held(date(2026, 6, 1), date(2026, 6, 1)) == 0
    assert rules.days_held(date(2026, 2, 27), date(2026, 3, 1)) == 2


def test_seven_day_interest_for_thirty_days_on_100000() -> None:
    # 100,000.00 × 1.35 % × 30 ÷ 360 = 112.50
    assert rules.interest_minor([(10_000_000, SEVEN_DAY)], 30) == 11_250


def test_interest_rounds_half_up_to_the_fen() -> None:
    # 1,200.00 × 1.35 % × 1 ÷ 360 = 0.045 → 0.05 (half up; banker's rounding would give 0.04)
    assert rules.interest_minor([(120_000, SEVEN_DAY)], 1) == 5
    # 100,000.00 × 0.35 % × 5 ÷ 360 = 4.8611… → 4.86
    assert rules.interest_minor([(10_000_000, DEMAND)], 5) == 486


def test_interest_on_parts_is_summed_exactly_then_rounded_once() -> None:
    # 60,000 at 1.35 % and 40,000 at 0.35 % for 26 days: 58.50 + 10.1111… = 68.6111… → 68.61
    assert rules.interest_minor([(6_000_000, SEVEN_DAY), (4_000_000, DEMAND)], 26) == 6_861
    assert rules.interest_minor([(6_000_000, SEVEN_DAY), (0, DEMAND)], 0) == 0


def test_notice_must_be_the_notice_period_ahead() -> None:
    today = date(2026, 6, 1)
    rules.check_notice(MIN, 10_000_000, MIN, date(2026, 6, 8), today, "7D")
    rules.check_notice(MIN, 10_000_000, MIN, date(2026, 6, 2), today, "1D")
    with pytest.raises(NoticeDateTooSoon) as err:
        rules.check_notice(MIN, 10_000_000, MIN, date(2026, 6, 7), today, "7D")
    assert err.value.code == "NOTICE_PERIOD_TOO_SHORT"
    with pytest.raises(NoticeDateTooSoon):
        rules.check_notice(MIN, 10_000_000, MIN, today, today, "1D")


def test_withdrawal_amount_rules() -> None:
    rules.check_withdrawal_amount(MIN, 10_000_000, MIN)
    rules.check_withdrawal_amount(3_000_000, 3_000_000, MIN)  # the whole balance is always allowed
    with pytest.raises(BelowMinimumWithdrawal) as err:
        rules.check_withdrawal_amount(MIN - 1, 10_000_000, MIN)
    assert err.value.code == "BELOW_MINIMUM_WITHDRAWAL"
    with pytest.raises(ExceedsDepositBalance):
        rules.check_withdrawal_amount(10_000_001, 10_000_000, MIN)
    with pytest.raises(InvalidAmount):
        rules.check_withdrawal_amount(0, 10_000_000, MIN)


def plan(**kw: object) -> rules.WithdrawalPlan:
    args: dict[str, object] = dict(
        amount=6_000_000,
        balance=20_000_000,
        min_balance=MIN,
        held_days=30,
        term="7D",
        noticed_amount=6_000_000,
        swept=False,
    )
    args.update(kw)
    return rules.plan_withdrawal(**args)  # type: ignore[arg-type]


def test_noticed_withdrawal_earns_the_notice_rate() -> None:
    assert plan() == rules.WithdrawalPlan(6_000_000, 0, closes=False)


def test_withdrawal_without_notice_earns_the_demand_rate() -> None:
    assert plan(noticed_amount=None) == rules.WithdrawalPlan(0, 6_000_000, closes=False)


def test_part_above_the_noticed_amount_earns_the_demand_rate() -> None:
    assert plan(noticed_amount=5_000_000) == rules.WithdrawalPlan(5_000_000, 1_000_000, closes=False)


def test_held_less_than_the_notice_period_earns_the_demand_rate() -> None:
    assert plan(held_days=6) == rules.WithdrawalPlan(0, 6_000_000, closes=False)
    assert plan(term="1D", held_days=0) == rules.WithdrawalPlan(0, 6_000_000, closes=False)
    assert plan(term="1D", held_days=1) == rules.WithdrawalPlan(6_000_000, 0, closes=False)


def test_remainder_under_the_minimum_is_paid_out_at_the_demand_rate() -> None:
    p = plan(balance=10_000_000)
    assert p == rules.WithdrawalPlan(6_000_000, 4_000_000, closes=True)
    assert p.principal == 10_000_000


def test_full_withdrawal_closes() -> None:
    assert plan(amount=20_000_000, noticed_amount=20_000_000) == rules.WithdrawalPlan(20_000_000, 0, True)


def test_swept_deposit_needs_no_notice_and_may_drop_below_the_minimum() -> None:
    assert plan(swept=True, noticed_amount=None, held_days=7, balance=6_000_001) == rules.WithdrawalPlan(
        6_000_000, 0, closes=False
    )
    assert plan(swept=True, noticed_amount=None, held_days=6) == rules.WithdrawalPlan(0, 6_000_000, False)


@pytest.mark.parametrize(
    ("available", "retained", "expected"),
    [
        (8_000_055, 500_000, 7_500_000),  # 80,000.55 keeping 5,000.00: sweep 75,000 (whole yuan)
        (5_500_000, 500_000, 5_000_000),  # exactly the 50,000 minimum
        (5_499_999, 500_000, 0),  # 49,999.99 above the retained balance: under the minimum
        (400_000, 500_000, 0),
    ],
)
def test_sweep_excess(available: int, retained: int, expected: int) -> None:
    assert rules.sweep_excess(available, retained, MIN) == expected
