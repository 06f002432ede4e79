"""The link to the clearing house (the I/O adapter): send our created payments as pacs.008 and our pending
returns as pacs.004, and apply the pacs.002 answers. It runs outside any unit of work: one transaction
claims the work, the HTTP call happens with no transaction open, another transaction applies the answer.

Claiming gives each payment its message id before anything is sent, and a payment keeps it until the clearing
house answers. A network failure leaves the payment `created` with that message id, and the next pass sends
the same message again: the clearing house answers a repeated message id with its first answer, so a payment
is never settled twice nor refunded after it settled.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from sqlalchemy import and_, or_, select, update

from corebank import iso20022
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import Conflict
from corebank.kernel.money import minor_to_text
from corebank.operations import calendar
from corebank.payments import inbound, interbank
from corebank.payments import interbank_rules as rules
from corebank.payments.interbank_schemas import SendCounts
from corebank.security import SYSTEM, Actor, P

log = logging.getLogger("corebank.clearing_link")
T = TypeVar("T")
ib = interbank.ib
HVPS_PER_MESSAGE = 1  # HVPS settles gross: one payment per message
BEPS_PER_MESSAGE = 1000
RETURNS_PER_MESSAGE = 1000
# The clearing house as it acts here: it may apply clearing steps and read payments, nothing else.
CLEARING_ACTOR = Actor(
    "clearing",
    None,
    ("clearing",),
    SYSTEM.branch_code,
    "clearing",
    frozenset({P.PAYMENT_OPERATE, P.PAYMENT_READ}),
    None,
)
# One sender at a time in this process (the background thread and the after-request task).
_sending = threading.Lock()


class Runs(Protocol):
    """A bank: runs a function in one unit of work (bootstrap.Bank)."""

    def run(self, fn: Callable[..., T], *args: Any, readonly: bool = False, **kwargs: Any) -> T: ...


# An httpx.Client-like client: `post(url, content=, headers=)` answering `.status_code`, `.content`
# (a Starlette TestClient of the simulator app in tests).
Poster = Any


@dataclass(frozen=True)
class Outgoing:
    msg_id: str
    kind: str  # pacs.008 | pacs.004
    xml: bytes
    count: int


# ---------------------------------------------------------------- claiming (one transaction)


def _hvps_open_now(uow: UnitOfWork) -> bool:
    s = uow.settings
    wall = rules.local_time(uow.now, rules.bank_zone(s.bank_timezone))
    working = calendar.is_working_day(uow, uow.business_date)
    return rules.hvps_open(wall, working, rules.parse_hhmm(s.hvps_open), rules.parse_hhmm(s.hvps_close))


def _claim(uow: UnitOfWork, ids: list[int], msg_id: str, **extra: Any) -> None:
    done = uow.conn.execute(
        update(ib)
        .where(ib.c.id.in_(ids), ib.c.msg_id.is_(None), ib.c.status == "created")
        .values(msg_id=msg_id, updated_at=uow.now, **extra)
    )
    if done.rowcount != len(ids):
        raise Conflict("another sender claimed some of these payments; try again")


def claim_outbound(uow: UnitOfWork, *, limit: int = 5000) -> list[Outgoing]:
    """Give message ids to created payments due by the business date (HVPS only while it is open), at most
    `limit`, and build every pacs.008 still waiting for an answer (those just claimed and earlier ones)."""
    today = uow.business_date
    due = [ib.c.system == rules.BEPS]
    if _hvps_open_now(uow):
        due.append(ib.c.system == rules.HVPS)
    rows = uow.conn.execute(
        select(ib.c.id, ib.c.system)
        .where(
            ib.c.direction == "out",
            ib.c.status == "created",
            ib.c.msg_id.is_(None),
            ib.c.value_date <= today,
            or_(*due),
        )
        .order_by(ib.c.id)
        .limit(limit)
    ).all()
    beps = [r.id for r in rows if r.system == rules.BEPS]
    for r in rows:
        if r.system == rules.HVPS:
            _claim(uow, [r.id], interbank.new_id(uow, "M"), value_date=today)
    for i in range(0, len(beps), BEPS_PER_MESSAGE):
        _claim(uow, beps[i : i + BEPS_PER_MESSAGE], interbank.new_id(uow, "M"), value_date=today)
    waiting = uow.conn.execute(
        select(ib)
        .where(ib.c.direction == "out", ib.c.status == "created", ib.c.msg_id.is_not(None))
        .order_by(ib.c.msg_id, ib.c.id)
        .limit(limit + BEPS_PER_MESSAGE)
    ).all()
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in waiting:
        groups[row.msg_id].append(row)
    bank = uow.settings.bank_code
    return [
        Outgoing(
            msg_id,
            "pacs.008",
            iso20022.build_pacs008(
                iso20022.Pacs008(
                    msg_id=msg_id,
                    created_at=uow.now,
                    settlement_date=group[0].value_date,
                    system=group[0].system,
                    instructing_agent=bank,
                    instructed_agent=iso20022.CLEARING_BANK_CODE,
                    transactions=tuple(_transfer(r) for r in group),
                )
            ),
            len(group),
        )
        for msg_id, group in groups.items()
    ]


def _amount(row: Any) -> Decimal:
    return Decimal(minor_to_text(row.amount, row.currency))


def _transfer(row: Any) -> iso20022.CreditTransfer:
    return iso20022.CreditTransfer(
        tx_id=row.tx_id,
        end_to_end_id=row.end_to_end_id,
        amount=_amount(row),
        currency=row.currency,
        debtor=iso20022.Party(row.debtor_name, row.debtor_account, row.debtor_bank_code),
        creditor=iso20022.Party(row.creditor_name, row.creditor_account, row.creditor_bank_code),
        remittance=row.remittance,
    )


def claim_returns(uow: UnitOfWork, *, limit: int = 5000) -> list[Outgoing]:
    """Give return ids and message ids to inbound credits held for return, and build every pacs.004 still
    waiting for an answer."""
    fresh = (
        uow.conn.execute(
            select(ib.c.id)
            .where(ib.c.direction == "in", ib.c.status == "return_pending", ib.c.return_msg_id.is_(None))
            .order_by(ib.c.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    for i in range(0, len(fresh), RETURNS_PER_MESSAGE):
        msg_id = interbank.new_id(uow, "M")
        for pid in fresh[i : i + RETURNS_PER_MESSAGE]:
            uow.conn.execute(
                update(ib)
                .where(ib.c.id == pid, ib.c.return_msg_id.is_(None))
                .values(
                    return_id=interbank.new_id(uow, "R"),
                    return_msg_id=msg_id,
                    return_date=uow.business_date,
                    updated_at=uow.now,
                )
            )
    waiting = uow.conn.execute(
        select(ib)
        .where(and_(ib.c.direction == "in", ib.c.status == "return_pending", ib.c.return_msg_id.is_not(None)))
        .order_by(ib.c.return_msg_id, ib.c.id)
        .limit(limit + RETURNS_PER_MESSAGE)
    ).all()
    groups: dict[str, list[Any]] = defaultdict(list)
    for row in waiting:
        groups[row.return_msg_id].append(row)
    bank = uow.settings.bank_code
    return [
        Outgoing(
            msg_id,
            "pacs.004",
            iso20022.build_pacs004(
                iso20022.Pacs004(
                    msg_id=msg_id,
                    created_at=uow.now,
                    settlement_date=group[0].return_date or uow.business_date,
                    instructing_agent=bank,
                    instructed_agent=iso20022.CLEARING_BANK_CODE,
                    returns=tuple(_return(r) for r in group),
                )
            ),
            len(group),
        )
        for msg_id, group in groups.items()
    ]


def _return(row: Any) -> iso20022.PaymentReturn:
    return iso20022.PaymentReturn(
        return_id=row.return_id,
        original_msg_id=row.msg_id or "",
        original_tx_id=row.tx_id,
        original_end_to_end_id=row.end_to_end_id,
        amount=_amount(row),
        currency=row.currency,
        reason=row.reason_code or inbound.OTHER,
        debtor=iso20022.Party(row.debtor_name, row.debtor_account, row.debtor_bank_code),
        creditor=iso20022.Party(row.creditor_name, row.creditor_account, row.creditor_bank_code),
    )


# ---------------------------------------------------------------- sending (no transaction open)


def _apply(uow: UnitOfWork, report: iso20022.Pacs002) -> dict[str, int]:
    """Apply the clearing house's answer; count what it said per status."""
    inbound.apply_status_report(uow, CLEARING_ACTOR, report)
    said: dict[str, int] = defaultdict(int)
    for st in report.statuses:
        said[st.status] += 1
    return dict(said)


