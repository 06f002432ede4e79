"""Pure product-factory rules: which parameters a deposit product of each kind may have, and what a valid
rate is. No database here; the service adds the checks that need one (GL account, demand product)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from corebank.kernel.errors import InvalidAmount
from corebank.kernel.money import Money, exponent
from corebank.products.errors import InvalidProduct, InvalidRate, InvalidTerm
from corebank.products.loan_terms import LOAN_KINDS, check_loan_terms

DEPOSIT_KINDS = ("demand_deposit", "time_deposit", "notice_deposit")
KINDS = DEPOSIT_KINDS + LOAN_KINDS
# 整存整取: 3 and 6 months, 1, 2, 3 and 5 years (DOMAIN.md); 通知存款: 1-day and 7-day notice.
TIME_TERMS = ("3M", "6M", "12M", "24M", "36M", "60M")
NOTICE_TERMS = ("1D", "7D")
DEMAND_TERM = "demand"  # the one rate-table term of a demand product
CUSTOMER_TYPES = ("individual", "corporate")
CHANNELS = ("counter", "internet", "mobile", "atm", "phone", "api")
ROLLOVER_OPTIONS = ("none", "principal", "principal_and_interest")
EARLY_WITHDRAWAL_RULES = ("demand_rate", "not_allowed")
INTEREST_METHODS = ("none", "quarterly", "at_withdrawal")
ACCOUNT_CLASSES = (1, 2, 3)
MAX_RATE = Decimal(100)
RATE_PLACES = 4


def offered_terms(kind: str, terms: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The terms a product's rate table holds: its terms, or "demand" for a demand product. A loan product
    keeps its rate in its lending terms (a fixed rate, or a base rate and a spread), not in a rate table."""
    if kind in LOAN_KINDS:
        return ()
    return (DEMAND_TERM,) if kind == "demand_deposit" else tuple(terms)


def _subset(field: str, values: list[Any], allowed: tuple[Any, ...], *, non_empty: bool = True) -> list[Any]:
    if non_empty and not values:
        raise InvalidProduct(f"{field}: name at least one of {', '.join(map(str, allowed))}")
    bad = [v for v in values if v not in allowed]
    if bad:
        raise InvalidProduct(f"{field}: {bad[0]!r} is not one of {', '.join(map(str, allowed))}")
    if len(set(values)) != len(values):
        raise InvalidProduct(f"{field}: a value appears twice")
    return values


def check_terms(kind: str, terms: list[str]) -> list[str]:
    """The terms must suit the kind: 3M..60M for time deposits, 1D/7D for notice, none for demand."""
    if kind == "demand_deposit" or kind in LOAN_KINDS:
        if terms:
            raise InvalidTerm(f"a {kind} product has no deposit terms")
        return []
    allowed = TIME_TERMS if kind == "time_deposit" else NOTICE_TERMS
    if not terms:
        raise InvalidTerm(f"a {kind} product offers at least one of {', '.join(allowed)}")
    for t in terms:
        if t not in allowed:
            raise InvalidTerm(f"{t!r} is not a term of a {kind} product (one of {', '.join(allowed)})")
    if len(set(terms)) != len(terms):
        raise InvalidTerm("a term appears twice")
    return [t for t in allowed if t in terms]  # in the order of the term ladder


def amount_to_minor(field: str, text: str, currency: str) -> int:
    """A non-negative decimal-string amount of `currency` as integer minor units (exact, never rounded)."""
    if not isinstance(text, str):
        raise InvalidAmount(f'{field}: give the amount as a decimal string such as "50.00"')
    money = Money.of(text, currency)
    if money.amount < 0:
        raise InvalidAmount(f"{field}: the amount may not be negative, got {text!r}")
    return money.to_minor()


@dataclass(frozen=True, slots=True)
class Kind:
    """The fixed identity of a product: what it is, in which currency."""

    kind: str
    currency: str


