"""Outbound pushes to participants: a delivery outbox in the clearing database, emptied over HTTP.

Settlement queues a message for the bank (`queue`); `deliver_pending` posts what is due to each bank's
`{url}/api/v1/clearing/inbound` with the bank's X-Clearing-Token. A 2xx answer marks it delivered; anything else
(or no answer) counts an attempt and waits 2, 4, 8 ... seconds before the next try. Deliveries to one bank go
in the order they were queued, and a failure holds back that bank's later ones, so a bank never hears of a
return before it heard its payment settled.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import httpx
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from corebank.clearing.config import utc
from corebank.clearing.models import Delivery, Participant, Transaction

log = logging.getLogger("corebank.clearing.delivery")

INBOUND_PATH = "/api/v1/clearing/inbound"
# deliver(url, body, token) -> the HTTP status the bank answered; raising counts as no answer.
Deliver = Callable[[str, bytes, str], int]


class _Answer(Protocol):
    status_code: int


class PostingClient(Protocol):
    """What a delivery needs of an HTTP client: httpx.Client, or Starlette's TestClient of a bank app."""

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> _Answer: ...


def http_deliverer(client: PostingClient | None = None, *, timeout: float = 10.0) -> Deliver:
    """A `Deliver` posting over HTTP with httpx, or through `client` (e.g. a TestClient, to route it in-process)."""
    own: PostingClient = client or httpx.Client(timeout=timeout)

    def deliver(url: str, body: bytes, token: str) -> int:
        response = own.post(
            url,
            content=body,
            headers={"Content-Type": "application/xml", "X-Clearing-Token": token},
        )
        return response.status_code

    return deliver


def routed_deliverer(routes: Mapping[str, PostingClient]) -> Deliver:
    """A `Deliver` choosing the client by the bank's base URL (e.g. two in-process banks in one test):
    `routes` maps each participant's URL, as registered, to the client that reaches it."""
    by_base = {base.rstrip("/"): http_deliverer(client) for base, client in routes.items()}

    def deliver(url: str, body: bytes, token: str) -> int:
        base = url.removesuffix(INBOUND_PATH)
        if base not in by_base:
            raise LookupError(f"no route to {base}")
        return by_base[base](url, body, token)

    return deliver


def inbound_url(base: str) -> str:
    """The bank's inbound endpoint under its base URL."""
    return base.rstrip("/") + INBOUND_PATH


def queue(session: Session, *, recipient: str, kind: str, msg_id: str, body: bytes, now: datetime) -> int:
    """Put one message in the outbox for `recipient`; return the delivery id."""
    result = session.execute(
        insert(Delivery)
        .values(
            recipient_code=recipient,
            kind=kind,
            msg_id=msg_id,
            body=body,
            delivered=False,
            attempts=0,
            last_error="",
            created_at=now,
            next_attempt_at=now,
        )
        .returning(Delivery.id)
    )
    return int(result.scalar_one())


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass over the outbox did."""

    delivered: int
    failed: int
    waiting: int  # still undelivered after the pass


@dataclass(frozen=True)
class _Due:
    id: int
    recipient: str
    url: str
    token: str
    body: bytes
    attempts: int
    next_attempt_at: datetime


def _page(engine: Engine, blocked: set[str], after: int, limit: int) -> list[_Due]:
    """The next undelivered messages, oldest first, leaving out the banks held back in this pass."""
    query = (
        select(
            Delivery.id,
            Delivery.recipient_code,
            Participant.url,
            Participant.token,
            Delivery.body,
            Delivery.attempts,
            Delivery.next_attempt_at,
        )
        .join(Participant, Participant.code == Delivery.recipient_code)
        .where(Delivery.delivered.is_(False), Delivery.id > after)
        .order_by(Delivery.id)
        .limit(limit)
    )
    if blocked:
        query = query.where(Delivery.recipient_code.not_in(sorted(blocked)))
    with Session(engine) as session:
        return [_Due(r[0], r[1], r[2], r[3], r[4], r[5], utc(r[6])) for r in session.execute(query)]


def deliver_pending(
    engine: Engine,
    write_lock: threading.RLock,
    deliver: Deliver,
    now: Callable[[], datetime],
    *,
    force: bool = False,
    max_backoff_seconds: float = 60.0,
    page_size: int = 200,
) -> DeliveryReport:
    """Push the due deliveries (every undelivered one when `force`), oldest first per bank, page by page.

    No database transaction is open while a bank is called: the bank may itself be calling the clearing house.
    A bank whose delivery fails (or waits out its back-off) is held back for the rest of the pass.
    """
    started = now()
    delivered = failed = 0
    blocked: set[str] = set()
    after = 0
    while page := _page(engine, blocked, after, page_size):
        for due in page:
            after = due.id
            if due.recipient in blocked:
                continue
            if not force and due.next_attempt_at > started:
                blocked.add(due.recipient)  # an earlier one waits: keep this bank's order
                continue
            status, error = _attempt(deliver, due)
            ok = 200 <= status < 300
            _record(engine, write_lock, due, status, error, ok, now(), max_backoff_seconds)
            if ok:
                delivered += 1
            else:
                failed += 1
                blocked.add(due.recipient)
    with Session(engine) as session:
        waiting = session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.delivered.is_(False))
        )
    return DeliveryReport(delivered=delivered, failed=failed, waiting=int(waiting or 0))


def _attempt(deliver: Deliver, due: _Due) -> tuple[int, str]:
    try:
        return deliver(inbound_url(due.url), due.body, due.token), ""
    except Exception as exc:  # no answer: a refused connection, a timeout, a crash of the receiver
        log.warning("delivery %s to %s failed: %s", due.id, due.recipient, exc)
        return 0, f"{type(exc).__name__}: {exc}"[:500]


def _record(
    engine: Engine,
    write_lock: threading.RLock,
    due: _Due,
    status: int,
    error: str,
    ok: bool,
    at: datetime,
    max_backoff_seconds: float,
) -> None:
    attempts = due.attempts + 1
    backoff = min(2.0**attempts, max_backoff_seconds)
    with write_lock, Session(engine) as session, session.begin():
        session.execute(
            update(Delivery)
            .where(Delivery.id == due.id)
            .values(
                delivered=ok,
                attempts=attempts,
                last_status=status or None,
                last_error="" if ok else (error or f"HTTP {status}"),
                delivered_at=at if ok else None,
                next_attempt_at=at if ok else at + timedelta(seconds=backoff),
            )
        )
        session.execute(
            update(Transaction)
            .where(Transaction.delivery_id == due.id)
            .values(delivered=ok, delivery_attempts=attempts)
        )
