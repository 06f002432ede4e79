"""`corebank statement`: an account statement for a month or a period, written to a PDF or CSV file."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from corebank import finance
from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError


def statement(
    account_number: Annotated[str, typer.Argument(help="the account's number")],
    out: Annotated[Path, typer.Option("--out", help="file to write, e.g. statement.pdf")],
    month: Annotated[str | None, typer.Option(help="the whole month, YYYY-MM")] = None,
    start: Annotated[str | None, typer.Option("--from", help="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--to", help="last day, YYYY-MM-DD")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="pdf or csv (default: from the --out suffix, else csv)")
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as-user", help="act as this staff user (their rights and branches)")
    ] = None,
) -> None:
    """Write ACCOUNT_NUMBER's statement (opening balance, every line with running balance, interest, totals,
    closing balance) for --month, or --from/--to, to --out as PDF or CSV."""
    if fmt is None and out.suffix.lower() in (".pdf", ".csv"):
        fmt = out.suffix.lower()[1:]
    part = out.with_name(out.name + ".part")
    try:
        period = finance.parse_period(month=month, start=start, end=end)
        kind = finance.parse_format(fmt)
        bank = build_bank()
        actor = staff_actor(bank, as_user)
        st = bank.run(finance.account_statement, actor, account_number, period)
        with part.open("wb") as f:
            totals = bank.run(finance.write_statement, actor, st, kind, f, readonly=True)
        part.replace(out)
    except CoreBankError as exc:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        refuse(exc)
    console.print(
        f"statement of {st.account_number} for {period.text()}: opening {st.text(st.opening)}, "
        f"{totals.lines} lines (credits {st.text(totals.credits)}, debits {st.text(totals.debits)}, "
        f"interest {st.text(totals.interest)}), closing {st.text(st.closing)} {st.currency} -> {out}"
    )
