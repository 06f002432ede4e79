"""`corebank payment`: interbank transfers and their status; other payment commands join this group."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Payments: interbank transfers, bulk files, ISO 20022 statements.", no_args_is_help=True
)