def send_pending(bank: Runs, client: Poster, *, limit: int = 5000) -> SendCounts:
    """One pass: send what is due to `{clearing_url}/messages` and apply each answer. A message the clearing
    house does not answer (network down, server error) stays claimed for the next pass. The client carries
    the timeout (settings.clearing_timeout_seconds for the ones made here)."""
    counts = SendCounts()
    with _sending:
        outgoing = bank.run(claim_outbound, limit=limit) + bank.run(claim_returns, limit=limit)
        if not outgoing:
            return counts
        settings = _settings_of(bank)
        url = f"{str(settings.clearing_url).rstrip('/')}/messages"
        headers = {"X-Clearing-Token": settings.clearing_token, "Content-Type": "application/xml"}
        for msg in outgoing:
            counts.messages += 1
            try:
                answer = client.post(url, content=msg.xml, headers=headers)
            except Exception as exc:  # the network: the message stays claimed and goes again next pass
                log.warning("clearing unreachable sending %s %s: %s", msg.kind, msg.msg_id, exc)
                counts.failed_messages += 1
                continue
            if answer.status_code != 200:
                log.error(
                    "clearing refused %s %s: %s %s", msg.kind, msg.msg_id, answer.status_code, answer.text
                )
                counts.failed_messages += 1
                continue
            report = iso20022.parse_pacs002(answer.content)
            try:
                said = bank.run(_apply, report)
            except Exception:  # one answer the books refuse must not hold back the others
                log.exception(
                    "could not apply clearing's answer to %s %s; it is asked again", msg.kind, msg.msg_id
                )
                counts.failed_messages += 1
                continue
            if msg.kind == "pacs.008":
                counts.sent += msg.count
                counts.settled += said.get(iso20022.ACSC, 0)
                counts.accepted += said.get(iso20022.ACSP, 0)
                counts.rejected += said.get(iso20022.RJCT, 0)
            else:
                counts.returns_sent += msg.count
                counts.returns_settled += said.get(iso20022.ACSC, 0)
    return counts


def _settings_of(bank: Runs) -> Any:
    settings = getattr(bank, "settings", None)
    if settings is None:
        settings = bank.run(lambda uow: uow.settings, readonly=True)
    return settings


def try_send(bank: Runs, client: Poster | None = None) -> SendCounts | None:
    """Send now if clearing can be reached; never raises (used after a request, and by the sender thread)."""
    try:
        if client is not None:
            return send_pending(bank, client)
        import httpx

        with httpx.Client(timeout=_settings_of(bank).clearing_timeout_seconds) as c:
            return send_pending(bank, c)
    except Exception:  # the request that triggered it succeeded; the sender retries later
        log.exception("sending to clearing failed")
        return None


class Sender:
    """A background thread that sends to clearing every `interval` seconds (started by `corebank serve`)."""

    def __init__(self, bank: Runs, interval: float):
        self.bank, self.interval = bank, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="clearing-sender", daemon=True)

    def start(self) -> Sender:
        """Start the loop; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the loop to end and wait for it briefly."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        import httpx

        with httpx.Client(timeout=_settings_of(self.bank).clearing_timeout_seconds) as client:
            while not self._stop.wait(self.interval):
                try_send(self.bank, client)
