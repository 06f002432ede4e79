"""`corebank clearing`: the clearing house simulator (a separate process with its own database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from corebank.clearing import ClearingHouse, ClearingSettings
from corebank.cli.common import console, refuse
from corebank.kernel.errors import CoreBankError

app = typer.Typer(help="The CNAPS clearing house simulator (HVPS and BEPS).", no_args_is_help=True)
participant_app = typer.Typer(help="Member banks of the clearing house.", no_args_is_help=True)
app.add_typer(participant_app, name="participant")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLite file or database URL (default COREBANK_CLEARING_DATABASE_URL, var/clearing.db)"
    ),
]


def _settings(db: str | None, **overrides: Any) -> ClearingSettings:
    if db:
        overrides["database_url"] = db if "://" in db else f"sqlite:///{db}"
    return ClearingSettings(**overrides)


def _house(db: str | None) -> ClearingHouse:
    # The CLI neither nets nor pushes in the background: that is the server's work.
    return ClearingHouse(_settings(db, beps_interval_seconds=0, delivery_interval_seconds=0))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8600,
    db: DbOption = None,
    beps_interval: Annotated[
        float, typer.Option(help="seconds between BEPS netting cycles (0: on demand)")
    ] = 5.0,
    always_open: Annotated[
        bool, typer.Option("--always-open", help="HVPS open at any hour (tests, demos)")
    ] = False,
    reject_rate: Annotated[float, typer.Option(help="probability of a random reject (tests only)")] = 0.0,
    seed: Annotated[int | None, typer.Option(help="seed of the random rejects")] = None,
    admin_token: Annotated[
        str | None, typer.Option(help="require X-Clearing-Admin-Token on admin calls")
    ] = None,
) -> None:
    """Serve the clearing house over HTTP (POST /messages, GET /settlement/{date}, admin calls)."""
    import uvicorn

    from corebank.clearing import create_app
    from corebank.kernel.logs import log_config

    overrides: dict[str, Any] = {
        "beps_interval_seconds": beps_interval,
        "reject_rate": reject_rate,
        "seed": seed,
    }
    if always_open:
        overrides["hvps_always_open"] = True
    if admin_token:
        overrides["admin_token"] = admin_token
    settings = _settings(db, **overrides)
    console.print(
        f"clearing house on http://{host}:{port}  ·  HVPS "
        f"{'always open' if settings.hvps_always_open else f'{settings.hvps_open}-{settings.hvps_close} Mon-Fri'}"
        f"  ·  BEPS netting every {settings.beps_interval_seconds:g}s  ·  docs /docs"
    )
    uvicorn.run(create_app(settings), host=host, port=port, log_config=log_config(), access_log=False)


@participant_app.command("add")
def participant_add(
    code: Annotated[str, typer.Argument(help="12-digit bank code")],
    name: Annotated[str, typer.Option(help="the bank's name")],
    url: Annotated[
        str, typer.Option(help="the bank's base URL; deliveries go to {url}/api/v1/clearing/inbound")
    ],
    token: Annotated[str, typer.Option(help="the X-Clearing-Token the bank presents and receives")],
    balance: Annotated[str, typer.Option(help="opening settlement balance, CNY")] = "100000000.00",
    db: DbOption = None,
) -> None:
    """Admit a member bank with its settlement account."""
    try:
        p = _house(db).add_participant(code, name, url, token, balance)
    except CoreBankError as exc:
        refuse(exc)
    console.print(f"participant {p.code} {p.name} at {p.url}, settlement balance {p.balance:.2f} CNY")


@participant_app.command("list")
def participant_list(db: DbOption = None) -> None:
    """Member banks and their settlement balances."""
    for p in _house(db).participants():
        console.print(f"{p.code}  {p.balance:>18.2f} CNY  {p.status:<9}  {p.name}  {p.url}")


@app.command("settle-beps")
def settle_beps(
    db: DbOption = None,
    deliver: Annotated[bool, typer.Option(help="also push the resulting deliveries now")] = False,
) -> None:
    """Run one BEPS netting cycle now over everything queued."""
    house = _house(db)
    summary = house.settle_beps()
    if summary is None:
        console.print("no BEPS transactions queued")
    else:
        console.print(
            f"batch {summary.batch_id}: {summary.transactions} transactions, {summary.settled} settled "
            f"({summary.settled_amount:.2f} CNY), {summary.rejected} rejected"
            + (
                f" (uncovered: {', '.join(summary.rejected_participants)})"
                if summary.rejected_participants
                else ""
            )
        )
    if deliver:
        report = house.deliver_pending(force=True)
        console.print(
            f"deliveries: {report.delivered} delivered, {report.failed} failed, {report.waiting} waiting"
        )


@app.command("settlement-file")
def settlement_file(
    day: Annotated[str, typer.Option("--date", help="settlement date YYYY-MM-DD")],
    participant: Annotated[str, typer.Option(help="the participant's 12-digit bank code")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="file to write (default: stdout)")] = None,
    db: DbOption = None,
) -> None:
    """Write a participant's settlement file for a settlement date (the CSV of GET /settlement/{date})."""
    try:
        settlement_date = date.fromisoformat(day)
    except ValueError:
        console.print(f"[red]INVALID_DATE[/red]: {day!r} is not YYYY-MM-DD")
        raise typer.Exit(2) from None
    try:
        text = _house(db).settlement_csv(participant, settlement_date)
    except CoreBankError as exc:
        refuse(exc)
    if out is None:
        typer.echo(text, nl=False)
        return
    part = out.with_name(out.name + ".part")
    part.write_text(text, encoding="utf-8")
    part.replace(out)
    console.print(
        f"settlement file for {participant} on {settlement_date}: {out} ({text.count(chr(10)) - 1} rows)"
    )
