"""`corebank reconcile`: the daily reconciliation (对账) with the clearing house's settlement file.

`run` fetches the file of a date from the clearing house (or reads `--file`) and reconciles it; `exceptions`
lists what differs (or writes them as CSV); `assign` and `resolve` work them. Refusals print their stable code
and leave with exit status 2."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.payments import reconcile
from corebank.payments.recon_schemas import RESOLUTIONS, ReconExceptionRead, ReconRunRead

app = typer.Typer(help="Reconciliation with the clearing house and its exceptions.", no_args_is_help=True)
T = TypeVar("T")
AsUser = Annotated[
    str | None, typer.Option("--as-user", help="act as this staff user (their rights and branches)")
]
ExceptionId = Annotated[int, typer.Argument(help="the exception's id")]


def _call(as_user: str | None, fn: Callable[..., T], *args: Any, readonly: bool = False, **kw: Any) -> T:
    try:
        bank = build_bank()
        return bank.run(fn, staff_actor(bank, as_user), *args, readonly=readonly, **kw)
    except CoreBankError as exc:
        refuse(exc)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        refuse(InvalidRequest(f"date {text!r} is not YYYY-MM-DD"))


def _show_run(r: ReconRunRead) -> None:
    t = Table(title=f"Reconciliation run {r.run_id}: {r.settlement_date} ({r.status})", show_header=False)
    t.add_column("field", style="bold")
    t.add_column("value")
    for k, v in (
        ("source", r.source),
        ("file sha256", r.file_sha256 or "-"),
        ("rows in file", str(r.rows_in_file)),
        ("matched", str(r.matched)),
        ("exceptions found", f"{r.exceptions} ({r.new_exceptions} new, {r.cleared_exceptions} cleared)"),
        ("open exceptions of the date", str(r.open_exceptions)),
        ("GL 1011 clearing suspense", f"{r.suspense_balance} {r.currency}"),
        ("in flight / residual", f"{r.suspense_in_flight} / {r.suspense_residual}"),
        ("note", r.note),
        ("run by", f"{r.run_by} at {r.run_at:%Y-%m-%d %H:%M:%S}"),
    ):
        t.add_row(k, v)
    console.print(t)


def _show_exceptions(rows: list[ReconExceptionRead], title: str) -> None:
    t = Table(title=title)
    for col in ("id", "date", "kind", "message", "tx id", "payment", "bank", "clearing", "owner", "status"):
        t.add_column(col)
    for e in rows:
        bank = f"{e.bank_status or '-'} {e.bank_amount or ''}".strip()
        clearing = f"{e.clearing_status or '-'} {e.clearing_amount or ''}".strip()
        status = (
            e.status + (f" ({e.resolution})" if e.resolution else "") + (" escalated" if e.escalated else "")
        )
        t.add_row(
            str(e.exception_id),
            e.settlement_date.isoformat(),
            e.kind,
            f"{e.msg_type} {e.direction}".strip() or "-",
            e.tx_id or "-",
            str(e.payment_id or "-"),
            bank,
            clearing,
            e.owner or "-",
            status,
        )
    console.print(t)
    if not rows:
        console.print("no exceptions")


@app.command("run")
def run(
    day: Annotated[str, typer.Option("--date", help="the settlement date, YYYY-MM-DD")],
    file: Annotated[
        Path | None,
        typer.Option("--file", help="the settlement file (CSV); without it, fetched from the clearing house"),
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Reconcile a settlement date with the clearing house's file; differences become exceptions."""
    settlement_date = _day(day)
    try:
        bank = build_bank()
        actor = staff_actor(bank, as_user)
        if file is None:
            result = reconcile.reconcile_with_clearing(bank.run, bank.settings, actor, settlement_date)
        else:
            result = bank.run(
                reconcile.run_reconciliation, actor, settlement_date, file.read_bytes(), "upload"
            )
    except CoreBankError as exc:
        errors = getattr(exc, "errors", [])
        for e in errors[1:]:
            console.print(f"  {e}")
        refuse(exc)
    _show_run(result)


@app.command("runs")
def runs(
    day: Annotated[str | None, typer.Option("--date", help="only runs of this settlement date")] = None,
    as_user: AsUser = None,
) -> None:
    """Reconciliation runs, newest first."""
    page = _call(as_user, reconcile.list_runs, _day(day) if day else None, None, 100, readonly=True)
    t = Table(title="Reconciliation runs")
    for col in ("run", "date", "status", "source", "rows", "matched", "exceptions", "open", "1011", "by"):
        t.add_column(col)
    for r in page.items:
        t.add_row(
            str(r.run_id),
            r.settlement_date.isoformat(),
            r.status,
            r.source,
            str(r.rows_in_file),
            str(r.matched),
            str(r.exceptions),
            str(r.open_exceptions),
            r.suspense_balance,
            r.run_by,
        )
    console.print(t)


@app.command("exceptions")
def exceptions(
    status: Annotated[str | None, typer.Option("--status", help="open or resolved")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="only this staff user's")] = None,
    day: Annotated[str | None, typer.Option("--date", help="only this settlement date's")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="missing_in_bank, amount_mismatch, ...")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="write every match to this CSV file")] = None,
    as_user: AsUser = None,
) -> None:
    """Reconciliation exceptions, newest first (or all of them as CSV with --csv)."""
    filters = {"status": status, "owner": owner, "day": _day(day) if day else None, "kind": kind}
    if csv_out is not None:
        text = _call(as_user, reconcile.exceptions_csv, readonly=True, **filters)
        csv_out.write_text(text, encoding="utf-8")
        console.print(f"{max(text.count(chr(10)) - 1, 0)} exception(s) written to {csv_out}")
        return
    page = _call(as_user, reconcile.list_exceptions, readonly=True, limit=200, **filters)
    _show_exceptions(page.items, "Reconciliation exceptions")


@app.command("assign")
def assign(
    exception_id: ExceptionId,
    owner: Annotated[str, typer.Option("--owner", help="the staff user who works it")],
    as_user: AsUser = None,
) -> None:
    """Give an open exception to a staff user who reconciles."""
    e = _call(as_user, reconcile.assign, exception_id, owner)
    _show_exceptions([e], f"Exception {e.exception_id} assigned to {e.owner}")


@app.command("resolve")
def resolve(
    exception_id: ExceptionId,
    action: Annotated[str, typer.Option("--action", help=" · ".join(RESOLUTIONS))],
    note: Annotated[str, typer.Option("--note", help="why (required to accept or escalate)")] = "",
    as_user: AsUser = None,
) -> None:
    """Resolve an exception: apply_clearing books what the clearing house says, accept closes it with a note,
    escalate hands it up."""
    if action not in RESOLUTIONS:
        refuse(InvalidRequest(f"--action must be one of {', '.join(RESOLUTIONS)}"))
    e = _call(as_user, reconcile.resolve, exception_id, action, note)
    posted = f" (entry {e.entry_id})" if e.entry_id else ""
    _show_exceptions([e], f"Exception {e.exception_id}: {action}{posted}")
