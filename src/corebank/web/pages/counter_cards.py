"""A customer's channels at the counter: debit cards (借记卡) and e-banking (网银签约).

Cards: the customer's cards on every account the teller may see (PAN masked), issuing a card on one of their
accounts (the holder types the PIN; the full PAN is shown once, on the answer to issuing), activation, loss
report (挂失), replacement (补卡), PIN reset and closing (销卡). E-banking: enrollment at the counter (the ID
number typed from the presented card; a temporary password is made when the customer does not choose one, and
shown once), password reset, suspension and resumption.

Every form calls the use case the REST route calls (`routes/cards.py`, `routes/ebanking.py`) with the same
permission; the services check the teller's branch. A card is reached through its customer's page, so a card
of another customer answers as not found.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from corebank import accounts, customers
from corebank.channels import cards, identity
from corebank.channels.card_errors import CardNotFound
from corebank.channels.card_schemas import CardIssue, CardIssued, CardRead, CardReplace, PinReset
from corebank.channels.identity_errors import EbankNotEnrolled
from corebank.channels.identity_schemas import (
    CounterAction,
    CounterEnrollment,
    CounterPasswordReset,
    EbankLoginRead,
)
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.security import Actor, P, passwords
from corebank.web.deps import get_bank
from corebank.web.pages.errors import form_error, form_status
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, redirect, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
CardOperator = Annotated[Actor, Depends(console_page(P.CARD_OPERATE))]
EbankOperator = Annotated[Actor, Depends(console_page(P.EBANK_OPERATE))]
Reader = Annotated[Actor, Depends(console_page(P.CUSTOMER_READ))]
T = TypeVar("T")

CARD_STATUSES = (
    N_("issued"),
    N_("active"),
    N_("lost"),
    N_("replaced"),
    N_("closed"),
    N_("expired"),
)
LOGIN_STATUSES = (N_("active"), N_("locked"), N_("suspended"), N_("closed"))
REPLACE_REASONS = {"lost": N_("Lost (reported lost first)"), "damaged": N_("Damaged (handed in)")}
NO_STORE = {"Cache-Control": "no-store"}


def _no_store(response: Response) -> Response:
    """A page that shows a secret once (a full PAN, a temporary password) is never kept by the browser."""
    response.headers.update(NO_STORE)
    return response


# ---- cards ------------------------------------------------------------------------------------------------


def _cards_page(request: Request, actor: Actor, number: str, *, status: int = 200, **extra: Any) -> Response:
    bank = get_bank(request)
    customer = bank.run(customers.get_customer, actor, number, readonly=True)
    accs: list[accounts.AccountRead] = []
    if actor.can(P.ACCOUNT_READ):
        accs = bank.run(accounts.accounts_of_customer, actor, number, readonly=True)
    found: list[CardRead] = []
    for a in accs:
        found += bank.run(cards.cards_of_account, actor, a.number, readonly=True)
    found.sort(key=lambda c: c.id, reverse=True)
    issuable = [(a.number, f"{a.number} · {a.product_code}") for a in accs if a.status == "active"]
    ctx: dict[str, Any] = {
        "c": customer,
        "cards": found,
        "issuable": issuable,
        "reasons": REPLACE_REASONS,
        "form": {"account_number": issuable[0][0] if issuable else ""},
        "error": None,
        "failed": None,
        "issued": None,
    }
    ctx.update(extra)
    return _no_store(render(request, "console/counter/cards.html", ctx, status=status))


def _card_of(request: Request, actor: Actor, number: str, card_id: int) -> CardRead:
    """The card, if it is this customer's (the service checks the permission and the branch)."""
    card = get_bank(request).run(cards.get_card, actor, card_id, readonly=True)
    if card.customer_number != number:
        raise CardNotFound(f"no card {card_id} for customer {number}")
    return card


@router.get("/customers/{number}/cards")
def cards_page(request: Request, number: str, actor: CardOperator) -> Response:
    """The customer's debit cards and what the counter does with them."""
    return _cards_page(request, actor, number)


