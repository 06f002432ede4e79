"""Secure messages between the bank and its customers (网银站内信): the customer writes in internet banking, the
counter answers, each side sees what the other has not read yet.

A thread is a first message and its replies (`thread_id` is the first message's id). The customer's use cases
take the customer actor and only ever see that customer's threads: another customer's thread, or one that does
not exist, is answered alike with NotYours (NOT_FOUND) and nothing changes. Staff read with P.CUSTOMER_READ and
write (reply, mark read) with P.CUSTOMER_WRITE, and only for customers whose home branch is in their scope, as
customer reads are scoped; the bank's inbox lists the threads, in the reader's branches, whose last word is the
customer's. Every change is audited, without the text itself (the audit trail is read more widely than the
messages are).

Messages are plain text: the pages escape them on output; here control characters other than line breaks and
tabs are dropped, line ends normalised, and the length limits checked after trimming.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, case, func, select

from corebank import customers
from corebank.channels import me, registry
from corebank.channels.errors import NotYours
from corebank.channels.message_models import CustomerMessage
from corebank.channels.message_schemas import (
    MAX_BODY,
    MAX_SUBJECT,
    MessageRead,
    MessageSend,
    StaffMessage,
    ThreadPage,
    ThreadQuery,
    ThreadRead,
    ThreadSummary,
)
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest, NotFound
from corebank.security import Actor, P

IN = "in"  # from the customer
OUT = "out"  # from the bank
CUSTOMER_AUTHOR = "customer"
BANK_AUTHOR = "bank"  # how the customer sees the bank's author: staff usernames are not shown to customers


class MessageEmpty(InvalidRequest):
    code = "MESSAGE_EMPTY"
    title = "The message is empty"


class MessageTooLong(InvalidRequest):
    code = "MESSAGE_TOO_LONG"
    title = "The message is too long"


class ThreadNotFound(NotFound):
    code = "MESSAGE_THREAD_NOT_FOUND"
    title = "No such message thread"


# ---------------------------------------------------------------------------------------------- checks


def plain_text(text: str, *, one_line: bool = False) -> str:
    """`text` as stored: line ends as "\\n", no control characters but line breaks and tabs, trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if one_line:
        text = " ".join(text.split())
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return kept.strip()


def checked(cmd: MessageSend) -> tuple[str, str]:
    """(subject, body) of a message after the checks: a body, and a subject for a new thread, within limits."""
    body = plain_text(cmd.body)
    subject = plain_text(cmd.subject, one_line=True)
    if not body:
        raise MessageEmpty("write something in the message")
    if len(body) > MAX_BODY:
        raise MessageTooLong(f"the message has {len(body)} characters; at most {MAX_BODY} are allowed")
    if cmd.thread_id is None:
        if not subject:
            raise MessageEmpty("a new message needs a subject")
        if len(subject) > MAX_SUBJECT:
            raise MessageTooLong(
                f"the subject has {len(subject)} characters; at most {MAX_SUBJECT} are allowed"
            )
    return subject, body


def _cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not cursor.isdigit():
        raise InvalidRequest("cursor is not one this service gave out")
    return int(cursor)


# ---------------------------------------------------------------------------------------------- reading


def _read(m: CustomerMessage, *, for_customer: bool) -> MessageRead:
    author = BANK_AUTHOR if for_customer and m.direction == OUT else m.author
    return MessageRead(
        message_id=m.id,
        thread_id=m.thread_id,
        direction=IN if m.direction == IN else OUT,
        subject=m.subject,
        body=m.body,
        author=author,
        created_at=m.created_at,
        read_at=m.read_at,
    )


def _messages(uow: UnitOfWork, thread_id: int) -> list[CustomerMessage]:
    """The thread's messages, oldest first (empty when there is no such thread)."""
    return list(
        uow.session.execute(
            select(CustomerMessage).where(CustomerMessage.thread_id == thread_id).order_by(CustomerMessage.id)
        ).scalars()
    )


def _thread_read(uow: UnitOfWork, msgs: list[CustomerMessage], *, for_customer: bool) -> ThreadRead:
    head = msgs[0]
    number, name = customers.customer_names(uow, [head.customer_id]).get(head.customer_id, ("", ""))
    return ThreadRead(
        thread_id=head.thread_id,
        subject=head.subject,
        customer_number=number,
        customer_name=name,
        messages=[_read(m, for_customer=for_customer) for m in msgs],
        waiting=msgs[-1].direction == IN,
    )


