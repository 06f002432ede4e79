"""`corebank ebank`: E-banking enrollment at the counter."""

from __future__ import annotations

import typer

app = typer.Typer(help="E-banking enrollment at the counter.", no_args_is_help=True)
