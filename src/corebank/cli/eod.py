"""`corebank eod run [--to DATE]` and `corebank eod status`: close business dates and see what ran."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from corebank import eod
from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError

eod_app = typer.Typer(help="End of day: close the business date and open the next.", no_args_is_help=True)


@eod_app.command("run")
def run(
    to: Annotated[
        str | None, typer.Option("--to", help="close every business date up to and including this one")
    ] = None,
    as_user: Annotated[str | None, typer.Option("--as-user", help="the staff user running it")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="no progress bars")] = False,
) -> None:
    """Close the current business date (resuming where a stopped run left off), or catch up to --to."""
    logging.getLogger("corebank.eod").setLevel(logging.WARNING)
    bank = build_bank()
    try:
        until = date.fromisoformat(to) if to else None
    except ValueError:
        console.print(f"[red]INVALID_REQUEST[/red]: --to {to!r} is not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None
    bars = Progress(
        TextColumn("{task.fields[day]}"),
        TextColumn("{task.description:<46}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )
    tasks: dict[tuple[date, str], TaskID] = {}

    def report(p: eod.Progress) -> None:
        key = (p.day, p.step)
        if key not in tasks:
            tasks[key] = bars.add_task(p.title, total=max(p.total, 1), day=str(p.day), rows=0)
        bars.update(tasks[key], completed=p.done if p.total else 1, total=max(p.total, 1), rows=p.rows)
        if p.finished:
            bars.update(tasks[key], completed=max(p.total, 1))

    try:
        actor = staff_actor(bank, as_user)
        with bars:
            closed = eod.run_until(bank, actor, until, report=report)
    except CoreBankError as exc:
        refuse(exc)
    finally:
        bank.dispose()
    console.print(
        f"[green]closed[/green] {', '.join(map(str, closed))}; business date now {bank_date(closed[-1])}"
    )


def bank_date(last_closed: date) -> str:
    """The business date after `last_closed` (end of day rolls one calendar day)."""
    return str(date.fromordinal(last_closed.toordinal() + 1))


@eod_app.command("status")
def status(
    day: Annotated[str | None, typer.Option("--date", help="one business date")] = None,
    limit: Annotated[int, typer.Option(help="how many runs")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    as_user: Annotated[str | None, typer.Option("--as-user")] = None,
) -> None:
    """The business date, and the last runs with each step's outcome, rows and time."""
    bank = build_bank()
    try:
        actor = staff_actor(bank, as_user)
        state = bank.run(eod.business_state, readonly=True)
        runs = bank.run(eod.eod_status, actor, date.fromisoformat(day) if day else None, limit, readonly=True)
    except CoreBankError as exc:
        refuse(exc)
    finally:
        bank.dispose()
    if as_json:
        console.print_json(json.dumps({"state": state, "runs": runs}, default=str))
        return
    console.print(f"business date {state['business_date']} ({state['phase']})")
    for r in runs:
        t = Table(title=f"end of day {r['business_date']}: {r['status']} {r['detail']}".strip())
        for col in ("step", "status", "rows", "chunks", "cursor", "seconds", "detail"):
            t.add_column(col)
        for s in r["steps"]:
            t.add_row(
                s["name"],
                s["status"],
                str(s["rows"]),
                str(s["chunks"]),
                "" if s["cursor"] is None else str(s["cursor"]),
                "" if s["seconds"] is None else f"{s['seconds']:.2f}",
                s["detail"][:60],
            )
        console.print(t)
