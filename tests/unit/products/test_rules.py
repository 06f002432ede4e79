"""The pure product-factory rules: terms by kind, amounts to minor units, rates as exact decimal strings."""

from __future__ import annotations

from typing import Any

import pytest

from corebank.kernel.errors import CoreBankError
from corebank.products import rules
from corebank.products.schemas import ProductParameters


def params(**overrides: Any) -> dict[str, Any]:
    return ProductParameters(name="Test product", **overrides).model_dump()


def code_of(fn: Any, *args: Any) -> str:
    with pytest.raises(CoreBankError) as info:
        fn(*args)
    return info.value.code


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("1.55", "1.55"),
        ("1.5", "1.50"),
        ("2", "2.00"),
        ("0", "0.00"),
        ("1.2345", "1.2345"),
        ("99.9999", "99.9999"),
    ],
)
def test_a_rate_is_kept_as_an_exact_decimal_string(text: str, stored: str) -> None:
    assert rules.parse_rate(text) == stored


@pytest.mark.parametrize("text", ["100", "100.00", "-0.01", "1.23456", "NaN", "Infinity", "abc", ""])
def test_a_rate_outside_0_to_100_or_finer_than_4_decimals_is_refused(text: str) -> None:
    assert code_of(rules.parse_rate, text) == "INVALID_RATE"


def test_a_float_rate_is_refused() -> None:
    assert code_of(rules.parse_rate, 1.55) == "INVALID_RATE"


def test_terms_follow_the_kind() -> None:
    assert rules.check_terms("time_deposit", ["60M", "3M", "12M"]) == ["3M", "12M", "60M"]
    assert rules.check_terms("notice_deposit", ["7D"]) == ["7D"]
    assert rules.check_terms("demand_deposit", []) == []
    assert code_of(rules.check_terms, "time_deposit", ["1D"]) == "INVALID_TERM"
    assert code_of(rules.check_terms, "time_deposit", ["18M"]) == "INVALID_TERM"
    assert code_of(rules.check_terms, "notice_deposit", []) == "INVALID_TERM"
    assert code_of(rules.check_terms, "demand_deposit", ["3M"]) == "INVALID_TERM"


def test_a_demand_product_rates_the_term_demand() -> None:
    assert rules.offered_terms("demand_deposit", []) == ("demand",)
    assert rules.offered_terms("notice_deposit", ["1D", "7D"]) == ("1D", "7D")


def test_amounts_become_minor_units_of_the_currency() -> None:
    assert rules.amount_to_minor("min", "50000.00", "CNY") == 5_000_000
    assert rules.amount_to_minor("min", "1000", "JPY") == 1000
    assert code_of(rules.amount_to_minor, "min", "10.5", "JPY") == "INVALID_AMOUNT"
    assert code_of(rules.amount_to_minor, "min", "-1", "CNY") == "INVALID_AMOUNT"


def test_the_columns_of_a_notice_product() -> None:
    cols = rules.product_columns(
        rules.check_identity("notice_deposit", "CNY"),
        params(
            terms=["7D", "1D"],
            min_opening_amount="50000.00",
            min_balance="50000.00",
            min_withdrawal="50000.00",
            channels=["counter", "internet"],
            account_classes=[2, 1],
            demand_product_code="DEMAND_CNY",
        ),
    )
    assert cols["terms"] == ["1D", "7D"]
    assert (cols["min_opening_amount"], cols["min_balance"], cols["min_withdrawal"]) == (5_000_000,) * 3
    assert (cols["channels"], cols["account_classes"], cols["customer_types"]) == (
        "counter,internet",
        "1,2",
        "individual",
    )
    assert (cols["interest_method"], cols["rollover_options"]) == ("at_withdrawal", "")


def test_a_demand_product_settles_quarterly_by_default() -> None:
    cols = rules.product_columns(rules.check_identity("demand_deposit", "CNY"), params())
    assert (cols["interest_method"], cols["settlement_months"], cols["settlement_day"]) == (
        "quarterly",
        "3,6,9,12",
        20,
    )
    assert cols["demand_product_code"] is None


@pytest.mark.parametrize(
    ("kind", "overrides"),
    [
        ("notice_deposit", {"terms": ["7D"], "rollover_options": ["principal"], "demand_product_code": "D"}),
        ("time_deposit", {"terms": ["3M"], "allow_overdraft": True, "demand_product_code": "D"}),
        ("time_deposit", {"terms": ["3M"], "interest_method": "quarterly", "demand_product_code": "D"}),
        ("time_deposit", {"terms": ["3M"], "min_balance": "10.00", "demand_product_code": "D"}),
        ("demand_deposit", {"settlement_day": 31}),
        ("demand_deposit", {"settlement_months": [13]}),
        ("demand_deposit", {"customer_types": []}),
        ("demand_deposit", {"early_withdrawal": "penalty"}),
        ("demand_deposit", {"demand_product_code": "DEMAND_CNY"}),
    ],
)
def test_parameters_that_do_not_suit_the_kind_are_refused(kind: str, overrides: dict[str, Any]) -> None:
    assert (
        code_of(rules.product_columns, rules.check_identity(kind, "CNY"), params(**overrides))
        == "INVALID_PRODUCT"
    )


def test_the_kind_and_currency_are_checked() -> None:
    assert code_of(rules.check_identity, "loan", "CNY") == "INVALID_PRODUCT"
    assert code_of(rules.check_identity, "time_deposit", "ABC") == "UNSUPPORTED_CURRENCY"
