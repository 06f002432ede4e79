"""The standard chart of accounts, and the pure ledger values (legs, balances, trial balance arithmetic)."""

from __future__ import annotations

from datetime import date

import pytest

from corebank.kernel.money import Money
from corebank.ledger import chart
from corebank.ledger.schemas import AccountBalance, Leg, TrialBalance, TrialBalanceRow

CLASSES = {"asset", "liability", "equity", "income", "expense"}


def test_codes_are_unique_and_classes_known() -> None:
    codes = [c.code for c in chart.STANDARD_CHART]
    assert len(codes) == len(set(codes))
    assert {c.gl_class for c in chart.STANDARD_CHART} == CLASSES


def test_codes_follow_the_chinese_banking_layout() -> None:
    # 1 assets, 2 liabilities, 4 equity, 6 profit and loss (60xx income, 64xx-66xx expenses)
    first_digit = {"asset": "1", "liability": "2", "equity": "4", "income": "6", "expense": "6"}
    for line in chart.STANDARD_CHART:
        assert line.code.isdigit() and len(line.code) == 4
        assert line.code[0] == first_digit[line.gl_class], line
        assert line.name and line.name_zh


def test_named_codes_are_in_the_chart_with_the_right_class() -> None:
    by_code = {c.code: c for c in chart.STANDARD_CHART}
    expected = {
        chart.VAULT_CASH: ("asset", True),
        chart.TELLER_CASH: ("asset", True),
        chart.DUE_FROM_CENTRAL_BANK: ("asset", False),
        chart.INTER_BRANCH: ("asset", False),
        chart.CASH_SHORT: ("asset", False),
        chart.DEMAND_DEPOSITS: ("liability", True),
        chart.CORPORATE_DEPOSITS: ("liability", True),
        chart.CASH_OVER: ("liability", False),
        chart.PAID_IN_CAPITAL: ("equity", False),
        chart.FEE_INCOME: ("income", False),
        chart.INTEREST_EXPENSE: ("expense", False),
    }
    for code, (gl_class, has_sub) in expected.items():
        assert by_code[code].gl_class == gl_class
        assert by_code[code].has_subledger is has_sub


@pytest.mark.parametrize(
    ("gl_class", "sign"),
    [("asset", 1), ("expense", 1), ("liability", -1), ("equity", -1), ("income", -1)],
)
def test_normal_sign(gl_class: str, sign: int) -> None:
    assert chart.normal_sign(gl_class) == sign


# ---------------------------------------------------------------- legs and balances (pure values)


def test_leg_signed_minor_debit_positive_credit_negative() -> None:
    amount = Money.of("123.45", "CNY")
    assert Leg.debit(chart.VAULT_CASH, "0001", amount, 1).signed_minor() == 12345
    assert Leg.credit(chart.DEMAND_DEPOSITS, "0001", amount, 2).signed_minor() == -12345


def test_leg_refuses_amount_finer_than_the_minor_unit() -> None:
    from corebank.kernel.errors import InvalidAmount

    leg = Leg.debit(chart.VAULT_CASH, "0001", Money(Money.of("1.00", "CNY").amount / 3, "CNY"), 1)
    with pytest.raises(InvalidAmount):
        leg.signed_minor()


def _balance(balance: int, held: int = 0, floor: int = 0, allow_decrease: bool = True) -> AccountBalance:
    return AccountBalance(1, "CNY", balance, held, floor, None, True, allow_decrease, "0001", "2011")


@pytest.mark.parametrize(
    ("balance", "held", "floor", "allow_decrease", "available"),
    [
        (10000, 0, 0, True, 10000),
        (10000, 2500, 0, True, 7500),
        (10000, 12000, 0, True, 0),  # a hold above the balance leaves nothing, never a negative
        (10000, 0, -5000, True, 15000),  # an overdraft floor adds to what may be drawn
        (10000, 0, 0, False, 0),  # frozen or debit-blocked: nothing is available
    ],
)
def test_available_balance(balance: int, held: int, floor: int, allow_decrease: bool, available: int) -> None:
    assert _balance(balance, held, floor, allow_decrease).available == available


def _row(gl: str, cur: str, debit: int, credit: int) -> TrialBalanceRow:
    return TrialBalanceRow(gl, gl, "asset", cur, debit, credit)


def test_trial_balance_totals_per_currency_and_balanced_exactly() -> None:
    tb = TrialBalance(
        date(2026, 3, 2),
        None,
        (
            _row("1001", "CNY", 500, 0),
            _row("2011", "CNY", 0, 500),
            _row("1001", "USD", 7, 0),
            _row("2011", "USD", 0, 7),
        ),
    )
    assert tb.totals() == {"CNY": (500, 500), "USD": (7, 7)}
    assert tb.balanced


def test_trial_balance_off_by_one_fen_is_not_balanced() -> None:
    # a bank balances to exactly zero: no tolerance
    tb = TrialBalance(date(2026, 3, 2), None, (_row("1001", "CNY", 500, 0), _row("2011", "CNY", 0, 499)))
    assert not tb.balanced


def test_trial_balance_balanced_in_one_currency_only_is_not_balanced() -> None:
    tb = TrialBalance(
        date(2026, 3, 2),
        None,
        (_row("1001", "CNY", 500, 0), _row("2011", "CNY", 0, 500), _row("1001", "USD", 1, 0)),
    )
    assert not tb.balanced
