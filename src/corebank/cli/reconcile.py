"""`corebank reconcile`: the daily reconciliation (对账) with the clearing house's settlement file."""

from __future__ import annotations

import typer

app = typer.Typer(help="Reconciliation with the clearing house and its exceptions.", no_args_is_help=True)
