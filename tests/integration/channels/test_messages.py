"""Secure messages between the bank and its customers: a customer sees and answers only their own threads
(another's is NOT_FOUND and nothing changes), an empty or over-long message is refused and nothing is stored,
the unread count falls when the other side reads, the bank's inbox holds the threads the bank owes an answer,
and staff only reach customers in their branch scope, writing only with P.CUSTOMER_WRITE."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from corebank.bootstrap import Bank
from corebank.channels import messages, principal, tokens
from corebank.channels.message_models import CustomerMessage
from corebank.channels.message_schemas import MessageSend, StaffMessage, ThreadPage, ThreadQuery
from corebank.db.models import AuditRecord
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, NotAuthenticated, NotFound, OutOfScope, PermissionDenied
from corebank.security import Actor
from tests.factories import Staff, new_customer
from tests.factories.channels import customer_session


def customer_actor(bank: Bank, number: str) -> Actor:
    """The actor of the customer numbered `number` in internet banking, as a signed-in request would have it."""
    s = customer_session(bank, number)
    return principal.customer_actor(
        tokens.CustomerClaims(s.login_id, s.customer_id, s.login_name, 0, "internet", "sms", "", "")
    )


def a_customer(bank: Bank, teller: Actor) -> tuple[str, Actor]:
    c = new_customer(bank, teller)
    return c.number, customer_actor(bank, c.number)


def stored(bank: Bank) -> int:
    def count(uow: UnitOfWork) -> int:
        return int(uow.session.execute(select(func.count()).select_from(CustomerMessage)).scalar_one())

    return bank.run(count, readonly=True)


def audits(bank: Bank, action: str, object_id: int) -> int:
    def count(uow: UnitOfWork) -> int:
        q = select(func.count()).where(AuditRecord.action == action, AuditRecord.object_id == str(object_id))
        return int(uow.session.execute(q).scalar_one())

    return bank.run(count, readonly=True)


def refused(bank: Bank, error: type[CoreBankError], code: str, fn: Any, *args: Any) -> None:
    """`fn` is refused with `code` and the message table is as it was."""
    before = stored(bank)
    with pytest.raises(error) as caught:
        bank.run(fn, *args)
    assert caught.value.code == code
    assert stored(bank) == before


def inbox_threads(bank: Bank, actor: Actor) -> dict[int, Any]:
    """Every thread in `actor`'s inbox, following the pages."""
    found: dict[int, Any] = {}
    cursor = None
    while True:
        page: ThreadPage = bank.run(
            messages.bank_inbox, actor, ThreadQuery(cursor=cursor, limit=50), readonly=True
        )
        found.update({t.thread_id: t for t in page.items})
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def new_thread(
    subject: str = "Card not arrived", body: str = "My new debit card has not arrived yet."
) -> MessageSend:
    return MessageSend(subject=subject, body=body)


def test_a_customer_reads_and_answers_only_their_own_threads(bank: Bank, staff: Staff) -> None:
    teller = staff["teller"].actor
    _, alice = a_customer(bank, teller)
    _, bob = a_customer(bank, teller)
    sent = bank.run(messages.send, alice, new_thread())
    assert (sent.direction, sent.author, sent.thread_id) == ("in", "customer", sent.message_id)
    assert audits(bank, "message.send", sent.message_id) == 1

    refused(bank, NotFound, "NOT_FOUND", messages.read_thread, bob, sent.thread_id)
    refused(
        bank, NotFound, "NOT_FOUND", messages.send, bob, MessageSend(thread_id=sent.thread_id, body="Hello?")
    )
    refused(
        bank, NotFound, "NOT_FOUND", messages.read_thread, bob, 10**12
    )  # one that does not exist: the same
    assert bank.run(messages.list_threads, bob, ThreadQuery(), readonly=True).items == []

    again = bank.run(
        messages.send, alice, MessageSend(thread_id=sent.thread_id, subject="ignored", body="Any news?")
    )
    assert (again.thread_id, again.subject) == (sent.thread_id, "Card not arrived")
    thread = bank.run(messages.read_thread, alice, sent.thread_id)
    assert [m.body for m in thread.messages] == ["My new debit card has not arrived yet.", "Any news?"]
    assert thread.waiting
    # Staff are not customers: the customer's use cases refuse them, and customers hold no staff permission.
    with pytest.raises(NotAuthenticated):
        bank.run(messages.list_threads, teller, ThreadQuery(), readonly=True)
    with pytest.raises(PermissionDenied):
        bank.run(messages.bank_inbox, alice, ThreadQuery(), readonly=True)


