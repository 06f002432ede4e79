"""Time deposit rules to the fen: term interest (principal × rate × months ÷ 12), demand interest for days
(× days ÷ 360), half-up rounding, maturity dates at month ends, loss-report windows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from corebank.deposits import time_rules as rules


def test_one_year_term_interest_is_principal_times_rate() -> None:
    # 10,000.00 for 12 months at 1.50 % = 150.00
    assert rules.term_interest(1_000_000, Decimal("1.50"), 12) == 15_000


@pytest.mark.parametrize(
    ("principal", "rate", "months", "interest"),
    [
        (1_000_000, "1.10", 3, 2_750),  # 10,000.00, 3 months: 27.50
        (1_000_000, "1.30", 6, 6_500),  # 6 months: 65.00
        (1_000_000, "2.10", 24, 42_000),  # 2 years, no compounding: 420.00
        (1_000_000, "2.75", 36, 82_500),  # 825.00
        (1_000_000, "2.75", 60, 137_500),  # 5 years: 1,375.00
        (1_234_567, "1.10", 3, 3_395),  # 12,345.67: 33.950594 -> 33.95
        (1_002_750, "1.10", 3, 2_758),  # 10,027.50 rolled with interest: 27.575625 -> 27.58
    ],
)
def test_term_interest_for_each_term(principal: int, rate: str, months: int, interest: int) -> None:
    assert rules.term_interest(principal, Decimal(rate), months) == interest


def test_term_interest_rounds_half_up_not_to_even() -> None:
    # 50.00 for 6 months at 1.30 % = 0.325 -> 0.33 (banker's rounding would give 0.32)
    assert rules.term_interest(5_000, Decimal("1.30"), 6) == 33


def test_day_interest_uses_360_days_and_rounds_half_up() -> None:
    # 1,000.00 at the demand rate 0.35 % for 54 days = 0.525 -> 0.53
    assert rules.day_interest(100_000, Decimal("0.35"), 54) == 53
    # 3,000.00 for 45 days: 1.3125 -> 1.31
    assert rules.day_interest(300_000, Decimal("0.35"), 45) == 131
    assert rules.day_interest(300_000, Decimal("0.35"), 0) == 0


def test_early_withdrawal_earns_the_demand_rate_for_the_days_held() -> None:
    # 7,000.00 held 1 June to 16 July 2026 (45 days) at 0.35 %: 3.0625 -> 3.06
    held = rules.early_withdrawal_interest(700_000, Decimal("0.35"), date(2026, 6, 1), date(2026, 7, 16))
    assert held == 306
    assert rules.early_withdrawal_interest(700_000, Decimal("0.35"), date(2026, 6, 1), date(2026, 6, 1)) == 0


def test_money_left_past_maturity_earns_demand_rate_for_extra_days() -> None:
    # 10,000.00 matured 1 September, withdrawn 16 October (45 days): 4.375 -> 4.38
    extra = rules.past_maturity_interest(1_000_000, Decimal("0.35"), date(2026, 9, 1), date(2026, 10, 16))
    assert extra == 438
    assert rules.past_maturity_interest(1_000_000, Decimal("0.35"), date(2026, 9, 1), date(2026, 9, 1)) == 0


@pytest.mark.parametrize(
    ("start", "months", "maturity"),
    [
        (date(2026, 3, 2), 12, date(2027, 3, 2)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 8, 31), 3, date(2026, 11, 30)),
        (date(2026, 12, 15), 3, date(2027, 3, 15)),  # across the year end
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 60, date(2029, 2, 28)),
        (date(2026, 7, 1), 3, date(2026, 10, 1)),  # matures on National Day
    ],
)
def test_maturity_date_adds_calendar_months(start: date, months: int, maturity: date) -> None:
    assert rules.maturity_date(start, months) == maturity


def test_accrued_to_date_is_pro_rata_and_capped_at_the_term_interest() -> None:
    start = date(2026, 6, 1)  # 12 months to 1 June 2027: 365 days, 150.00 in all
    assert rules.accrued_to_date(1_000_000, Decimal("1.50"), 12, start, start) == 0
    # 30 of 365 days of 150.00 = 12.328767 -> 12.33
    assert rules.accrued_to_date(1_000_000, Decimal("1.50"), 12, start, date(2026, 7, 1)) == 1_233
    assert rules.accrued_to_date(1_000_000, Decimal("1.50"), 12, start, date(2027, 6, 1)) == 15_000
    assert rules.accrued_to_date(1_000_000, Decimal("1.50"), 12, start, date(2028, 1, 1)) == 15_000


def test_term_codes_and_instructions() -> None:
    assert [rules.term_code(m) for m in (3, 6, 12, 24, 36, 60)] == ["3M", "6M", "12M", "24M", "36M", "60M"]
    assert {"pay_to_account", "rollover_principal"} == rules.NEEDS_LINKED_ACCOUNT
    assert set(rules.ROLLOVER_OPTION.values()) == {"principal", "principal_and_interest"}


def test_loss_report_windows() -> None:
    reported = date(2026, 6, 1)
    assert rules.oral_report_lapses_on(reported) == date(2026, 6, 6)  # blocks 1–5 June
    assert rules.written_report_ripens_on(reported) == date(2026, 6, 8)  # reissue from the 7th day after
