"""`corebank atm terminal`: ATM and POS terminals (their PIN keys and cash)."""

from __future__ import annotations

import typer

terminal_app = typer.Typer(help="ATM and POS terminals.", no_args_is_help=True)
