"""Loan products in the product factory: the `params["loan"]` block of a loan product, checked and read.

A loan product is a row of `products` (kind personal_consumer, housing_mortgage, car or
business_working_capital, GL 1301) whose lending terms live in `params["loan"]`:

    min_amount, max_amount          decimal strings in the product's currency
    min_term_months, max_term_months
    methods                         equal_installment | equal_principal | interest_only | bullet
    rate_type                       fixed (fixed_rate) | floating (base_rate + spread, repriced each January 1st
                                    or on the loan's anniversary: reprice)
    penalty_markup                  fraction over the contract rate for penalty interest ("0.5" = +50 %)
    compound                        compound interest (复利) on overdue interest
    prepayment_fee                  fraction of the principal prepaid ("0.01" = 1 %)
    grace_days                      days after a due date before penalty interest runs
    collateral_required, ltv_caps   collateral type → cap as a fraction ("0.70")
    min_rating                      the lowest scorecard rating the product lends to
    scorecard                       the scorecard code that scores its applications
    approval_authority              [{role, max_amount, min_rating}]: who may approve how much, how risky
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from corebank.kernel.money import Money
from corebank.products.errors import InvalidProduct

LOAN_KINDS = ("personal_consumer", "housing_mortgage", "car", "business_working_capital")
METHODS = ("equal_installment", "equal_principal", "interest_only", "bullet")
RATE_TYPES = ("fixed", "floating")
REPRICE = ("january_first", "anniversary")
# Best first: AAA is the lowest risk. A product's floor and an approver's authority name one of these.
RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C")
COLLATERAL_TYPES = (
    "housing",
    "commercial_property",
    "vehicle",
    "deposit_pledge",
    "equipment",
    "land_use_right",
)
_KEYS = {
    "min_amount",
    "max_amount",
    "min_term_months",
    "max_term_months",
    "methods",
    "rate_type",
    "fixed_rate",
    "base_rate",
    "spread",
    "reprice",
    "penalty_markup",
    "compound",
    "prepayment_fee",
    "grace_days",
    "collateral_required",
    "ltv_caps",
    "min_rating",
    "scorecard",
    "approval_authority",
}


def rating_at_least(rating: str, floor: str) -> bool:
    """True when `rating` is `floor` or better."""
    return RATINGS.index(rating) <= RATINGS.index(floor)


def _fraction(field: str, text: Any, *, at_most: Decimal | None = None) -> str:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        raise InvalidProduct(f"loan.{field}: {text!r} is not a decimal fraction") from None
    if not value.is_finite() or value < 0 or (at_most is not None and value > at_most):
        limit = f" up to {at_most}" if at_most is not None else ""
        raise InvalidProduct(f"loan.{field}: {text!r} must be a fraction of at least 0{limit}")
    return str(value)


def _percent(field: str, text: Any) -> str:
    try:
        value = Decimal(str(text))
    except InvalidOperation:
        raise InvalidProduct(f"loan.{field}: {text!r} is not a percent") from None
    if not value.is_finite() or value < -10 or value >= 100:
        raise InvalidProduct(f"loan.{field}: {text!r} is not a sensible annual percent")
    return str(value)


def _amount(field: str, text: Any, currency: str) -> int:
    if not isinstance(text, str):
        raise InvalidProduct(f'loan.{field}: give the amount as a decimal string such as "50000.00"')
    minor = Money.of(text, currency).to_minor()
    if minor <= 0:
        raise InvalidProduct(f"loan.{field}: must be above zero")
    return minor


def _whole(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidProduct(f"loan.{field}: a whole number from {low} to {high}")
    return value


def _rating(field: str, value: Any) -> str:
    if value not in RATINGS:
        raise InvalidProduct(f"loan.{field}: {value!r} is not one of {', '.join(RATINGS)}")
    return str(value)


def check_loan_terms(data: Any, currency: str) -> dict[str, Any]:
    """Check a loan product's `params["loan"]` block and return it in canonical form (amounts as minor units
    in `*_minor` keys beside the text the user sent)."""
    if not isinstance(data, dict):
        raise InvalidProduct('params.loan: a loan product needs its lending terms in params["loan"]')
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InvalidProduct(f"loan.{unknown[0]}: not a loan product parameter")
    out: dict[str, Any] = {}
    lo = _amount("min_amount", data.get("min_amount"), currency)
    hi = _amount("max_amount", data.get("max_amount"), currency)
    if lo > hi:
        raise InvalidProduct("loan.min_amount: cannot be above max_amount")
    out["min_amount"], out["max_amount"] = data["min_amount"], data["max_amount"]
    t_lo = _whole("min_term_months", data.get("min_term_months"), 1, 360)
    t_hi = _whole("max_term_months", data.get("max_term_months"), 1, 360)
    if t_lo > t_hi:
        raise InvalidProduct("loan.min_term_months: cannot be above max_term_months")
    out["min_term_months"], out["max_term_months"] = t_lo, t_hi
    methods = data.get("methods")
    if not isinstance(methods, list) or not methods or any(m not in METHODS for m in methods):
        raise InvalidProduct(f"loan.methods: name at least one of {', '.join(METHODS)}")
    out["methods"] = [m for m in METHODS if m in methods]
    rate_type = data.get("rate_type", "fixed")
    if rate_type not in RATE_TYPES:
        raise InvalidProduct(f"loan.rate_type: {rate_type!r} is not fixed or floating")
    out["rate_type"] = rate_type
    if rate_type == "fixed":
        if "fixed_rate" not in data:
            raise InvalidProduct("loan.fixed_rate: a fixed-rate product needs its annual rate")
        rate = _percent("fixed_rate", data["fixed_rate"])
        if Decimal(rate) <= 0:
            raise InvalidProduct("loan.fixed_rate: must be above zero")
        out["fixed_rate"] = rate
    else:
        base = data.get("base_rate")
        if not isinstance(base, str) or not base:
            raise InvalidProduct("loan.base_rate: a floating-rate product names its base rate (e.g. LPR5Y)")
        out["base_rate"] = base
        out["spread"] = _percent("spread", data.get("spread", "0"))
        reprice = data.get("reprice", "january_first")
        if reprice not in REPRICE:
            raise InvalidProduct(f"loan.reprice: one of {', '.join(REPRICE)}")
        out["reprice"] = reprice
    out["penalty_markup"] = _fraction("penalty_markup", data.get("penalty_markup", "0.5"), at_most=Decimal(2))
    out["compound"] = bool(data.get("compound", True))
    out["prepayment_fee"] = _fraction(
        "prepayment_fee", data.get("prepayment_fee", "0"), at_most=Decimal("0.1")
    )
    out["grace_days"] = _whole("grace_days", data.get("grace_days", 0), 0, 30)
    out["collateral_required"] = bool(data.get("collateral_required", False))
    caps = data.get("ltv_caps", {})
    if not isinstance(caps, dict) or any(k not in COLLATERAL_TYPES for k in caps):
        raise InvalidProduct(f"loan.ltv_caps: collateral types are {', '.join(COLLATERAL_TYPES)}")
    out["ltv_caps"] = {k: _fraction(f"ltv_caps.{k}", v, at_most=Decimal(1)) for k, v in sorted(caps.items())}
    out["min_rating"] = _rating("min_rating", data.get("min_rating", "C"))
    out["scorecard"] = str(data.get("scorecard", "RETAIL_DEFAULT"))
    table = data.get("approval_authority")
    if not isinstance(table, list) or not table:
        raise InvalidProduct(
            "loan.approval_authority: list who may approve: [{role, max_amount, min_rating}]"
        )
    rows = []
    for i, row in enumerate(table):
        if not isinstance(row, dict) or not isinstance(row.get("role"), str):
            raise InvalidProduct(f"loan.approval_authority[{i}]: needs role, max_amount and min_rating")
        _amount(f"approval_authority[{i}].max_amount", row.get("max_amount"), currency)
        rows.append(
            {
                "role": row["role"],
                "max_amount": row["max_amount"],
                "min_rating": _rating(f"approval_authority[{i}].min_rating", row.get("min_rating", "C")),
            }
        )
    out["approval_authority"] = rows
    return out


@dataclass(frozen=True, slots=True)
class Authority:
    role: str
    max_amount: int
    min_rating: str


@dataclass(frozen=True, slots=True)
class LoanProduct:
    """A loan product's lending terms as the loans area uses them (amounts in minor units)."""

    code: str
    name: str
    kind: str
    currency: str
    gl_code: str
    status: str
    customer_types: tuple[str, ...]
    channels: tuple[str, ...]
    min_amount: int
    max_amount: int
    min_term_months: int
    max_term_months: int
    methods: tuple[str, ...]
    rate_type: str
    fixed_rate: str | None
    base_rate: str | None
    spread: str | None
    reprice: str | None
    penalty_markup: str
    compound: bool
    prepayment_fee: str
    grace_days: int
    collateral_required: bool
    ltv_caps: dict[str, Decimal]
    min_rating: str
    scorecard: str
    authority: tuple[Authority, ...]

    @property
    def on_sale(self) -> bool:
        return self.status == "active"


