"""`corebank channels`: Channels: the registry, limits and fees."""

from __future__ import annotations

import typer

app = typer.Typer(help="Channels: the registry, limits and fees.", no_args_is_help=True)