@router.post("/customers/{number}/cards")
def card_issue(
    request: Request,
    number: str,
    actor: CardOperator,
    account_number: Annotated[str, Form(max_length=32)] = "",
    pin: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Issue a card on one of the customer's accounts, with the PIN the holder typed. The answer shows the full
    PAN, once; the PIN is never shown back."""
    bank = get_bank(request)
    form = {"account_number": account_number}
    try:
        mine = bank.run(accounts.accounts_of_customer, actor, number, readonly=True)
        if account_number.strip() not in {a.number for a in mine}:
            raise InvalidRequest(f"account {account_number.strip()} is not customer {number}'s")
        cmd = CardIssue(account_number=account_number.strip(), pin=pin)
        issued: CardIssued = bank.run(cards.issue_card, actor, cmd)
    except (CoreBankError, ValidationError) as exc:
        return _cards_page(
            request, actor, number, status=form_status(exc), error=form_error(exc), form=form, failed="issue"
        )
    return _cards_page(request, actor, number, status=201, issued=issued)


def _card_action(
    request: Request, actor: Actor, number: str, card_id: int, fn: Any, *args: Any, done: str
) -> Response:
    bank = get_bank(request)
    try:
        _card_of(request, actor, number, card_id)
        bank.run(fn, actor, card_id, *args)
    except (CoreBankError, ValidationError) as exc:
        return _cards_page(
            request, actor, number, status=form_status(exc), error=form_error(exc), failed=f"card-{card_id}"
        )
    return redirect(f"/console/customers/{number}/cards", text=done)


@router.post("/customers/{number}/cards/{card_id}/activate")
def card_activate(request: Request, number: str, card_id: int, actor: CardOperator) -> Response:
    """Activate an issued card."""
    return _card_action(request, actor, number, card_id, cards.activate_card, done=_("The card is active."))


@router.post("/customers/{number}/cards/{card_id}/loss")
def card_lost(request: Request, number: str, card_id: int, actor: CardOperator) -> Response:
    """Report the card lost (挂失): it stops working at once."""
    return _card_action(
        request, actor, number, card_id, cards.report_lost, done=_("The card is reported lost.")
    )


@router.post("/customers/{number}/cards/{card_id}/close")
def card_close(request: Request, number: str, card_id: int, actor: CardOperator) -> Response:
    """Close the card for good (销卡); the account stays open."""
    return _card_action(request, actor, number, card_id, cards.close_card, done=_("The card is closed."))


@router.post("/customers/{number}/cards/{card_id}/pin-reset")
def card_pin_reset(
    request: Request,
    number: str,
    card_id: int,
    actor: CardOperator,
    new_pin: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Set a new PIN typed by the holder; today's wrong tries are forgotten."""
    try:
        cmd = PinReset(new_pin=new_pin)
    except ValidationError as exc:
        return _cards_page(
            request, actor, number, status=422, error=form_error(exc), failed=f"card-{card_id}"
        )
    return _card_action(request, actor, number, card_id, cards.reset_pin, cmd, done=_("The new PIN is set."))


@router.post("/customers/{number}/cards/{card_id}/replace")
def card_replace(
    request: Request,
    number: str,
    card_id: int,
    actor: CardOperator,
    reason: Annotated[str, Form(max_length=16)] = "lost",
    pin: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Replace a lost card (or a damaged one handed in) with a new PAN on the same account; the answer shows
    the new card's full PAN, once."""
    bank = get_bank(request)
    try:
        _card_of(request, actor, number, card_id)
        cmd = CardReplace.model_validate({"reason": reason, "pin": pin})
        issued: CardIssued = bank.run(cards.replace_card, actor, card_id, cmd)
    except (CoreBankError, ValidationError) as exc:
        return _cards_page(
            request,
            actor,
            number,
            status=form_status(exc),
            error=form_error(exc),
            failed=f"card-{card_id}",
            form={"reason": reason},
        )
    return _cards_page(request, actor, number, status=201, issued=issued)


# ---- e-banking ------------------------------------------------------------------------------------------------


def _settle(outcome: tuple[T | None, CoreBankError | None]) -> T:
    """The answer of a use case that commits its refusals (the audit record of a wrong ID): raise it now."""
    value, error = outcome
    if error is not None:
        raise error
    assert value is not None
    return value


def _ebank_page(request: Request, actor: Actor, number: str, *, status: int = 200, **extra: Any) -> Response:
    bank = get_bank(request)
    customer = bank.run(customers.get_customer, actor, number, readonly=True)
    login: EbankLoginRead | None = None
    try:
        login = bank.run(identity.show_enrollment, actor, number, readonly=True)
    except EbankNotEnrolled:
        login = None
    ctx: dict[str, Any] = {
        "c": customer,
        "login": login,
        "enrolled": login is not None and login.status != "closed",
        "can_operate": actor.can(P.EBANK_OPERATE),
        "form": {"login_name": "", "phone": "", "id_number": ""},
        "error": None,
        "secret": None,
    }
    ctx.update(extra)
    return _no_store(render(request, "console/counter/ebank_login.html", ctx, status=status))


@router.get("/customers/{number}/ebanking")
def ebank_page(request: Request, number: str, actor: Reader) -> Response:
    """The customer's e-banking login (status, phone, devices, sessions) and the counter's actions on it."""
    return _ebank_page(request, actor, number)


@router.post("/customers/{number}/ebanking")
def ebank_enroll(
    request: Request,
    number: str,
    actor: EbankOperator,
    login_name: Annotated[str, Form(max_length=64)] = "",
    phone: Annotated[str, Form(max_length=24)] = "",
    id_number: Annotated[str, Form(max_length=32)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Enroll the customer; without a password chosen by the customer a temporary one is made and shown once."""
    form = {"login_name": login_name, "phone": phone, "id_number": id_number}
    temporary = None if password else passwords.generate_password(12)
    try:
        cmd = CounterEnrollment(
            login_name=login_name.strip(),
            password=password or str(temporary),
            phone=phone.strip(),
            id_number=id_number.strip(),
        )
        login = _settle(get_bank(request).run(identity.enroll_at_counter, actor, number, cmd))
    except (CoreBankError, ValidationError) as exc:
        return _ebank_page(request, actor, number, status=form_status(exc), error=form_error(exc), form=form)
    return _ebank_page(
        request,
        actor,
        number,
        status=201,
        secret=temporary,
        done=_("The customer is enrolled in e-banking as %(name)s.") % {"name": login.login_name},
    )


@router.post("/customers/{number}/ebanking/password-reset")
def ebank_password_reset(request: Request, number: str, actor: EbankOperator) -> Response:
    """A temporary password, shown once; the login is unlocked and every session ends."""
    try:
        done = get_bank(request).run(identity.reset_password, actor, number, CounterPasswordReset())
    except CoreBankError as exc:
        return _ebank_page(request, actor, number, status=exc.status, error=form_error(exc))
    return _ebank_page(
        request,
        actor,
        number,
        secret=done.temporary_password,
        done=_("The password is reset; %(n)s sessions ended.") % {"n": done.sessions_ended},
    )


def _ebank_action(
    request: Request, actor: Actor, number: str, fn: Any, reason: str, *, done: str
) -> Response:
    try:
        cmd = CounterAction(reason=reason.strip())
        get_bank(request).run(fn, actor, number, cmd)
    except (CoreBankError, ValidationError) as exc:
        return _ebank_page(
            request, actor, number, status=form_status(exc), error=form_error(exc), form={"reason": reason}
        )
    return redirect(f"/console/customers/{number}/ebanking", text=done)


@router.post("/customers/{number}/ebanking/suspend")
def ebank_suspend(
    request: Request, number: str, actor: EbankOperator, reason: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Suspend the login: no login and no request with a token already issued, until resumed."""
    return _ebank_action(request, actor, number, identity.suspend, reason, done=_("E-banking is suspended."))


@router.post("/customers/{number}/ebanking/resume")
def ebank_resume(
    request: Request, number: str, actor: EbankOperator, reason: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Resume a suspended login."""
    return _ebank_action(request, actor, number, identity.resume, reason, done=_("E-banking is resumed."))
