"""`corebank atm terminal`: ATM and POS terminals (their PIN keys and cash).

Each command calls one use case as the staff user of `--as-user`; a refusal prints its stable code and leaves with
exit status 2. Cash movements send an idempotency key: a fresh one unless `--key` is given, printed so that a retry
with the same key returns the first answer."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from corebank.channels import terminals
from corebank.channels.terminal_schemas import TerminalCash, TerminalCreate, TerminalRead
from corebank.cli.common import console
from corebank.cli.loans import AsUser, Key, call, cmd_of, idempotency_key, or_blank, show_pairs

terminal_app = typer.Typer(help="ATM and POS terminals.", no_args_is_help=True)

TerminalId = Annotated[str, typer.Argument(help="the terminal id (ISO 8583 field 41, 8 characters)")]
Amount = Annotated[str, typer.Argument(help='the amount in CNY, e.g. "50000.00"')]


def _show(t: TerminalRead) -> None:
    show_pairs(
        f"Terminal {t.terminal_id}",
        [
            ("kind", t.kind),
            ("branch", t.branch_code),
            ("location", or_blank(t.location)),
            ("merchant", or_blank(t.merchant_name)),
            ("status", t.status),
            ("signed on", "yes" if t.signed_on else "no"),
            ("last seen", or_blank(t.last_seen_at)),
            ("cash", "-" if t.cash_balance is None else f"{t.cash_balance} {t.currency}"),
        ],
    )


@terminal_app.command("add")
def add(
    terminal_id: TerminalId,
    pin_key: Annotated[str, typer.Option("--pin-key", help="TDES PIN key: 32 or 48 hex characters")],
    kind: Annotated[str, typer.Option("--kind", help="atm or pos")] = "atm",
    branch: Annotated[str, typer.Option("--branch", help="the branch it belongs to")] = "0001",
    location: Annotated[str, typer.Option("--location", help="where it stands")] = "",
    merchant: Annotated[str, typer.Option("--merchant", help="POS: the merchant's name")] = "",
    as_user: AsUser = None,
) -> None:
    """Register an ATM or POS terminal with its PIN key (an ATM gets a cash account under GL 1005)."""
    cmd = cmd_of(
        TerminalCreate,
        terminal_id=terminal_id,
        kind=kind,
        branch_code=branch,
        pin_key=pin_key,
        location=location,
        merchant_name=merchant,
    )
    _show(call(as_user, terminals.add_terminal, cmd)[1])


@terminal_app.command("list")
def list_all(as_user: AsUser = None) -> None:
    """The terminals of your branches, with the cash in each ATM."""
    _, rows = call(as_user, terminals.list_terminals, readonly=True)
    t = Table(title="Terminals")
    for col in ("terminal", "kind", "branch", "status", "signed on", "cash", "location"):
        t.add_column(col, justify="right" if col == "cash" else "left")
    for r in rows:
        t.add_row(
            r.terminal_id,
            r.kind,
            r.branch_code,
            r.status,
            "yes" if r.signed_on else "no",
            "-" if r.cash_balance is None else r.cash_balance,
            r.location,
        )
    console.print(t)


@terminal_app.command("show")
def show(terminal_id: TerminalId, as_user: AsUser = None) -> None:
    """One terminal, with the cash in it."""
    _show(call(as_user, terminals.terminal_detail, terminal_id, readonly=True)[1])


def _move(terminal_id: str, amount: str, direction: str, key: str | None, as_user: str | None) -> None:
    k = idempotency_key(key)
    cmd = cmd_of(TerminalCash, amount=amount, direction=direction)
    _show(call(as_user, terminals.move_cash, terminal_id, cmd, k)[1])
    console.print(f"idempotency key: {k}")


@terminal_app.command("load-cash")
def load_cash(terminal_id: TerminalId, amount: Amount, key: Key = None, as_user: AsUser = None) -> None:
    """Load cash from the branch vault into an ATM (加钞)."""
    _move(terminal_id, amount, "load", key, as_user)


@terminal_app.command("unload-cash")
def unload_cash(terminal_id: TerminalId, amount: Amount, key: Key = None, as_user: AsUser = None) -> None:
    """Take cash out of an ATM back into the branch vault (清机)."""
    _move(terminal_id, amount, "unload", key, as_user)
