"""Collateral rules, pure: the loan-to-value (LTV) cap of each collateral type and the cover a loan's security gives.
No SQLAlchemy here; `collateral.py` reads the pledges and calls these.

LTV caps are data: the defaults below, which a loan product overrides with `params["loan"]["ltv_caps"]` (type →
decimal string fraction, e.g. "0.65").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from corebank.kernel.money import ROUNDING, minor_to_text
from corebank.loans.collateral_errors import LtvExceeded
from corebank.loans.errors import InvalidLoanProduct

# Loan-to-value caps per collateral type (DOMAIN.md "Loans"): how much may be lent against each unit of value.
DEFAULT_LTV_CAPS: Mapping[str, Decimal] = MappingProxyType(
    {
        "housing": Decimal("0.70"),
        "commercial_property": Decimal("0.60"),
        "vehicle": Decimal("0.50"),
        "deposit_pledge": Decimal("0.90"),
        "equipment": Decimal("0.50"),
        "land_use_right": Decimal("0.60"),
    }
)


# ---------------------------------------------------------------------------------------------------- LTV caps


def ltv_caps(overrides: Mapping[str, Decimal | str] | None = None) -> dict[str, Decimal]:
    """The LTV cap of every collateral type: the defaults with `overrides` (a product's) on top. A cap is a
    fraction from 0 to 1 given as a Decimal or a decimal string, never a float."""
    caps = dict(DEFAULT_LTV_CAPS)
    for kind, raw in (overrides or {}).items():
        if kind not in DEFAULT_LTV_CAPS:
            raise InvalidLoanProduct(f"an LTV cap is given for {kind!r}, which is not a collateral type")
        if isinstance(raw, float | bool) or not isinstance(raw, Decimal | str):
            raise InvalidLoanProduct(f'the LTV cap of {kind} must be a decimal string such as "0.70"')
        try:
            cap = raw if isinstance(raw, Decimal) else Decimal(raw.strip())
        except InvalidOperation:
            raise InvalidLoanProduct(f"the LTV cap of {kind} ({raw!r}) is not a number") from None
        if not cap.is_finite() or not Decimal(0) <= cap <= Decimal(1):
            raise InvalidLoanProduct(f"the LTV cap of {kind} must be a fraction from 0 to 1, not {raw}")
        caps[kind] = cap
    return caps


# ---------------------------------------------------------------------------------------------------- cover


@dataclass(frozen=True, slots=True)
class CoverLine:
    """One collateral's part of a loan's cover: what is pledged (minor units), its type's cap, and what may be
    lent against it (pledged × cap, rounded half up to the minor unit)."""

    collateral_number: str
    type: str
    pledged: int
    cap: Decimal
    lendable: int


@dataclass(frozen=True, slots=True)
class Cover:
    """The security of a loan or application, in its currency's minor units: Σ pledged, Σ lendable (the LTV
    check's limit), Σ guaranteed, and the line per collateral."""

    collateral_value: int
    lendable_value: int
    guaranteed: int
    lines: tuple[CoverLine, ...] = ()
    currency: str = "CNY"


def lendable(pledged: int, cap: Decimal) -> int:
    """What may be lent against `pledged` minor units at LTV `cap`: pledged × cap, rounded half up."""
    return int((Decimal(pledged) * cap).to_integral_value(rounding=ROUNDING))


def _percent(cap: Decimal) -> str:
    p = cap * 100
    return str(int(p)) if p == p.to_integral_value() else str(p.normalize())


def _grouped(minor: int, currency: str) -> str:
    """800000.00 as "800,000.00", the way a credit officer reads it."""
    return f"{Decimal(minor_to_text(minor, currency)):,f}"


def check_ltv(amount: int, cover: Cover) -> None:
    """Refuse with LTV_EXCEEDED a loan of `amount` minor units above the cover's lendable value."""
    if amount <= cover.lendable_value:
        return
    caps = dict.fromkeys(f"{line.type} {_percent(line.cap)} %" for line in cover.lines)
    why = f"LTV cap {', '.join(caps)}" if caps else "no collateral is pledged"
    raise LtvExceeded(
        f"loan {_grouped(amount, cover.currency)} exceeds the lendable value "
        f"{_grouped(cover.lendable_value, cover.currency)} of its collateral ({why})",
        amount=minor_to_text(amount, cover.currency),
        lendable_value=minor_to_text(cover.lendable_value, cover.currency),
    )