def _summaries(uow: UnitOfWork, page: Sequence[tuple[int, int]], unread_from: str) -> list[ThreadSummary]:
    """Summaries of the threads (thread id, last message id) in `page`, in its order; `unread_from` is the
    direction whose unread messages count for the reader. Three queries, whatever the page's size."""
    if not page:
        return []
    tids = [t for t, _ in page]
    unread = func.sum(
        case((and_(CustomerMessage.direction == unread_from, CustomerMessage.read_at.is_(None)), 1), else_=0)
    )
    stats = {
        r.thread_id: (int(r.n), int(r.unread or 0))
        for r in uow.session.execute(
            select(CustomerMessage.thread_id, func.count().label("n"), unread.label("unread"))
            .where(CustomerMessage.thread_id.in_(tids))
            .group_by(CustomerMessage.thread_id)
        )
    }
    wanted = set(tids) | {last for _, last in page}
    rows = {
        m.id: m
        for m in uow.session.execute(select(CustomerMessage).where(CustomerMessage.id.in_(wanted))).scalars()
    }
    names = customers.customer_names(uow, sorted({rows[t].customer_id for t in tids}))
    out = []
    for tid, last_id in page:
        head, last = rows[tid], rows[last_id]
        number, name = names.get(head.customer_id, ("", ""))
        n, u = stats.get(tid, (0, 0))
        out.append(
            ThreadSummary(
                thread_id=tid,
                subject=head.subject,
                customer_number=number,
                customer_name=name,
                messages=n,
                unread=u,
                last_direction=IN if last.direction == IN else OUT,
                last_at=last.created_at,
                waiting=last.direction == IN,
            )
        )
    return out


def _threads_of(uow: UnitOfWork, customer_id: int, query: ThreadQuery, unread_from: str) -> ThreadPage:
    """A customer's threads, newest activity first, with the unread messages from `unread_from`."""
    last = func.max(CustomerMessage.id)
    q = (
        select(CustomerMessage.thread_id, last.label("last_id"))
        .where(CustomerMessage.customer_id == customer_id)
        .group_by(CustomerMessage.thread_id)
    )
    after = _cursor(query.cursor)
    if after is not None:
        q = q.having(last < after)
    rows = [
        (r.thread_id, r.last_id) for r in uow.session.execute(q.order_by(last.desc()).limit(query.limit + 1))
    ]
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    total = uow.session.execute(
        select(func.count()).where(
            CustomerMessage.customer_id == customer_id,
            CustomerMessage.direction == unread_from,
            CustomerMessage.read_at.is_(None),
        )
    ).scalar_one()
    return ThreadPage(
        items=_summaries(uow, rows, unread_from),
        next_cursor=str(rows[-1][1]) if more and rows else None,
        unread=int(total),
    )


def _add(
    uow: UnitOfWork,
    *,
    customer_id: int,
    thread_id: int | None,
    direction: str,
    subject: str,
    body: str,
    author: str,
    branch_code: str,
) -> CustomerMessage:
    m = CustomerMessage(
        customer_id=customer_id,
        thread_id=thread_id or 0,
        direction=direction,
        subject=subject,
        body=body,
        author=author,
        branch_code=branch_code,
        created_at=uow.now,
        read_at=None,
    )
    uow.session.add(m)
    uow.session.flush()
    if thread_id is None:
        m.thread_id = m.id  # a new thread is named by its first message
        uow.session.flush()
    return m


def _mark_read(uow: UnitOfWork, msgs: list[CustomerMessage], direction: str) -> int:
    """Mark the unread messages from `direction` read now; how many were."""
    n = 0
    for m in msgs:
        if m.direction == direction and m.read_at is None:
            m.read_at = uow.now
            n += 1
    if n:
        uow.session.flush()
    return n


# ---------------------------------------------------------------------------------------------- the customer


def list_threads(uow: UnitOfWork, actor: Actor, cmd: ThreadQuery) -> ThreadPage:
    """The customer's own threads, newest activity first, each with the bank's messages not yet read, and the
    total of those (the unread badge); follow `next_cursor`."""
    registry.require_open(uow, actor.channel, me.SETTINGS)
    return _threads_of(uow, me.customer_of(actor), cmd, OUT)


def _own_thread(uow: UnitOfWork, actor: Actor, thread_id: int) -> list[CustomerMessage]:
    msgs = _messages(uow, thread_id)
    if not msgs or msgs[0].customer_id != me.customer_of(actor):
        raise NotYours(f"no message thread {thread_id}")
    return msgs


def read_thread(uow: UnitOfWork, actor: Actor, thread_id: int) -> ThreadRead:
    """One of the customer's own threads, oldest message first; the bank's messages in it are now read."""
    registry.require_open(uow, actor.channel, me.SETTINGS)
    msgs = _own_thread(uow, actor, thread_id)
    n = _mark_read(uow, msgs, OUT)
    if n:
        uow.audit(actor, "message.read", "message_thread", thread_id, messages=n)
    return _thread_read(uow, msgs, for_customer=True)


def send(uow: UnitOfWork, actor: Actor, cmd: MessageSend) -> MessageRead:
    """The customer writes to the bank: a new thread, or a reply in one of their own threads."""
    registry.require_open(uow, actor.channel, me.SETTINGS)
    cid = me.customer_of(actor)
    subject, body = checked(cmd)
    thread_id = None
    if cmd.thread_id is not None:
        head = _own_thread(uow, actor, cmd.thread_id)[0]
        thread_id, subject = head.thread_id, head.subject
    branch = customers.customer_ref_by_id(uow, cid).home_branch
    m = _add(
        uow,
        customer_id=cid,
        thread_id=thread_id,
        direction=IN,
        subject=subject,
        body=body,
        author=CUSTOMER_AUTHOR,
        branch_code=branch,
    )
    uow.audit(actor, "message.send", "customer_message", m.id, thread_id=m.thread_id, chars=len(body))
    return _read(m, for_customer=True)


