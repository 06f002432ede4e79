"""`corebank ebank`: e-banking enrollment (签约) at the counter, and the development SMS outbox.

Each counter command calls one use case as the staff user of `--as-user` (the system when absent); a refusal
prints its stable code and leaves with exit status 2. Passwords are asked for twice without echo, never taken as
options (they would stay in shell history). `outbox` prints the messages the development SMS sender "sent": the
demo user reads one-time codes there.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from corebank.channels import identity, sms
from corebank.channels.identity_schemas import (
    CounterAction,
    CounterEnrollment,
    CounterPasswordReset,
    EbankLoginRead,
)
from corebank.cli.common import build_bank, console, refuse
from corebank.cli.loans import AsUser, call, cmd_of, or_blank, show_pairs
from corebank.kernel.errors import CoreBankError

app = typer.Typer(
    help="E-banking enrollment at the counter, and the development SMS outbox.", no_args_is_help=True
)

Customer = Annotated[str, typer.Argument(help="the customer number")]
Reason = Annotated[str, typer.Option("--reason", help="why (kept in the audit trail)")]


def _show(r: EbankLoginRead) -> None:
    show_pairs(
        f"E-banking login of customer {r.customer_number}",
        [
            ("login name", r.login_name),
            ("status", r.status),
            ("phone", r.phone_masked),
            ("second factor", r.second_factor),
            ("failed tries in a row", str(r.failed_logins)),
            ("enrolled", f"{r.enrolled_via} by {r.enrolled_by} at {r.created_at:%Y-%m-%d %H:%M}"),
            ("last login", or_blank(r.last_login_at and f"{r.last_login_at:%Y-%m-%d %H:%M}")),
            ("bound devices", str(r.devices)),
            ("open sessions", str(r.open_sessions)),
        ],
    )


def _ask_password(prompt: str) -> str:
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@app.command("enroll")
def enroll(
    customer: Customer,
    login: Annotated[str, typer.Option("--login", help="the login name the customer chose")],
    phone: Annotated[str, typer.Option("--phone", help="the phone that receives one-time codes")],
    id_number: Annotated[str, typer.Option("--id-number", help="as printed on the presented ID card")],
    as_user: AsUser = None,
) -> None:
    """Enroll a customer in e-banking at the counter (the password is asked for, twice)."""
    password = _ask_password("Password")
    cmd = cmd_of(CounterEnrollment, login_name=login, password=password, phone=phone, id_number=id_number)
    _bank, (r, error) = call(as_user, identity.enroll_at_counter, customer, cmd)
    if error is not None:
        refuse(error)
    assert r is not None
    console.print(f"customer {customer} enrolled in e-banking as {r.login_name}")
    _show(r)


@app.command("reset-password")
def reset_password(
    customer: Customer,
    ask: Annotated[
        bool, typer.Option("--ask/--generate", help="ask for the new password, or generate a temporary one")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Reset the e-banking password (unlocks a locked login; every session ends)."""
    password = _ask_password("New password") if ask else None
    _bank, r = call(as_user, identity.reset_password, customer, CounterPasswordReset(password=password))
    if r.temporary_password:
        console.print(f"temporary password: [bold]{r.temporary_password}[/bold] (shown once)")
    console.print(f"{r.sessions_ended} session(s) ended")
    _show(r.login)


@app.command("suspend")
def suspend(customer: Customer, reason: Reason = "", as_user: AsUser = None) -> None:
    """Suspend the login: no login and no request on a token already issued until resumed."""
    _bank, r = call(as_user, identity.suspend, customer, CounterAction(reason=reason))
    _show(r)


@app.command("resume")
def resume(customer: Customer, reason: Reason = "", as_user: AsUser = None) -> None:
    """Resume a suspended login."""
    _bank, r = call(as_user, identity.resume, customer, CounterAction(reason=reason))
    _show(r)


@app.command("unenroll")
def unenroll(customer: Customer, reason: Reason = "", as_user: AsUser = None) -> None:
    """Close the customer's e-banking (解约): sessions end, devices are unbound."""
    _bank, r = call(as_user, identity.unenroll, customer, CounterAction(reason=reason))
    _show(r)


@app.command("show")
def show(customer: Customer, as_user: AsUser = None) -> None:
    """The customer's e-banking login."""
    _bank, r = call(as_user, identity.show_enrollment, customer, readonly=True)
    _show(r)


@app.command("outbox")
def outbox(
    phone: Annotated[str | None, typer.Option("--phone", help="only messages to this phone")] = None,
    last: Annotated[int, typer.Option("--last", help="at most this many, newest first")] = 10,
    code_only: Annotated[
        bool, typer.Option("--code-only", help="print only the newest message's code (for scripts)")
    ] = False,
) -> None:
    """The development SMS outbox, newest first (one-time codes for the demo)."""
    try:
        msgs = build_bank().run(sms.recent_outbox, phone=phone, last=last, readonly=True)
    except CoreBankError as exc:
        refuse(exc)
    if code_only:
        if not msgs or not msgs[0].code:
            raise typer.Exit(1)
        print(msgs[0].code)
        return
    t = Table(title="SMS outbox (development)")
    for col in ("sent", "to", "purpose", "code", "text"):
        t.add_column(col)
    for m in msgs:
        t.add_row(f"{m.created_at:%Y-%m-%d %H:%M:%S}", m.phone_masked, m.purpose, or_blank(m.code), m.text)
    console.print(t)