def read_loan_terms(
    *,
    code: str,
    name: str,
    kind: str,
    currency: str,
    gl_code: str,
    status: str,
    customer_types: tuple[str, ...],
    channels: tuple[str, ...],
    loan: dict[str, Any],
) -> LoanProduct:
    """A stored (already checked) loan block as a LoanProduct."""

    def minor(text: str) -> int:
        return Money.of(text, currency).to_minor()

    return LoanProduct(
        code=code,
        name=name,
        kind=kind,
        currency=currency,
        gl_code=gl_code,
        status=status,
        customer_types=customer_types,
        channels=channels,
        min_amount=minor(loan["min_amount"]),
        max_amount=minor(loan["max_amount"]),
        min_term_months=int(loan["min_term_months"]),
        max_term_months=int(loan["max_term_months"]),
        methods=tuple(loan["methods"]),
        rate_type=loan["rate_type"],
        fixed_rate=loan.get("fixed_rate"),
        base_rate=loan.get("base_rate"),
        spread=loan.get("spread"),
        reprice=loan.get("reprice"),
        penalty_markup=loan.get("penalty_markup", "0.5"),
        compound=bool(loan.get("compound", True)),
        prepayment_fee=loan.get("prepayment_fee", "0"),
        grace_days=int(loan.get("grace_days", 0)),
        collateral_required=bool(loan.get("collateral_required", False)),
        ltv_caps={k: Decimal(v) for k, v in (loan.get("ltv_caps") or {}).items()},
        min_rating=loan.get("min_rating", "C"),
        scorecard=loan.get("scorecard", "RETAIL_DEFAULT"),
        authority=tuple(
            Authority(r["role"], minor(r["max_amount"]), r["min_rating"]) for r in loan["approval_authority"]
        ),
    )


