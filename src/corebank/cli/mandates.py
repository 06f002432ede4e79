"""`corebank mandate`, `corebank standing-order`, `corebank biller`: direct debits, standing orders, bill payment."""

from __future__ import annotations

import typer

mandate_app = typer.Typer(help="Direct debit mandates (代扣) and their collections.", no_args_is_help=True)
standing_order_app = typer.Typer(help="Standing orders run by end of day.", no_args_is_help=True)
biller_app = typer.Typer(help="Registered billers and bill payment.", no_args_is_help=True)
