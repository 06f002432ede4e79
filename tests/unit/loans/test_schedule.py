"""Loan schedules, allocation, penalty interest, classification and provisioning, pinned to DOMAIN.md's oracles."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corebank.kernel.errors import InvalidAmount, InvalidRequest
from corebank.loans.errors import InvalidClassification, InvalidMethod, InvalidRate, InvalidTerm
from corebank.loans.rules import (
    METHODS,
    add_months,
    allocate_repayment,
    classify,
    installment,
    penalty_interest,
    provision,
    schedule,
    totals,
)

LOAN = 10_000_000  # 100,000.00 CNY in fen
RATE = Decimal("4.90")


def exact_installment(principal: int, annual_rate: Decimal, term: int) -> Decimal:
    """The equal-installment payment before rounding, computed here independently of the rules at 60 digits."""
    with localcontext() as ctx:
        ctx.prec = 60
        if annual_rate == 0:
            return Decimal(principal) / term
        r = annual_rate / 1200
        return Decimal(principal) * r / (1 - (1 + r) ** -term)


def float_error_bound(exact: Decimal, annual_rate: Decimal, term: int) -> Decimal:
    """A generous bound on numpy-financial's floating-point error for this payment, in fen."""
    eps = Decimal(2) ** -52
    # Forming 1 + r rounds r to eps ÷ r of its own precision; (1 + r)^n adds about n ulps more.
    amplification = term + (1200 / annual_rate if annual_rate else 0)
    return exact * eps * 8 * amplification + Decimal("1e-6")


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- DOMAIN.md oracles, to the fen


def test_equal_installment_oracle_for_a_hundred_thousand_at_4_9_over_a_year() -> None:
    lines = schedule(LOAN, RATE, 12, "equal_installment")
    assert installment(LOAN, RATE, 12) == 855_617
    first, last = lines[0], lines[-1]
    assert (first.payment, first.interest, first.principal) == (855_617, 40_833, 814_784)
    assert all(line.payment == 855_617 for line in lines[:-1])
    assert last.payment == 855_612
    assert last.principal == last.opening_principal and last.closing_principal == 0
    assert totals(lines) == (10_267_399, LOAN, 267_399)


def test_equal_principal_oracle_rounds_each_part_on_its_own() -> None:
    lines = schedule(LOAN, RATE, 12, "equal_principal")
    assert (lines[0].payment, lines[0].principal, lines[0].interest) == (874_166, 833_333, 40_833)
    assert lines[1].payment == 870_764
    assert (lines[-1].payment, lines[-1].principal, lines[-1].interest) == (836_740, 833_337, 3_403)
    assert totals(lines)[2] == 265_417


def test_interest_only_pays_interest_monthly_and_all_principal_at_the_end() -> None:
    lines = schedule(LOAN, RATE, 12, "interest_only")
    assert all((line.principal, line.interest) == (0, 40_833) for line in lines[:-1])
    assert (lines[-1].principal, lines[-1].payment) == (LOAN, LOAN + 40_833)
    assert totals(lines) == (LOAN + 12 * 40_833, LOAN, 12 * 40_833)


def test_bullet_pays_principal_and_simple_interest_once_at_maturity() -> None:
    (line,) = schedule(LOAN, RATE, 12, "bullet", first_due=date(2026, 4, 15))
    # 100,000.00 × 4.9 % × 12 ÷ 12 = 4,900.00
    assert (line.period, line.due_date, line.interest, line.payment) == (
        12,
        date(2027, 3, 15),
        490_000,
        10_490_000,
    )
    assert line.closing_principal == 0
    (short,) = schedule(LOAN, RATE, 5, "bullet")
    assert short.interest == 204_167  # 100,000 × 4.9 % × 5 ÷ 12 = 2,041.666… → 2,041.67


def test_zero_rate_equal_installment_splits_the_principal() -> None:
    lines = schedule(10_000, Decimal("0"), 3, "equal_installment")
    assert [line.payment for line in lines] == [3_333, 3_333, 3_334]
    assert totals(lines)[2] == 0


