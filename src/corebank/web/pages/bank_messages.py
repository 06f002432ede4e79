"""Internet banking: my secure messages with the bank (站内信). The list of my threads with what I have not read,
a form for a new message, and a thread with a reply form. The same use cases (`channels.messages`) and owner
checks the service applies: another customer's thread is NOT_FOUND, exactly as one that does not exist. Opening a
thread marks the bank's messages in it read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import Response

from corebank.channels import messages
from corebank.channels.message_schemas import (
    CARRY_BODY,
    CARRY_SUBJECT,
    MAX_BODY,
    MAX_SUBJECT,
    MessageSend,
    ThreadQuery,
)
from corebank.kernel.errors import CoreBankError
from corebank.security import Actor
from corebank.web.deps import get_bank
from corebank.web.pages import i18n
from corebank.web.pages.bank_session import BankActor, validated
from corebank.web.pages.errors import form_error
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render

router = APIRouter(prefix="/bank", include_in_schema=False)
register_nav(NavItem("bank", N_("Banking"), N_("Messages"), "/bank/messages", None, order=75))

PER_PAGE = 20
LIMITS = {"max_subject": MAX_SUBJECT, "max_body": MAX_BODY}
ThreadId = Annotated[int, Path(ge=1, le=2**62)]


def _list_page(
    request: Request,
    actor: Actor,
    cursor: str | None = None,
    *,
    form: dict[str, str] | None = None,
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    page = get_bank(request).run(
        messages.list_threads,
        actor,
        validated(ThreadQuery, cursor=cursor or None, limit=PER_PAGE),
        readonly=True,
    )
    ctx: dict[str, Any] = {
        "threads": page,
        "more": f"/bank/messages?cursor={page.next_cursor}" if page.next_cursor else None,
        "first": "/bank/messages" if cursor else None,
        "form": form or {"subject": "", "body": ""},
        "error": error,
        **LIMITS,
    }
    return render(request, "bank/messages.html", ctx, status=status, area="bank")


@router.get("/messages")
def threads(
    request: Request, actor: BankActor, cursor: Annotated[str, Query(max_length=24)] = ""
) -> Response:
    """My threads, the newest activity first, and a form to write to the bank."""
    return _list_page(request, actor, cursor)


@router.post("/messages")
def write(
    request: Request,
    actor: BankActor,
    subject: Annotated[str, Form(max_length=CARRY_SUBJECT)] = "",
    body: Annotated[str, Form(max_length=CARRY_BODY)] = "",
) -> Response:
    """Start a new thread with the bank."""
    try:
        cmd = validated(MessageSend, subject=subject, body=body)
        sent = get_bank(request).run(messages.send, actor, cmd)
    except CoreBankError as exc:
        form = {"subject": subject, "body": body}
        return _list_page(request, actor, form=form, error=form_error(exc), status=exc.status)
    return redirect(f"/bank/messages/{sent.thread_id}", text=i18n.gettext("Your message is sent."))


def _thread_page(
    request: Request,
    actor: Actor,
    thread_id: int,
    *,
    body: str = "",
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    thread = get_bank(request).run(messages.read_thread, actor, thread_id)
    ctx = {"thread": thread, "body": body, "error": error, **LIMITS}
    return render(request, "bank/messages_thread.html", ctx, status=status, area="bank")


@router.get("/messages/{thread_id}")
def thread(request: Request, actor: BankActor, thread_id: ThreadId) -> Response:
    """One of my threads; the bank's messages in it are now read."""
    return _thread_page(request, actor, thread_id)


@router.post("/messages/{thread_id}")
def answer(
    request: Request,
    actor: BankActor,
    thread_id: ThreadId,
    body: Annotated[str, Form(max_length=CARRY_BODY)] = "",
) -> Response:
    """Reply in one of my threads."""
    try:
        cmd = validated(MessageSend, thread_id=thread_id, body=body)
        get_bank(request).run(messages.send, actor, cmd)
    except CoreBankError as exc:
        if exc.status == 404:
            raise
        return _thread_page(request, actor, thread_id, body=body, error=form_error(exc), status=exc.status)
    return redirect(f"/bank/messages/{thread_id}", text=i18n.gettext("Your message is sent."))
