"""The counter's side of the secure messages with customers (站内信): the bank's inbox of threads whose last word
is the customer's (in the teller's branches, the longest waiting first), a customer's threads with a form to
write to them, and a thread with a reply form and "mark read". The same use cases as the service offers
(`channels.messages`): reading needs P.CUSTOMER_READ, writing and marking read P.CUSTOMER_WRITE, and a customer
outside the branch scope is refused (OUT_OF_BRANCH_SCOPE) as customer reads are."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from corebank import customers
from corebank.channels import messages
from corebank.channels.message_schemas import (
    CARRY_BODY,
    CARRY_SUBJECT,
    MAX_BODY,
    MAX_SUBJECT,
    StaffMessage,
    ThreadQuery,
)
from corebank.kernel.errors import CoreBankError
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.counter import COUNTER
from corebank.web.pages.errors import form_error, form_status
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.CUSTOMER_READ))]
Writer = Annotated[Actor, Depends(console_page(P.CUSTOMER_WRITE))]
ThreadId = Annotated[int, Path(ge=1, le=2**62)]

register_nav(NavItem("console", COUNTER, N_("Messages"), "/console/messages", P.CUSTOMER_READ, 25))

PER_PAGE = 20
LIMITS = {"max_subject": MAX_SUBJECT, "max_body": MAX_BODY}


def _query(cursor: str) -> ThreadQuery:
    return ThreadQuery(cursor=cursor or None, limit=PER_PAGE)


@router.get("/messages")
def inbox(request: Request, actor: Reader, cursor: Annotated[str, Query(max_length=24)] = "") -> Response:
    """Customer messages waiting for an answer in the teller's branches, the longest waiting first."""
    page = get_bank(request).run(messages.bank_inbox, actor, _query(cursor), readonly=True)
    ctx: dict[str, Any] = {
        "threads": page,
        "more": f"/console/messages?cursor={page.next_cursor}" if page.next_cursor else None,
        "first": "/console/messages" if cursor else None,
    }
    return render(request, "console/counter/messages.html", ctx)


# ---- a customer's threads -------------------------------------------------------------------------------------


def _customer_page(
    request: Request,
    actor: Actor,
    number: str,
    cursor: str = "",
    *,
    form: dict[str, str] | None = None,
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    bank = get_bank(request)
    page = bank.run(messages.customer_threads, actor, number, _query(cursor), readonly=True)
    c = bank.run(customers.get_customer, actor, number, readonly=True)
    base = f"/console/customers/{c.number}/messages"
    ctx: dict[str, Any] = {
        "c": c,
        "threads": page,
        "more": f"{base}?cursor={page.next_cursor}" if page.next_cursor else None,
        "first": base if cursor else None,
        "form": form or {"subject": "", "body": ""},
        "error": error,
        "can_write": actor.can(P.CUSTOMER_WRITE),
        **LIMITS,
    }
    return render(request, "console/counter/messages_customer.html", ctx, status=status)


@router.get("/customers/{number}/messages")
def customer_threads(
    request: Request,
    number: Annotated[str, Path(max_length=32)],
    actor: Reader,
    cursor: Annotated[str, Query(max_length=24)] = "",
) -> Response:
    """A customer's threads, the newest activity first, and a form to write to them."""
    return _customer_page(request, actor, number, cursor)


@router.post("/customers/{number}/messages")
def write(
    request: Request,
    number: Annotated[str, Path(max_length=32)],
    actor: Writer,
    subject: Annotated[str, Form(max_length=CARRY_SUBJECT)] = "",
    body: Annotated[str, Form(max_length=CARRY_BODY)] = "",
) -> Response:
    """Start a new thread with the customer."""
    try:
        cmd = StaffMessage(customer_number=number, subject=subject, body=body)
        sent = get_bank(request).run(messages.reply, actor, cmd)
    except (CoreBankError, ValidationError) as exc:
        if isinstance(exc, CoreBankError) and exc.status in (403, 404):
            raise
        form = {"subject": subject, "body": body}
        return _customer_page(
            request, actor, number, form=form, error=form_error(exc), status=form_status(exc)
        )
    return redirect(f"/console/messages/{sent.thread_id}", text=_("The message is sent."))


# ---- a thread -------------------------------------------------------------------------------------------------


def _thread_page(
    request: Request,
    actor: Actor,
    thread_id: int,
    *,
    body: str = "",
    error: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    thread = get_bank(request).run(messages.staff_thread, actor, thread_id, readonly=True)
    ctx: dict[str, Any] = {
        "thread": thread,
        "body": body,
        "error": error,
        "can_write": actor.can(P.CUSTOMER_WRITE),
        "unread": sum(1 for m in thread.messages if m.direction == "in" and m.read_at is None),
        **LIMITS,
    }
    return render(request, "console/counter/messages_thread.html", ctx, status=status)


@router.get("/messages/{thread_id}")
def thread(request: Request, thread_id: ThreadId, actor: Reader) -> Response:
    """A thread, oldest message first (reading it marks nothing read)."""
    return _thread_page(request, actor, thread_id)


@router.post("/messages/{thread_id}/reply")
def answer(
    request: Request,
    thread_id: ThreadId,
    actor: Writer,
    body: Annotated[str, Form(max_length=CARRY_BODY)] = "",
) -> Response:
    """Reply to the customer in this thread (the customer's messages in it are then read)."""
    bank = get_bank(request)
    try:
        current = bank.run(messages.staff_thread, actor, thread_id, readonly=True)
        cmd = StaffMessage(customer_number=current.customer_number, thread_id=thread_id, body=body)
        bank.run(messages.reply, actor, cmd)
    except (CoreBankError, ValidationError) as exc:
        if isinstance(exc, CoreBankError) and exc.status in (403, 404):
            raise
        return _thread_page(
            request, actor, thread_id, body=body, error=form_error(exc), status=form_status(exc)
        )
    return redirect(f"/console/messages/{thread_id}", text=_("The reply is sent."))


@router.post("/messages/{thread_id}/read")
def read(request: Request, thread_id: ThreadId, actor: Writer) -> Response:
    """Mark the customer's messages in this thread read."""
    get_bank(request).run(messages.mark_read, actor, thread_id)
    return redirect(f"/console/messages/{thread_id}", text=_("Marked as read."))