_AUTHORITY_RETAIL = [
    {"role": "branch_manager", "max_amount": "300000.00", "min_rating": "BBB"},
    {"role": "credit_approver", "max_amount": "5000000.00", "min_rating": "B"},
]

# The standard loan products a new bank starts with (parameters a bank changes through the product factory).
STANDARD_LOAN_PRODUCTS: tuple[dict[str, Any], ...] = (
    dict(
        code="PERSONAL_LOAN_CNY",
        name="Personal consumer loan (CNY)",
        name_zh="个人消费贷款",
        kind="personal_consumer",
        customer_types="individual",
        channels="counter,internet,mobile",
        params={
            "loan": {
                "min_amount": "1000.00",
                "max_amount": "500000.00",
                "min_term_months": 3,
                "max_term_months": 60,
                "methods": ["equal_installment", "equal_principal", "interest_only", "bullet"],
                "rate_type": "fixed",
                "fixed_rate": "4.90",
                "penalty_markup": "0.5",
                "compound": True,
                "prepayment_fee": "0.01",
                "grace_days": 0,
                "collateral_required": False,
                "min_rating": "B",
                "scorecard": "RETAIL_DEFAULT",
                "approval_authority": _AUTHORITY_RETAIL,
            }
        },
    ),
    dict(
        code="MORTGAGE_CNY",
        name="Housing mortgage loan (CNY)",
        name_zh="个人住房贷款",
        kind="housing_mortgage",
        customer_types="individual",
        channels="counter",
        params={
            "loan": {
                "min_amount": "50000.00",
                "max_amount": "10000000.00",
                "min_term_months": 12,
                "max_term_months": 360,
                "methods": ["equal_installment", "equal_principal"],
                "rate_type": "floating",
                "base_rate": "LPR5Y",
                "spread": "-0.30",
                "reprice": "january_first",
                "penalty_markup": "0.5",
                "compound": True,
                "prepayment_fee": "0",
                "grace_days": 3,
                "collateral_required": True,
                "ltv_caps": {"housing": "0.70"},
                "min_rating": "BB",
                "scorecard": "RETAIL_DEFAULT",
                "approval_authority": [
                    {"role": "branch_manager", "max_amount": "1000000.00", "min_rating": "A"},
                    {"role": "credit_approver", "max_amount": "10000000.00", "min_rating": "BB"},
                ],
            }
        },
    ),
    dict(
        code="CAR_LOAN_CNY",
        name="Car loan (CNY)",
        name_zh="个人汽车贷款",
        kind="car",
        customer_types="individual",
        channels="counter",
        params={
            "loan": {
                "min_amount": "10000.00",
                "max_amount": "1000000.00",
                "min_term_months": 12,
                "max_term_months": 60,
                "methods": ["equal_installment", "equal_principal"],
                "rate_type": "fixed",
                "fixed_rate": "5.20",
                "penalty_markup": "0.5",
                "compound": True,
                "prepayment_fee": "0.02",
                "grace_days": 0,
                "collateral_required": True,
                "ltv_caps": {"vehicle": "0.80"},
                "min_rating": "B",
                "scorecard": "RETAIL_DEFAULT",
                "approval_authority": _AUTHORITY_RETAIL,
            }
        },
    ),
    dict(
        code="WORKING_CAPITAL_CNY",
        name="Business working capital loan (CNY)",
        name_zh="流动资金贷款",
        kind="business_working_capital",
        customer_types="corporate,individual",
        channels="counter",
        params={
            "loan": {
                "min_amount": "100000.00",
                "max_amount": "50000000.00",
                "min_term_months": 3,
                "max_term_months": 36,
                "methods": ["interest_only", "bullet", "equal_installment"],
                "rate_type": "floating",
                "base_rate": "LPR1Y",
                "spread": "0.85",
                "reprice": "anniversary",
                "penalty_markup": "0.5",
                "compound": True,
                "prepayment_fee": "0",
                "grace_days": 0,
                "collateral_required": False,
                "min_rating": "BB",
                "scorecard": "RETAIL_DEFAULT",
                "approval_authority": [
                    {"role": "branch_manager", "max_amount": "1000000.00", "min_rating": "A"},
                    {"role": "credit_approver", "max_amount": "50000000.00", "min_rating": "BB"},
                ],
            }
        },
    ),
)

# The loan prime rate (贷款市场报价利率, LPR) fixed on 20 May 2025: 1-year 3.00 %, over 5 years 3.50 %.
STANDARD_BASE_RATES: tuple[tuple[str, str], ...] = (("LPR1Y", "3.00"), ("LPR5Y", "3.50"))