# ---------------------------------------------------------------------------------------------- staff


def _scoped_customer(uow: UnitOfWork, actor: Actor, number: str) -> customers.CustomerRef:
    ref = customers.customer_ref(uow, number, must_be_active=False)
    actor.require_branch(ref.home_branch)
    return ref


def _scoped_thread(uow: UnitOfWork, actor: Actor, thread_id: int) -> list[CustomerMessage]:
    msgs = _messages(uow, thread_id)
    if not msgs:
        raise ThreadNotFound(f"no message thread {thread_id}")
    actor.require_branch(customers.customer_ref_by_id(uow, msgs[0].customer_id).home_branch)
    return msgs


def customer_threads(uow: UnitOfWork, actor: Actor, number: str, cmd: ThreadQuery) -> ThreadPage:
    """A customer's threads for staff, newest activity first, with the customer's messages not yet read."""
    actor.require(P.CUSTOMER_READ)
    ref = _scoped_customer(uow, actor, number)
    return _threads_of(uow, ref.id, cmd, IN)


def bank_inbox(uow: UnitOfWork, actor: Actor, cmd: ThreadQuery) -> ThreadPage:
    """The threads in the reader's branches whose last message is the customer's (the bank owes an answer),
    the longest waiting first; `unread` counts the unread messages of the threads on this page."""
    actor.require(P.CUSTOMER_READ)
    last = (
        select(CustomerMessage.thread_id, func.max(CustomerMessage.id).label("last_id"))
        .group_by(CustomerMessage.thread_id)
        .subquery()
    )
    conds: list[ColumnElement[bool]] = [CustomerMessage.direction == IN]
    if actor.branches is not None:
        conds.append(CustomerMessage.branch_code.in_(sorted(actor.branches)))
    after = _cursor(cmd.cursor)
    if after is not None:
        conds.append(last.c.last_id > after)
    q = (
        select(last.c.thread_id, last.c.last_id)
        .join(CustomerMessage, CustomerMessage.id == last.c.last_id)
        .where(*conds)
        .order_by(last.c.last_id)
        .limit(cmd.limit + 1)
    )
    rows = [(int(r.thread_id), int(r.last_id)) for r in uow.session.execute(q)]
    more = len(rows) > cmd.limit
    rows = rows[: cmd.limit]
    items = _summaries(uow, rows, IN)
    return ThreadPage(
        items=items,
        next_cursor=str(rows[-1][1]) if more and rows else None,
        unread=sum(t.unread for t in items),
    )


def staff_thread(uow: UnitOfWork, actor: Actor, thread_id: int) -> ThreadRead:
    """A thread for staff, oldest message first (reading it marks nothing: see `mark_read`)."""
    actor.require(P.CUSTOMER_READ)
    return _thread_read(uow, _scoped_thread(uow, actor, thread_id), for_customer=False)


def mark_read(uow: UnitOfWork, actor: Actor, thread_id: int) -> ThreadRead:
    """Staff mark the customer's messages in a thread read."""
    actor.require(P.CUSTOMER_WRITE)
    msgs = _scoped_thread(uow, actor, thread_id)
    n = _mark_read(uow, msgs, IN)
    if n:
        uow.audit(actor, "message.read", "message_thread", thread_id, messages=n)
    return _thread_read(uow, msgs, for_customer=False)


def reply(uow: UnitOfWork, actor: Actor, cmd: StaffMessage) -> MessageRead:
    """Staff answer a customer: a reply in one of the customer's threads (whose messages are then read), or,
    without `thread_id`, a new thread the bank starts."""
    actor.require(P.CUSTOMER_WRITE)
    subject, body = checked(cmd)
    ref = _scoped_customer(uow, actor, cmd.customer_number)
    thread_id = None
    if cmd.thread_id is not None:
        msgs = _messages(uow, cmd.thread_id)
        if not msgs or msgs[0].customer_id != ref.id:
            raise ThreadNotFound(f"customer {ref.number} has no message thread {cmd.thread_id}")
        thread_id, subject = msgs[0].thread_id, msgs[0].subject
        _mark_read(uow, msgs, IN)
    m = _add(
        uow,
        customer_id=ref.id,
        thread_id=thread_id,
        direction=OUT,
        subject=subject,
        body=body,
        author=actor.username,
        branch_code=ref.home_branch,
    )
    uow.audit(
        actor,
        "message.reply",
        "customer_message",
        m.id,
        thread_id=m.thread_id,
        customer=ref.number,
        chars=len(body),
    )
    return _read(m, for_customer=False)
