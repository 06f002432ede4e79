"""`corebank card`: debit cards at the counter: issue, list, activate, PIN reset, loss report, replacement, close.

Each command calls one use case as the staff user of `--as-user`; a refusal prints its stable code and leaves with
exit status 2. PINs are asked for twice without echo, never taken as options (they would stay in shell history).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from corebank.channels import cards
from corebank.channels.card_schemas import CardIssue, CardIssued, CardRead, CardReplace, PinReset
from corebank.cli.common import console, refuse
from corebank.cli.loans import AsUser, call, cmd_of, show_pairs
from corebank.kernel.errors import InvalidRequest

app = typer.Typer(help="Debit cards.", no_args_is_help=True)

CardId = Annotated[int, typer.Argument(help="the card's id (not its PAN)")]


def _ask_pin(prompt: str) -> str:
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


def _show_issued(c: CardIssued) -> None:
    show_pairs(
        f"Card {c.card_id}",
        [
            ("PAN", c.pan),
            ("expiry", c.expiry),
            ("account", c.account_number),
            ("status", c.status),
        ],
    )
    console.print("The full PAN is shown this once; hand it to the holder with the card.")


def _show(c: CardRead) -> None:
    show_pairs(
        f"Card {c.id}",
        [
            ("PAN", c.pan_masked),
            ("account", c.account_number),
            ("customer", c.customer_number),
            ("expiry", c.expiry),
            ("status", c.status),
            ("PIN locked today", "yes" if c.pin_locked else "no"),
            ("replaced by", "-" if c.replaced_by is None else str(c.replaced_by)),
        ],
    )


@app.command("issue")
def issue(
    account_number: Annotated[str, typer.Argument(help="a personal CNY demand account")],
    as_user: AsUser = None,
) -> None:
    """Issue a debit card on an account; the holder types the PIN (six digits) twice."""
    pin = _ask_pin("PIN")
    _, got = call(as_user, cards.issue_card, cmd_of(CardIssue, account_number=account_number, pin=pin))
    _show_issued(got)


@app.command("list")
def list_cards(
    account: Annotated[str, typer.Option("--account", help="the account number")], as_user: AsUser = None
) -> None:
    """The cards of an account, newest first."""
    _, rows = call(as_user, cards.cards_of_account, account, readonly=True)
    t = Table(title=f"Cards of {account}")
    for col in ("id", "PAN", "expiry", "status", "PIN locked", "replaced by"):
        t.add_column(col)
    for c in rows:
        t.add_row(
            str(c.id),
            c.pan_masked,
            c.expiry,
            c.status,
            "yes" if c.pin_locked else "no",
            "-" if c.replaced_by is None else str(c.replaced_by),
        )
    console.print(t)


@app.command("show")
def show(card_id: CardId, as_user: AsUser = None) -> None:
    """One card, its PAN masked."""
    _show(call(as_user, cards.get_card, card_id, readonly=True)[1])


@app.command("activate")
def activate(card_id: CardId, as_user: AsUser = None) -> None:
    """Activate an issued card."""
    _show(call(as_user, cards.activate_card, card_id)[1])


@app.command("pin-reset")
def pin_reset(card_id: CardId, as_user: AsUser = None) -> None:
    """Set a new PIN at the counter (the holder types it twice); today's wrong tries are forgotten."""
    pin = _ask_pin("New PIN")
    _show(call(as_user, cards.reset_pin, card_id, cmd_of(PinReset, new_pin=pin))[1])


@app.command("loss")
def loss(card_id: CardId, as_user: AsUser = None) -> None:
    """Report a card lost (挂失): it stops working at once."""
    _show(call(as_user, cards.report_lost, card_id)[1])


@app.command("replace")
def replace(
    card_id: CardId,
    reason: Annotated[str, typer.Option("--reason", help="lost (reported first) or damaged")] = "lost",
    as_user: AsUser = None,
) -> None:
    """Replace a lost or damaged card (补卡): a new PAN on the same account; the holder sets its PIN."""
    if reason not in ("lost", "damaged"):
        refuse(InvalidRequest("--reason is lost or damaged"))
    pin = _ask_pin("New card's PIN")
    _, got = call(as_user, cards.replace_card, card_id, cmd_of(CardReplace, reason=reason, pin=pin))
    _show_issued(got)


@app.command("close")
def close(card_id: CardId, as_user: AsUser = None) -> None:
    """Close a card for good (销卡); the account stays open."""
    _show(call(as_user, cards.close_card, card_id)[1])
