"""Internet banking: transfers (within the bank and to other banks) with the quote, the signing code and the
result; and my payees (收款人).

The steps call the same use cases as /api/v1/me: `me_transfers.quote_transfer` shows the fee, the total and
what today's limit still allows; over the signing threshold the confirmation page opens a signing challenge
(`signing.open_challenge`, bound to the amount and the payee, the code goes by SMS) and the transfer carries
its code; `me_transfers.make_transfer` runs once per idempotency key, which the confirmation form carries
hidden, so a double submit or a reload posts once. A refused code is counted against its challenge in a
transaction of its own, as the REST route does.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from corebank.bootstrap import Bank
from corebank.channels import me, me_transfers, payees, signing
from corebank.channels.errors import SigningCodeInvalid
from corebank.channels.identity_schemas import SigningChallengeCreate
from corebank.channels.me_schemas import (
    MyTransferCreate,
    PayeeCreate,
    SigningProof,
    TransferQuote,
    TransferQuoteRequest,
)
from corebank.kernel.errors import CoreBankError
from corebank.security import Actor
from corebank.web.pages import i18n
from corebank.web.pages.bank_session import BankActor, validated
from corebank.web.pages.errors import form_error
from corebank.web.pages.render import N_, NavItem, new_key, redirect, register_nav, render

router = APIRouter(prefix="/bank", include_in_schema=False)
register_nav(NavItem("bank", N_("Banking"), N_("Transfers"), "/bank/transfers", None, order=10))
register_nav(NavItem("bank", N_("Banking"), N_("Payees"), "/bank/payees", None, order=12))

N_("internal")
N_("interbank")
N_("posted")
N_("created")
N_("sent")
N_("settled")
N_("rejected")
N_("returned")

FIELDS = ("from_account", "payee_id", "to_account", "bank_code", "creditor_name", "amount", "memo")


def _typed(form: dict[str, str]) -> dict[str, str]:
    """The transfer fields the customer typed, trimmed."""
    return {k: (form.get(k) or "").strip() for k in FIELDS}


def _currency_of(bank: Bank, actor: Actor, number: str) -> str:
    for a in bank.run(me.my_accounts, actor, readonly=True):
        if a.number == number:
            return a.currency
    return bank.settings.base_currency


def _quote_request(bank: Bank, actor: Actor, t: dict[str, str]) -> TransferQuoteRequest:
    payee_id = t["payee_id"]
    return validated(
        TransferQuoteRequest,
        from_account=t["from_account"],
        payee_id=int(payee_id) if payee_id.isdigit() else None,
        to_account=None if payee_id.isdigit() else (t["to_account"] or None),
        bank_code=None if payee_id.isdigit() else (t["bank_code"] or None),
        amount=t["amount"],
        currency=_currency_of(bank, actor, t["from_account"]),
    )


def _form_page(
    request: Request,
    actor: Actor,
    typed: dict[str, str],
    *,
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    bank: Bank = request.app.state.bank
    mine = bank.run(me.my_accounts, actor, readonly=True)
    saved = bank.run(payees.list_payees, actor, readonly=True)
    recent = bank.run(me_transfers.my_transfers, actor, limit=10, readonly=True).items
    ctx = {"accounts": mine, "payees": saved, "t": typed, "error": error, "recent": recent}
    return render(request, "bank/transfer.html", ctx, status=status, area="bank")


@router.get("/transfers")
def transfer_page(request: Request, actor: BankActor) -> Response:
    """The transfer form: from which account, to a payee or an account, how much."""
    typed = _typed(dict(request.query_params))
    return _form_page(request, actor, typed)


def _confirm_page(
    request: Request,
    typed: dict[str, str],
    quote: TransferQuote,
    *,
    key: str,
    challenge: dict[str, Any] | None,
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ctx = {"t": typed, "quote": quote, "key": key, "challenge": challenge, "error": error}
    return render(request, "bank/transfer_confirm.html", ctx, status=status, area="bank")


def _challenge(bank: Bank, actor: Actor, quote: TransferQuote) -> dict[str, Any]:
    opened = bank.run(
        signing.open_challenge,
        actor,
        SigningChallengeCreate(
            amount=quote.amount, currency=quote.currency, payee=quote.signing_payee, tx_type="transfer"
        ),
    )
    return {"id": opened.challenge_id, "method": opened.method, "phone_masked": opened.phone_masked}


@router.post("/transfers/quote")
async def quote(request: Request, actor: BankActor) -> Response:
    """Step 2: the quote (fee, total, limit left); over the threshold a signing code is sent now."""
    bank: Bank = request.app.state.bank
    form = await request.form()
    typed = _typed({k: str(v) for k, v in form.items()})
    try:
        cmd = _quote_request(bank, actor, typed)
        q = bank.run(me_transfers.quote_transfer, actor, cmd, readonly=True)
        challenge = _challenge(bank, actor, q) if q.signing_required else None
    except CoreBankError as exc:
        return _form_page(request, actor, typed, error=form_error(exc), status=exc.status)
    return _confirm_page(request, typed, q, key=new_key(), challenge=challenge)


def _make(bank: Bank, actor: Actor, cmd: MyTransferCreate, key: str) -> Any:
    """Make the transfer; a refused signing code is then counted against its challenge on its own."""
    try:
        return bank.run(me_transfers.make_transfer, actor, cmd, key)
    except SigningCodeInvalid:
        if cmd.signing is not None:
            bank.run(signing.record_failure, actor, cmd.signing.challenge_id)
        raise


@router.post("/transfers/confirm")
async def confirm(
    request: Request,
    actor: BankActor,
    idempotency_key: Annotated[str, Form(max_length=64)] = "",
    challenge_id: Annotated[str, Form(max_length=20)] = "",
    challenge_method: Annotated[str, Form(max_length=8)] = "",
    challenge_phone: Annotated[str, Form(max_length=32)] = "",
    code: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Step 3: confirm (with the signing code when asked): the transfer is made once per idempotency key."""
    bank: Bank = request.app.state.bank
    form = await request.form()
    typed = _typed({k: str(v) for k, v in form.items()})
    challenge = (
        {"id": int(challenge_id), "method": challenge_method, "phone_masked": challenge_phone}
        if challenge_id.isdigit()
        else None
    )
    try:
        req = _quote_request(bank, actor, typed)
        q = bank.run(me_transfers.quote_transfer, actor, req, readonly=True)
    except CoreBankError as exc:
        return _form_page(request, actor, typed, error=form_error(exc), status=exc.status)
    key = idempotency_key or new_key()
    try:
        proof = (
            validated(SigningProof, challenge_id=int(challenge_id), code=code.strip()) if challenge else None
        )
        cmd = validated(
            MyTransferCreate,
            **req.model_dump(),
            creditor_name=typed["creditor_name"] or None,
            memo=typed["memo"],
            signing=proof,
        )
        done = _make(bank, actor, cmd, key)
    except CoreBankError as exc:
        return _confirm_page(
            request, typed, q, key=key, challenge=challenge, error=form_error(exc), status=exc.status
        )
    return render(request, "bank/transfer_done.html", {"done": done}, area="bank")


