"""`corebank atm`: The ATM/POS switch (ISO 8583): serve, terminals, simulator."""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer
from rich.prompt import Prompt

from corebank.channels import monitoring
from corebank.channels.atm import iso, server
from corebank.channels.atm.simulator import AtmTerminal
from corebank.cli.atm_terminals import terminal_app
from corebank.cli.common import build_bank, console
from corebank.config import Settings

app = typer.Typer(help="The ATM/POS switch (ISO 8583): serve, terminals, simulator.", no_args_is_help=True)
app.add_typer(terminal_app, name="terminal")

MEANING = {
    "00": "approved",
    "05": "do not honour",
    "12": "invalid transaction",
    "13": "invalid amount",
    "14": "invalid card",
    "25": "original not found",
    "41": "lost card: retained",
    "51": "insufficient funds",
    "54": "expired card",
    "55": "wrong PIN",
    "57": "not permitted",
    "61": "over the withdrawal limit",
    "75": "PIN tries exceeded: card locked until tomorrow",
    "91": "service unavailable",
    "94": "duplicate",
    "96": "system malfunction",
}


@app.command("serve")
def serve(
    host: Annotated[
        str | None, typer.Option(help="address to listen on (default: the setting atm_host)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="TCP port (default: the setting atm_port, 8583)")] = None,
    workers: Annotated[int, typer.Option(help="worker threads running the requests")] = 16,
    verbose: Annotated[bool, typer.Option(help="log every request (PAN masked, no PIN block)")] = False,
) -> None:
    """Serve ISO 8583 over TCP: 2-byte big-endian length, then the message in pyiso8583's default_ascii."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    bank = build_bank()
    h, p = host or bank.settings.atm_host, port or bank.settings.atm_port
    console.print(
        f"ATM/POS switch on {h}:{p} (ISO 8583, default_ascii, 2-byte length prefix); Ctrl-C stops it"
    )
    # The switch's traffic reaches the channel monitor (GET /api/v1/channels/metrics) through the statistics
    # table, written every few seconds and once more on the way out.
    flusher = monitoring.Flusher(bank).start()
    try:
        server.serve(bank.uow, h, p, workers=workers)
    finally:
        flusher.stop()
        bank.dispose()


def _show(code: str, what: str) -> None:
    colour = "green" if code == iso.APPROVED else "red"
    console.print(f"[{colour}]{what}: {code} {MEANING.get(code, '')}[/{colour}]")


def _amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value > 0 and value == value.quantize(Decimal("0.01")) else None


@app.command("simulate")
def simulate(
    terminal: Annotated[str, typer.Option(help="the ATM's terminal id (field 41, 8 characters)")],
    pin_key: Annotated[str, typer.Option(help="the terminal's TDES PIN key, 32 or 48 hex characters")],
    host: Annotated[str | None, typer.Option(help="the switch's address (default: atm_host)")] = None,
    port: Annotated[int | None, typer.Option(help="the switch's port (default: atm_port)")] = None,
    pan: Annotated[str | None, typer.Option(help="the card number (asked when not given)")] = None,
    pin: Annotated[str | None, typer.Option(help="the PIN (asked, hidden, when not given)")] = None,
    withdraw: Annotated[str | None, typer.Option(help="withdraw this amount and leave")] = None,
    balance: Annotated[bool, typer.Option("--balance", help="show the balances and leave")] = False,
    transfer: Annotated[str | None, typer.Option(help="transfer this amount (with --to) and leave")] = None,
    to: Annotated[str | None, typer.Option(help="the payee account of --transfer")] = None,
) -> None:
    """A small ATM: insert a card, type the PIN, then balance, withdraw, transfer. With --withdraw,
    --balance or --transfer it does that one thing and leaves (exit status 2 when refused)."""
    settings = Settings()
    try:
        key = bytes.fromhex(pin_key)
    except ValueError:
        console.print("[red]the PIN key is 32 or 48 hex characters[/red]")
        raise typer.Exit(2) from None
    h, p = host or settings.atm_host, port or settings.atm_port
    with AtmTerminal(h, p, terminal.upper(), key) as atm:
        _show(atm.network(iso.SIGN_ON), f"terminal {terminal.upper()} sign-on")
        card = pan or Prompt.ask("Insert your card (card number)")
        secret = pin or Prompt.ask("PIN", password=True)
        scripted = withdraw is not None or balance or transfer is not None
        if scripted:
            code = _one(atm, card, secret, withdraw, balance, transfer, to)
            raise typer.Exit(0 if code == iso.APPROVED else 2)
        while True:
            choice = Prompt.ask(
                "[b]1[/b] balance  [b]2[/b] withdraw  [b]3[/b] transfer  [b]4[/b] quit",
                choices=["1", "2", "3", "4"],
            )
            if choice == "4":
                console.print("Please take your card.")
                return
            if choice == "1":
                code = _one(atm, card, secret, None, True, None, None)
            elif choice == "2":
                code = _one(atm, card, secret, Prompt.ask("Amount"), False, None, None)
            else:
                code = _one(atm, card, secret, None, False, Prompt.ask("Amount"), Prompt.ask("To account"))
            if code in ("41", "54", "75", "14"):
                console.print("Please contact your bank.")
                return


def _one(
    atm: AtmTerminal,
    card: str,
    secret: str,
    withdraw: str | None,
    balance: bool,
    transfer: str | None,
    to: str | None,
) -> str:
    """Do one thing at the ATM and show the answer; return the response code."""
    if balance:
        b = atm.balance(card, secret)
        _show(b.code, "balance inquiry")
        if b.code == iso.APPROVED:
            console.print(f"ledger balance {b.ledger:,.2f} CNY, available {b.available:,.2f} CNY")
        return b.code
    text = withdraw if withdraw is not None else transfer
    amount = _amount(text or "")
    if amount is None:
        console.print("[red]an amount is a positive number with at most two decimals[/red]")
        return iso.INVALID_AMOUNT
    if withdraw is not None:
        answer = atm.withdraw(card, secret, amount)
        _show(answer["39"], f"withdraw {amount:,.2f}")
        if answer["39"] == iso.APPROVED:
            console.print(f"Please take your cash. Reference {answer.get('37', '')}")
        return answer["39"]
    if not to:
        console.print("[red]a transfer needs the payee account (--to)[/red]")
        return iso.INVALID_TRANSACTION
    answer = atm.transfer(card, secret, amount, to)
    _show(answer["39"], f"transfer {amount:,.2f} to {to}")
    return answer["39"]