def test_due_dates_run_monthly_from_the_first_and_clamp_to_month_end() -> None:
    lines = schedule(LOAN, RATE, 4, "equal_installment", first_due=date(2026, 1, 31))
    assert [line.due_date for line in lines] == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]
    assert all(line.due_date is None for line in schedule(LOAN, RATE, 4, "equal_principal"))
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 14) == date(2028, 1, 30)


def test_a_tiny_loan_is_never_repaid_more_than_it_owes() -> None:
    # round(9 ÷ 6) = 2 fen a month would repay 10 fen in five months; the parts stop at the balance.
    lines = schedule(9, Decimal("0"), 6, "equal_principal")
    assert [line.principal for line in lines] == [2, 2, 2, 2, 1, 0]
    assert all(line.closing_principal >= 0 for line in lines)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("term", [0, -1, 361, True])
def test_schedule_refuses_a_term_outside_one_to_360_months(term: int) -> None:
    with pytest.raises(InvalidTerm) as err:
        schedule(LOAN, RATE, term, "equal_installment")
    assert err.value.code == "INVALID_TERM"


@pytest.mark.parametrize("rate", [Decimal("-0.01"), Decimal("100"), Decimal("4.12345"), Decimal("NaN")])
def test_schedule_refuses_a_rate_out_of_range_or_too_precise(rate: Decimal) -> None:
    with pytest.raises(InvalidRate) as err:
        schedule(LOAN, rate, 12, "equal_installment")
    assert err.value.code == "INVALID_RATE"


def test_schedule_refuses_a_float_rate_an_unknown_method_and_a_non_positive_principal() -> None:
    with pytest.raises(InvalidRate):
        schedule(LOAN, 4.9, 12, "equal_installment")  # type: ignore[arg-type]
    with pytest.raises(InvalidMethod) as err:
        schedule(LOAN, RATE, 12, "balloon")  # type: ignore[arg-type]
    assert err.value.code == "INVALID_METHOD"
    for principal in (0, -100):
        with pytest.raises(InvalidAmount):
            schedule(principal, RATE, 12, "equal_installment")
    assert schedule(LOAN, Decimal("4.1234"), 12, "equal_installment")[-1].closing_principal == 0


# ---------------------------------------------------------------- properties over random loans

loans = st.tuples(
    st.integers(min_value=1, max_value=10**12),
    st.integers(min_value=0, max_value=99_9999).map(lambda n: Decimal(n).scaleb(-4)),
    st.integers(min_value=1, max_value=360),
)


@settings(max_examples=300, deadline=None)
@given(loans)
def test_equal_installment_matches_numpy_financial_pmt_rounded_half_up(
    loan: tuple[int, Decimal, int],
) -> None:
    principal, rate, term = loan
    exact = exact_installment(principal, rate, term)
    assert installment(principal, rate, term) == half_up(exact)
    pmt = Decimal(str(float(npf.pmt(float(rate) / 1200, term, -principal))))
    # numpy-financial computes in binary floating point, whose error grows as the monthly rate falls.
    tolerance = float_error_bound(exact, rate, term)
    assert abs(pmt - exact) <= tolerance
    # It rounds half up to the same fen, unless the exact payment is within that error of a .5 boundary, where
    # float noise decides and the exact Decimal (asserted above) is the authority.
    if abs(exact - int(exact) - Decimal("0.5")) > tolerance:
        assert half_up(pmt) == installment(principal, rate, term)


@settings(max_examples=300, deadline=None)
@given(loans, st.sampled_from(METHODS))
def test_every_schedule_repays_exactly_the_loan(loan: tuple[int, Decimal, int], method: str) -> None:
    principal, rate, term = loan
    lines = schedule(principal, rate, term, method)  # type: ignore[arg-type]
    payment, repaid, interest = totals(lines)
    assert repaid == principal
    assert payment == repaid + interest
    assert lines[0].opening_principal == principal and lines[-1].closing_principal == 0
    assert len(lines) == (1 if method == "bullet" else term)
    for before, after in itertools.pairwise(lines):
        assert after.opening_principal == before.closing_principal
    for line in lines:
        assert line.principal >= 0 and line.interest >= 0
        assert line.closing_principal == line.opening_principal - line.principal
        assert line.payment == line.principal + line.interest