@router.post("/transfers/code")
async def new_code(request: Request, actor: BankActor) -> Response:
    """Send a new signing code for the same transfer (the last one expired or was used up)."""
    bank: Bank = request.app.state.bank
    form = await request.form()
    typed = _typed({k: str(v) for k, v in form.items()})
    key = str(form.get("idempotency_key") or "") or new_key()
    try:
        req = _quote_request(bank, actor, typed)
        q = bank.run(me_transfers.quote_transfer, actor, req, readonly=True)
        challenge = _challenge(bank, actor, q) if q.signing_required else None
    except CoreBankError as exc:
        return _form_page(request, actor, typed, error=form_error(exc), status=exc.status)
    return _confirm_page(request, typed, q, key=key, challenge=challenge)


# ------------------------------------------------------------------------------------------- payees


def _payees_page(
    request: Request,
    actor: Actor,
    *,
    typed: dict[str, str] | None = None,
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    saved = request.app.state.bank.run(payees.list_payees, actor, readonly=True)
    ctx = {"payees": saved, "p": typed or {}, "error": error}
    return render(request, "bank/payees.html", ctx, status=status, area="bank")


@router.get("/payees")
def payees_page(request: Request, actor: BankActor) -> Response:
    """My payees, and the form to add one."""
    return _payees_page(request, actor)


@router.post("/payees")
def add_payee(
    request: Request,
    actor: BankActor,
    name: Annotated[str, Form(max_length=200)] = "",
    account_number: Annotated[str, Form(max_length=64)] = "",
    bank_code: Annotated[str, Form(max_length=40)] = "",
    nickname: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Add a payee in this bank (number and holder's name must match) or at another bank."""
    typed = {"name": name, "account_number": account_number, "bank_code": bank_code, "nickname": nickname}
    try:
        cmd = validated(
            PayeeCreate,
            name=name.strip(),
            account_number=account_number.strip(),
            bank_code=bank_code.strip() or None,
            nickname=nickname.strip(),
        )
        added = request.app.state.bank.run(payees.add_payee, actor, cmd)
    except CoreBankError as exc:
        return _payees_page(request, actor, typed=typed, error=form_error(exc), status=exc.status)
    return redirect(
        "/bank/payees", text=i18n.gettext("Payee %(name)s added.") % {"name": added.nickname or added.name}
    )


@router.post("/payees/{payee_id}/delete")
def delete_payee(request: Request, actor: BankActor, payee_id: int) -> Response:
    """Remove one of my payees."""
    gone = request.app.state.bank.run(payees.delete_payee, actor, payee_id)
    return redirect(
        "/bank/payees", text=i18n.gettext("Payee %(name)s removed.") % {"name": gone.nickname or gone.name}
    )
