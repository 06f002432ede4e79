"""Deposits: demand interest (daily product, quarterly settlement), time deposits, notice deposits, sweeps."""

from corebank import accounts
from corebank.deposits import demand, sweep
from corebank.deposits.demand import interest_on_product


def wire() -> None:
    """Hook the deposits area into the accounts area's life-cycle points (bootstrap calls this once)."""
    accounts.on_closing(sweep.refuse_close_under_agreement)
    accounts.on_closing(demand.pay_closing_interest)
    accounts.on_shortfall(sweep.draw_back)
    accounts.on_reserve(sweep.swept_reserve)


__all__ = ["interest_on_product", "wire"]