# ---------------------------------------------------------------- repayment allocation


def test_repayment_pays_penalty_then_overdue_interest_then_overdue_principal_then_current() -> None:
    allocation, left = allocate_repayment(1_000, 100, 200, 300, 250, 500)
    assert allocation == {
        "penalty": 100,
        "overdue_interest": 200,
        "overdue_principal": 300,
        "current_interest": 250,
        "current_principal": 150,
    }
    assert left == 0
    assert list(allocation) == [
        "penalty",
        "overdue_interest",
        "overdue_principal",
        "current_interest",
        "current_principal",
    ]


def test_a_short_repayment_stops_inside_the_order_and_a_large_one_leaves_the_rest() -> None:
    short, left = allocate_repayment(250, 100, 200, 300, 250, 500)
    assert short == {
        "penalty": 100,
        "overdue_interest": 150,
        "overdue_principal": 0,
        "current_interest": 0,
        "current_principal": 0,
    }
    assert left == 0
    full, leftover = allocate_repayment(2_000, 100, 200, 300, 250, 500)
    assert sum(full.values()) == 1_350 and leftover == 650


def test_allocation_refuses_negative_figures() -> None:
    with pytest.raises(InvalidAmount):
        allocate_repayment(-1, 0, 0, 0, 0, 0)
    with pytest.raises(InvalidAmount):
        allocate_repayment(100, 0, -5, 0, 0, 0)


# ---------------------------------------------------------------- penalty interest


def test_penalty_interest_on_ten_thousand_overdue_for_30_days_is_61_25() -> None:
    # 10,000.00 × 4.9 % × 1.5 × 30 ÷ 360 = 61.25
    assert penalty_interest(1_000_000, RATE, 30) == Decimal("6125")
    without_markup = penalty_interest(1_000_000, RATE, 30, markup=Decimal("0"))
    assert without_markup.quantize(Decimal("0.000001")) == Decimal("4083.333333")


def test_penalty_interest_stays_unrounded_until_booked() -> None:
    one_day = penalty_interest(1_000_000, RATE, 1)
    # 204.1666… fen: far more than 6 decimals of a yuan are kept.
    assert one_day.quantize(Decimal("0.000001")) == Decimal("204.166667")
    assert one_day * 30 - penalty_interest(1_000_000, RATE, 30) < Decimal("1e-40")
    assert penalty_interest(0, RATE, 30) == 0 and penalty_interest(1_000_000, RATE, 0) == 0
    with pytest.raises(InvalidRequest):
        penalty_interest(1_000_000, RATE, -1)


# ---------------------------------------------------------------- classification and provisioning


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, "normal"),
        (1, "special_mention"),
        (90, "special_mention"),
        (91, "substandard"),
        (270, "substandard"),
        (271, "doubtful"),
        (360, "doubtful"),
        (361, "loss"),
        (5_000, "loss"),
    ],
)
def test_classification_bands_by_days_past_due(days: int, expected: str) -> None:
    assert classify(days) == expected


def test_classification_bands_are_a_parameter() -> None:
    stricter = ((0, "normal"), (1, "special_mention"), (61, "substandard"), (181, "doubtful"), (271, "loss"))
    assert [classify(d, stricter) for d in (0, 60, 61, 180, 181, 271)] == [
        "normal",
        "special_mention",
        "substandard",
        "substandard",
        "doubtful",
        "loss",
    ]
    with pytest.raises(InvalidRequest):
        classify(-1)


@pytest.mark.parametrize(
    ("classification", "expected"),
    [
        ("normal", 100_000),
        ("special_mention", 200_000),
        ("substandard", 2_500_000),
        ("doubtful", 5_000_000),
        ("loss", LOAN),
    ],
)
def test_provision_at_the_default_rates(classification: str, expected: int) -> None:
    assert provision(LOAN, classification) == expected


def test_provision_rounds_half_up_and_takes_configured_rates() -> None:
    assert provision(50, "normal") == 1  # 0.5 fen → 1
    assert provision(49, "normal") == 0
    assert provision(1_000, "normal", {"normal": Decimal("0.015")}) == 15
    with pytest.raises(InvalidClassification):
        provision(1_000, "written_off")
