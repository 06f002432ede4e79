"""`corebank calendar`: load a year's holidays and make-up working days (调休) from CSV, and show them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.operations import calendar

app = typer.Typer(help="The business calendar: working days and holidays.", no_args_is_help=True)
AsUser = Annotated[str | None, typer.Option("--as", help="act as this staff user (their rights)")]


@app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="CSV: date,working|holiday[,name] (see examples/)")],
    as_user: AsUser = None,
) -> None:
    """Load FILE; the years it covers are replaced."""
    try:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidRequest(f"cannot read {file}: {exc}") from None
        bank = build_bank()
        result = bank.run(calendar.load_calendar, staff_actor(bank, as_user), text)
    except CoreBankError as exc:
        refuse(exc)
    console.print(f"calendar loaded from {file}: {result['days']} days in {result['years']} year(s)")


@app.command("show")
def show(year: int, as_user: AsUser = None) -> None:
    """The loaded days of YEAR (other days follow the week: Monday to Friday work)."""
    bank = build_bank()
    try:
        rows = bank.run(calendar.list_calendar, staff_actor(bank, as_user), year, readonly=True)
    except CoreBankError as exc:
        refuse(exc)
    t = Table(title=f"Business calendar {year}")
    for col in ("date", "weekday", "day is", "name"):
        t.add_column(col)
    for r in rows:
        d = r["date"]
        t.add_row(str(d), f"{d:%a}", "working" if r["working"] else "holiday", str(r["name"]))
    console.print(t)
    if not rows:
        console.print(f"no days loaded for {year}: Monday to Friday are working days")