@pytest.mark.parametrize(
    ("subject", "body", "code"),
    [
        ("Hello", "   \n\t ", "MESSAGE_EMPTY"),
        ("", "A message without a subject", "MESSAGE_EMPTY"),
        ("Hello", "x" * 4001, "MESSAGE_TOO_LONG"),
        ("s" * 121, "A subject too long", "MESSAGE_TOO_LONG"),
    ],
)
def test_an_empty_or_over_long_message_is_refused_and_nothing_is_stored(
    bank: Bank, staff: Staff, subject: str, body: str, code: str
) -> None:
    teller = staff["teller"].actor
    number, alice = a_customer(bank, teller)
    refused(
        bank,
        messages.MessageEmpty if code == "MESSAGE_EMPTY" else messages.MessageTooLong,
        code,
        messages.send,
        alice,
        MessageSend(subject=subject, body=body),
    )
    refused(
        bank,
        CoreBankError,
        code,
        messages.reply,
        teller,
        StaffMessage(customer_number=number, subject=subject, body=body),
    )


def test_the_longest_message_allowed_is_kept_as_written(bank: Bank, staff: Staff) -> None:
    _, alice = a_customer(bank, staff["teller"].actor)
    body = "\x00line one\r\n" + "y" * (4000 - len("line one\n"))
    sent = bank.run(messages.send, alice, MessageSend(subject="  Long\nletter ", body=body))
    assert sent.subject == "Long letter"
    assert sent.body.startswith("line one\nyyy") and len(sent.body) == 4000


def test_the_unread_count_falls_when_each_side_reads(bank: Bank, staff: Staff) -> None:
    teller = staff["teller"].actor
    number, alice = a_customer(bank, teller)
    first = bank.run(
        messages.send, alice, new_thread("Statement copy", "Please post me a statement for May.")
    )
    tid = first.thread_id
    assert tid in inbox_threads(bank, teller)
    mine = bank.run(messages.customer_threads, teller, number, ThreadQuery(), readonly=True)
    assert (mine.unread, mine.items[0].unread, mine.items[0].waiting) == (1, 1, True)

    # Reading the thread at the counter marks nothing; marking it read does, once.
    assert bank.run(messages.staff_thread, teller, tid, readonly=True).messages[0].read_at is None
    marked = bank.run(messages.mark_read, teller, tid)
    assert marked.messages[0].read_at is not None
    assert audits(bank, "message.read", tid) == 1
    bank.run(messages.mark_read, teller, tid)
    assert audits(bank, "message.read", tid) == 1
    assert bank.run(messages.customer_threads, teller, number, ThreadQuery(), readonly=True).unread == 0
    assert inbox_threads(bank, teller)[tid].unread == 0  # read, but still owed an answer

    for text in ("We have posted it today.", "It should arrive within three days."):
        out = bank.run(messages.reply, teller, StaffMessage(customer_number=number, thread_id=tid, body=text))
        assert (out.direction, out.author) == ("out", "teller")
    assert tid not in inbox_threads(bank, teller)
    page = bank.run(messages.list_threads, alice, ThreadQuery(), readonly=True)
    assert (page.unread, page.items[0].unread, page.items[0].waiting) == (2, 2, False)

    thread = bank.run(messages.read_thread, alice, tid)
    assert [m.author for m in thread.messages] == ["customer", "bank", "bank"]  # no staff names for customers
    assert all(m.read_at is not None for m in thread.messages)
    assert bank.run(messages.list_threads, alice, ThreadQuery(), readonly=True).unread == 0

    bank.run(messages.send, alice, MessageSend(thread_id=tid, body="Thank you, it came."))
    assert inbox_threads(bank, teller)[tid].unread == 1


