"""`corebank cards`: Debit cards."""

from __future__ import annotations

import typer

app = typer.Typer(help="Debit cards.", no_args_is_help=True)
