"""`corebank clearing`: the clearing house simulator (a separate process with its own database)."""

from __future__ import annotations

import typer

app = typer.Typer(help="The CNAPS clearing house simulator (HVPS and BEPS).", no_args_is_help=True)
