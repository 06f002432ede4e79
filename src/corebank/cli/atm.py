"""`corebank atm`: The ATM/POS switch (ISO 8583): serve, terminals, simulator."""

from __future__ import annotations

import typer

app = typer.Typer(help="The ATM/POS switch (ISO 8583): serve, terminals, simulator.", no_args_is_help=True)
