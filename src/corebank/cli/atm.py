"""`corebank atm`: The ATM/POS switch (ISO 8583): serve, terminals, simulator."""

from __future__ import annotations

import typer

from corebank.cli.atm_terminals import terminal_app

app = typer.Typer(help="The ATM/POS switch (ISO 8583): serve, terminals, simulator.", no_args_is_help=True)
app.add_typer(terminal_app, name="terminal")
