"""`corebank points`: Points (积分)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Points (积分).", no_args_is_help=True)
