"""`corebank payment`: interbank transfers and their status; other payment commands join this group.

`interbank` sends money to another bank (a new idempotency key unless `--key` is given, printed so that a
retry with it posts nothing twice); `show` and `list` read payments; `send` runs one pass of the clearing
sender against settings.clearing_url. A refusal prints its stable code and leaves with exit status 2.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.payments import clearing_link, interbank
from corebank.payments.interbank_schemas import InterbankCreate, InterbankRead

app = typer.Typer(
    help="Payments: interbank transfers, bulk files, ISO 20022 statements.", no_args_is_help=True
)
AsUser = Annotated[
    str | None, typer.Option("--as-user", help="act as this staff user (their rights and branches)")
]


def _show(p: InterbankRead) -> None:
    t = Table(title=f"Interbank payment {p.payment_id}", show_header=False)
    t.add_column("field", style="bold")
    t.add_column("value")
    rows = [
        ("status", p.status),
        ("direction", "outbound" if p.direction == "out" else "inbound"),
        ("system", p.system),
        ("amount", f"{p.amount} {p.currency}"),
        ("fee", f"{p.fee} {p.currency}"),
        ("debtor", f"{p.debtor_name} {p.debtor_account} @ {p.debtor_bank_code}"),
        ("creditor", f"{p.creditor_name} {p.creditor_account} @ {p.creditor_bank_code}"),
        ("value date", p.value_date.isoformat()),
        ("transaction id", p.tx_id),
        ("end-to-end id", p.end_to_end_id),
        ("message id", p.msg_id or "-"),
    ]
    if p.reason_code:
        rows.append(("reason", f"{p.reason_code} {p.reason_text}".strip()))
    if p.remittance:
        rows.append(("remittance", p.remittance))
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)


@app.command("interbank")
def send_interbank(
    from_account: Annotated[str, typer.Argument(help="the payer's account at this bank")],
    creditor_bank_code: Annotated[str, typer.Argument(help="the payee's bank (12-digit CNAPS code)")],
    creditor_account: Annotated[str, typer.Argument(help="the payee's account at that bank")],
    creditor_name: Annotated[str, typer.Argument(help="the payee's name as the account holds it")],
    amount: Annotated[str, typer.Argument(help='e.g. "1000.00"')],
    urgent: Annotated[
        bool, typer.Option("--urgent", help="send by HVPS (real time) whatever the amount")
    ] = False,
    remittance: Annotated[str, typer.Option(help="remittance information for the payee")] = "",
    currency: Annotated[str, typer.Option(help="the payment currency")] = "CNY",
    key: Annotated[str | None, typer.Option("--key", help="idempotency key (default: a new one)")] = None,
    as_user: AsUser = None,
) -> None:
    """Send money to an account at another bank through clearing (跨行转账)."""
    key = key or f"cli-{uuid.uuid4().hex}"
    try:
        cmd = InterbankCreate(
            from_account=from_account,
            creditor_bank_code=creditor_bank_code,
            creditor_account=creditor_account,
            creditor_name=creditor_name,
            amount=amount,
            currency=currency,
            urgent=urgent,
            remittance=remittance,
        )
    except ValidationError as exc:
        refuse(InvalidRequest("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())))
    try:
        bank = build_bank()
        paid = bank.run(interbank.send_interbank, staff_actor(bank, as_user), cmd, key)
    except CoreBankError as exc:
        refuse(exc)
    _show(paid)
    console.print(f"idempotency key: {key}  (run `corebank payment send` to send it now)")


@app.command("show")
def show(
    payment_id: Annotated[int, typer.Argument(help="the payment id")],
    as_user: AsUser = None,
) -> None:
    """An interbank payment and its status."""
    try:
        bank = build_bank()
        _show(bank.run(interbank.get_payment, staff_actor(bank, as_user), payment_id, readonly=True))
    except CoreBankError as exc:
        refuse(exc)


@app.command("list")
def list_payments(
    status: Annotated[str | None, typer.Option(help="created, sent, settled, rejected, returned ...")] = None,
    direction: Annotated[str | None, typer.Option(help="out or in")] = None,
    value_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    account: Annotated[str | None, typer.Option(help="our customer's account")] = None,
    limit: Annotated[int, typer.Option(help="at most this many")] = 50,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page")] = None,
    as_user: AsUser = None,
) -> None:
    """Interbank payments, newest first."""
    try:
        day = date.fromisoformat(value_date) if value_date else None
    except ValueError:
        refuse(InvalidRequest(f"value date {value_date!r} is not YYYY-MM-DD"))
    try:
        bank = build_bank()
        page = bank.run(
            interbank.list_payments,
            staff_actor(bank, as_user),
            status=status,
            direction=direction,
            value_date=day,
            account=account,
            cursor=cursor,
            limit=limit,
            readonly=True,
        )
    except CoreBankError as exc:
        refuse(exc)
    t = Table(title="Interbank payments")
    for col in ("id", "dir", "system", "status", "amount", "counterparty", "value date", "reason"):
        t.add_column(col, justify="right" if col in ("id", "amount") else "left")
    for p in page.items:
        other = (
            f"{p.creditor_account} @ {p.creditor_bank_code}"
            if p.direction == "out"
            else f"{p.debtor_account} @ {p.debtor_bank_code}"
        )
        t.add_row(
            str(p.payment_id),
            p.direction,
            p.system,
            p.status,
            p.amount,
            other,
            str(p.value_date),
            p.reason_code or "",
        )
    console.print(t)
    if page.next_cursor:
        console.print(f"more: --cursor {page.next_cursor}")


@app.command("send")
def send() -> None:
    """Send due interbank payments and pending returns to clearing once (settings.clearing_url)."""
    import httpx

    bank = build_bank()
    try:
        with httpx.Client(timeout=bank.settings.clearing_timeout_seconds) as client:
            counts = clearing_link.send_pending(bank, client)
    except CoreBankError as exc:
        refuse(exc)
    console.print(counts.model_dump())
    if counts.failed_messages:
        raise typer.Exit(1)
