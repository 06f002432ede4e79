"""An account's life at the counter: reactivating a dormant account (睡眠户激活, the customer showed ID) and
closing an account (销户) from a confirmation page.

Closing calls the use case the REST route calls, with the same permission and idempotency key: an account with
no balance closes at once; a balance is settled to cash or to another account once a supervisor authorizes it
(授权), so the teller then follows the pending request. Holds, freezes or an overdraft refuse the close.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from corebank import accounts
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.errors import form_error, form_status
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, new_key, redirect, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reactivator = Annotated[Actor, Depends(console_page(P.ACCOUNT_HOLD))]
Closer = Annotated[Actor, Depends(console_page(P.ACCOUNT_CLOSE))]

SETTLEMENTS = {
    "none": N_("No balance to settle"),
    "cash": N_("Pay the balance out in cash"),
    "account": N_("Transfer the balance to another account"),
}


def _reactivate_page(
    request: Request,
    actor: Actor,
    number: str,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    error: Any = None,
) -> Response:
    acc = get_bank(request).run(accounts.get_account, actor, number, readonly=True)
    return render(
        request,
        "console/counter/account_reactivate.html",
        {"a": acc, "form": {"reason": "", **(form or {})}, "error": error},
        status=status,
    )


@router.get("/accounts/{number}/reactivate")
def reactivate_form(request: Request, number: str, actor: Reactivator) -> Response:
    """Reactivate a dormant account once the customer has shown ID."""
    return _reactivate_page(request, actor, number)


@router.post("/accounts/{number}/reactivate")
def reactivate(
    request: Request, number: str, actor: Reactivator, reason: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Bring a dormant account back to active; the reason (the ID seen) goes to the audit trail."""
    try:
        if not reason.strip():
            raise InvalidRequest("say why the account is reactivated (e.g. the ID the customer showed)")
        get_bank(request).run(accounts.reactivate, actor, number, reason.strip())
    except CoreBankError as exc:
        return _reactivate_page(
            request, actor, number, status=exc.status, error=form_error(exc), form={"reason": reason}
        )
    return redirect(f"/console/accounts/{number}", text=_("The account is active again."))


def _close_page(
    request: Request,
    actor: Actor,
    number: str,
    *,
    status: int = 200,
    form: dict[str, str] | None = None,
    error: Any = None,
) -> Response:
    bank = get_bank(request)
    acc = bank.run(accounts.get_account, actor, number, readonly=True)
    data = {
        "settle_to": "none" if acc.balance in ("0", "0.00") else "cash",
        "to_account": "",
        "reason": "",
        "idempotency_key": new_key(),
    }
    data.update(form or {})
    return render(
        request,
        "console/counter/account_close.html",
        {
            "a": acc,
            "holds": bank.run(accounts.list_holds, actor, number, readonly=True),
            "form": data,
            "error": error,
            "settlements": SETTLEMENTS,
        },
        status=status,
    )


@router.get("/accounts/{number}/close")
def close_form(request: Request, number: str, actor: Closer) -> Response:
    """What closing the account means (its balance, its holds) and how the balance is settled."""
    return _close_page(request, actor, number)


@router.post("/accounts/{number}/close")
def close_post(
    request: Request,
    number: str,
    actor: Closer,
    settle_to: Annotated[str, Form(max_length=16)] = "none",
    to_account: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
    idempotency_key: Annotated[str, Form(min_length=8, max_length=64)] = "",
) -> Response:
    """Close the account, or ask a supervisor to authorize settling its balance first."""
    form = {
        "settle_to": settle_to,
        "to_account": to_account,
        "reason": reason,
        "idempotency_key": idempotency_key or new_key(),
    }
    try:
        cmd = accounts.CloseRequest.model_validate(
            {
                "settle_to": settle_to,
                "to_account": to_account.strip() or None,
                "reason": reason.strip() or "customer request",
            }
        )
        result = get_bank(request).run(accounts.close_account, actor, number, cmd, form["idempotency_key"])
    except (CoreBankError, ValidationError) as exc:
        return _close_page(request, actor, number, status=form_status(exc), form=form, error=form_error(exc))
    if isinstance(result, accounts.PendingApproval):
        return redirect(
            f"/console/cash/pending/{result.approval_id}",
            text=_("Closing the account waits for a supervisor's authorization."),
            kind="warn",
        )
    return redirect(
        f"/console/accounts/{number}", text=_("Account %(number)s is closed.") % {"number": number}
    )
