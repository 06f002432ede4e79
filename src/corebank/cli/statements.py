"""`corebank statement`: an account statement for a month or a period, written to a PDF or CSV file."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from corebank import bootstrap, finance
from corebank.config import Settings
from corebank.kernel.errors import CoreBankError, NotFound, PermissionDenied
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security

console = Console()


def _bank() -> bootstrap.Bank:
    return bootstrap.build(Settings())


def staff_actor(bank: bootstrap.Bank, username: str | None) -> Actor:
    """The named active staff user acting from the command line, with their roles and branch scope; the
    system itself when no name is given."""
    if not username:
        return SYSTEM
    users = bank.run(security.list_users, SYSTEM, readonly=True)
    user = next((u for u in users if u.username == username), None)
    if user is None:
        raise NotFound(f"no staff user {username}")
    if user.status != "active":
        raise PermissionDenied(f"user {username} is {user.status}")
    return make_actor(user.username, user.id, tuple(user.roles), user.branch_code, bank.branch_tree(), "cli")


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
        bank = _bank()
        actor = staff_actor(bank, as_user)
        st = bank.run(finance.account_statement, actor, account_number, period)
        with part.open("wb") as f:
            totals = bank.run(finance.write_statement, actor, st, kind, f, readonly=True)
        part.replace(out)
    except CoreBankError as exc:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        console.print(f"[red]{exc.code}[/red]: {exc.detail}")
        raise typer.Exit(2) from None
    console.print(
        f"statement of {st.account_number} for {period.text()}: opening {st.text(st.opening)}, "
        f"{totals.lines} lines (credits {st.text(totals.credits)}, debits {st.text(totals.debits)}, "
        f"interest {st.text(totals.interest)}), closing {st.text(st.closing)} {st.currency} -> {out}"
    )