def test_threads_page_newest_activity_first(bank: Bank, staff: Staff) -> None:
    _, alice = a_customer(bank, staff["teller"].actor)
    tids = [bank.run(messages.send, alice, new_thread(f"Question {i}")).thread_id for i in range(3)]
    bank.run(messages.send, alice, MessageSend(thread_id=tids[0], body="And one more thing."))
    first = bank.run(messages.list_threads, alice, ThreadQuery(limit=2), readonly=True)
    second = bank.run(
        messages.list_threads, alice, ThreadQuery(limit=2, cursor=first.next_cursor), readonly=True
    )
    assert [t.thread_id for t in first.items + second.items] == [tids[0], tids[2], tids[1]]
    assert second.next_cursor is None and first.items[0].messages == 2
    with pytest.raises(CoreBankError):
        bank.run(messages.list_threads, alice, ThreadQuery(cursor="abc"), readonly=True)


def test_staff_of_another_branch_cannot_reach_the_customers_messages(bank: Bank, staff: Staff) -> None:
    teller, east = staff["teller"].actor, staff["east_teller"].actor
    number, alice = a_customer(bank, teller)  # a customer of head office 0001
    tid = bank.run(messages.send, alice, new_thread("Branch hours", "Are you open on Saturday?")).thread_id

    refused(bank, OutOfScope, "OUT_OF_BRANCH_SCOPE", messages.staff_thread, east, tid)
    refused(bank, OutOfScope, "OUT_OF_BRANCH_SCOPE", messages.customer_threads, east, number, ThreadQuery())
    refused(bank, OutOfScope, "OUT_OF_BRANCH_SCOPE", messages.mark_read, east, tid)
    refused(
        bank,
        OutOfScope,
        "OUT_OF_BRANCH_SCOPE",
        messages.reply,
        east,
        StaffMessage(customer_number=number, thread_id=tid, body="Yes, 9 to 5."),
    )
    assert tid not in inbox_threads(bank, east)
    assert tid in inbox_threads(bank, teller)
    assert bank.run(messages.staff_thread, teller, tid, readonly=True).messages[0].read_at is None


def test_writing_needs_customer_write_and_the_customers_own_thread(bank: Bank, staff: Staff) -> None:
    teller, auditor = staff["teller"].actor, staff["auditor"].actor
    number, alice = a_customer(bank, teller)
    other, _ = a_customer(bank, teller)
    tid = bank.run(messages.send, alice, new_thread()).thread_id
    assert bank.run(messages.staff_thread, auditor, tid, readonly=True).thread_id == tid  # reading is allowed
    refused(
        bank,
        PermissionDenied,
        "PERMISSION_DENIED",
        messages.reply,
        auditor,
        StaffMessage(customer_number=number, thread_id=tid, body="Noted."),
    )
    refused(bank, PermissionDenied, "PERMISSION_DENIED", messages.mark_read, auditor, tid)
    # A thread named with another customer's number is not found for that customer.
    refused(
        bank,
        NotFound,
        "MESSAGE_THREAD_NOT_FOUND",
        messages.reply,
        teller,
        StaffMessage(customer_number=other, thread_id=tid, body="Noted."),
    )

    started = bank.run(
        messages.reply,
        teller,
        StaffMessage(customer_number=number, subject="Your new card", body="It is ready at the counter."),
    )
    assert started.thread_id == started.message_id and started.direction == "out"
    assert audits(bank, "message.reply", started.message_id) == 1
    page = bank.run(messages.list_threads, alice, ThreadQuery(), readonly=True)
    assert page.items[0].thread_id == started.thread_id and page.items[0].unread == 1