def check_identity(kind: str, currency: str) -> Kind:
    """Kind among KINDS and a currency the bank knows (ISO 4217 with its minor unit)."""
    if kind not in KINDS:
        raise InvalidProduct(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    exponent(currency)  # raises UNSUPPORTED_CURRENCY
    return Kind(kind, currency)


def product_columns(ident: Kind, p: dict[str, Any]) -> dict[str, Any]:
    """Check a full set of product parameters (the fields of ProductParameters) for the kind and return the
    column values to store: amounts in minor units, lists as the comma-separated text the table keeps."""
    kind, cur = ident.kind, ident.currency
    if kind in LOAN_KINDS:
        return _loan_columns(ident, p)
    out: dict[str, Any] = {"name": p["name"].strip(), "name_zh": (p.get("name_zh") or "").strip()}
    if not out["name"]:
        raise InvalidProduct("name: give the product a name")
    out["customer_types"] = ",".join(_subset("customer_types", list(p["customer_types"]), CUSTOMER_TYPES))
    out["channels"] = ",".join(_subset("channels", list(p["channels"]), CHANNELS))
    classes = _subset("account_classes", list(p["account_classes"]), ACCOUNT_CLASSES)
    out["account_classes"] = ",".join(str(c) for c in sorted(classes))
    out["terms"] = check_terms(kind, list(p["terms"]))
    for field in ("min_opening_amount", "min_balance", "min_withdrawal", "overdraft_limit"):
        out[field] = amount_to_minor(field, p[field], cur)
    if out["min_balance"] > out["min_opening_amount"]:
        raise InvalidProduct("min_balance: cannot be above the minimum opening amount")
    partial = p["max_partial_withdrawals"]
    if not isinstance(partial, int) or partial < 0 or partial > 12:
        raise InvalidProduct("max_partial_withdrawals: a whole number from 0 to 12")
    out["max_partial_withdrawals"] = partial
    _subset("early_withdrawal", [p["early_withdrawal"]], EARLY_WITHDRAWAL_RULES)
    out["early_withdrawal"] = p["early_withdrawal"]
    rollover = list(p["rollover_options"])
    if kind != "time_deposit" and rollover:
        raise InvalidProduct("rollover_options: only a time deposit rolls over")
    _subset("rollover_options", rollover, ROLLOVER_OPTIONS, non_empty=False)
    out["rollover_options"] = ",".join(o for o in ROLLOVER_OPTIONS if o in rollover)
    out["allow_overdraft"] = bool(p["allow_overdraft"])
    if kind != "demand_deposit" and (out["allow_overdraft"] or out["overdraft_limit"]):
        raise InvalidProduct("allow_overdraft: only a demand deposit may be overdrawn")
    method = p.get("interest_method") or ("quarterly" if kind == "demand_deposit" else "at_withdrawal")
    _subset("interest_method", [method], INTEREST_METHODS)
    if method == "quarterly" and kind != "demand_deposit":
        raise InvalidProduct("interest_method: quarterly settlement is for demand deposits")
    if method == "at_withdrawal" and kind == "demand_deposit":
        raise InvalidProduct("interest_method: a demand deposit settles quarterly or earns none")
    out["interest_method"] = method
    months = sorted(set(p["settlement_months"]))
    if not months or any(not isinstance(m, int) or not 1 <= m <= 12 for m in months):
        raise InvalidProduct("settlement_months: months 1 to 12")
    out["settlement_months"] = ",".join(str(m) for m in months)
    day = p["settlement_day"]
    if not isinstance(day, int) or not 1 <= day <= 28:
        raise InvalidProduct("settlement_day: a day from 1 to 28 (every month has it)")
    out["settlement_day"] = day
    demand = p.get("demand_product_code")
    if kind == "demand_deposit" and demand:
        raise InvalidProduct("demand_product_code: a demand product uses its own demand rate")
    if kind != "demand_deposit" and not demand:
        raise InvalidProduct("demand_product_code: name the demand product whose rate early withdrawals earn")
    out["demand_product_code"] = demand or None
    fees = p["fees"] or {}
    out["fees"] = {name: amount_to_minor(f"fees.{name}", text, cur) for name, text in sorted(fees.items())}
    out["params"] = dict(p.get("params") or {})
    return out


def _loan_columns(ident: Kind, p: dict[str, Any]) -> dict[str, Any]:
    """The columns of a loan product: its name, customers and channels; its lending terms in params["loan"].
    The deposit parameters do not apply and must be left at their defaults."""
    out: dict[str, Any] = {"name": p["name"].strip(), "name_zh": (p.get("name_zh") or "").strip()}
    if not out["name"]:
        raise InvalidProduct("name: give the product a name")
    out["customer_types"] = ",".join(_subset("customer_types", list(p["customer_types"]), CUSTOMER_TYPES))
    out["channels"] = ",".join(_subset("channels", list(p["channels"]), CHANNELS))
    out["account_classes"] = ",".join(str(c) for c in sorted(p["account_classes"]))
    check_terms(ident.kind, list(p["terms"]))
    for field in ("min_opening_amount", "min_balance", "min_withdrawal", "overdraft_limit"):
        if amount_to_minor(field, p[field], ident.currency):
            raise InvalidProduct(
                f"{field}: a deposit parameter; a loan product keeps its amounts in params.loan"
            )
    if p.get("rollover_options") or p.get("allow_overdraft") or p.get("demand_product_code"):
        raise InvalidProduct("a loan product has no rollover, overdraft or demand product")
    params = dict(p.get("params") or {})
    params["loan"] = check_loan_terms(params.get("loan"), ident.currency)
    out.update(
        terms=[],
        min_opening_amount=0,
        min_balance=0,
        min_withdrawal=0,
        overdraft_limit=0,
        max_partial_withdrawals=0,
        early_withdrawal="demand_rate",
        rollover_options="",
        allow_overdraft=False,
        interest_method="none",
        settlement_months="3,6,9,12",
        settlement_day=20,
        demand_product_code=None,
        fees={},
        params=params,
    )
    return out


def parse_rate(text: str) -> str:
    """An annual rate in percent as a canonical decimal string: 0 <= r < 100, at most 4 decimals."""
    if not isinstance(text, str):
        raise InvalidRate(f'annual_rate: give the rate as a decimal string such as "1.55", not {text!r}')
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidRate(f"annual_rate: {text!r} is not a number") from None
    if not value.is_finite() or value < 0 or value >= MAX_RATE:
        raise InvalidRate(f"annual_rate: {text!r} must be at least 0 and below 100 (percent a year)")
    exp = value.as_tuple().exponent
    if isinstance(exp, int) and -exp > RATE_PLACES:
        raise InvalidRate(f"annual_rate: {text!r} has more than {RATE_PLACES} decimal places")
    # Keep at least two decimals ("1.5" -> "1.50") and never an exponent form ("1E+1").
    return str(value.quantize(Decimal("0.01")) if -min(int(exp), 0) < 2 else value)
