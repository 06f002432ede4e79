"""`corebank payment camt053|camt054`: ISO 20022 statements (joins the `payment` group)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from corebank.cli.common import console, refuse
from corebank.cli.loans import AsUser, call, write_file
from corebank.cli.payments import app
from corebank.kernel.errors import CoreBankError
from corebank.payments import camt

Account = Annotated[str, typer.Argument(help="the account number")]
Out = Annotated[Path | None, typer.Option("--out", "-o", help="write the XML to FILE (default: print it)")]


def _emit(body: bytes, out: Path | None, what: str) -> None:
    if out is None:
        typer.echo(body.decode("utf-8"), nl=False)
        return
    write_file(out, lambda f: f.write(body))
    console.print(f"{what} -> {out}")


@app.command("camt053")
def camt053(
    account: Account,
    start: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="last day, YYYY-MM-DD")],
    out: Out = None,
    as_user: AsUser = None,
) -> None:
    """The account's statement for a period (both days included) as ISO 20022 camt.053.001.08."""
    try:
        date_from, date_to = camt.parse_day("--from", start), camt.parse_day("--to", end)
    except CoreBankError as exc:
        refuse(exc)
    _bank, body = call(as_user, camt.camt053, account, date_from, date_to)
    _emit(body, out, f"camt.053 of {account}, {date_from} to {date_to}")


@app.command("camt054")
def camt054(
    account: Account,
    entry_id: Annotated[int, typer.Option("--entry-id", help="the journal entry id")],
    out: Out = None,
    as_user: AsUser = None,
) -> None:
    """The debit/credit notification of one posted entry on the account as ISO 20022 camt.054.001.08."""
    _bank, body = call(as_user, camt.camt054, account, entry_id)
    _emit(body, out, f"camt.054 of entry {entry_id} on {account}")
