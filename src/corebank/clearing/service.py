"""The clearing house: participants, messages in (see `intake.py`), BEPS cycles, deliveries, settlement files.

One `ClearingHouse` owns the simulator's database. Every write runs under one process lock (and, on SQLite,
BEGIN IMMEDIATE), so balances are read and moved by one writer at a time. HVPS debits the sender's
settlement account only when it covers the amount (AM04 otherwise); BEPS queues up to its single limit and
settles net in `settle_beps` (see `beps.py`); a return settles at once, gross.
"""

from __future__ import annotations

import hmac
import random
import threading
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine, create_engine, make_url
from sqlalchemy.orm import Session

from corebank import iso20022 as iso
from corebank.clearing import beps, delivery, settlement
from corebank.clearing.config import SETTLEMENT_CURRENCY, ClearingSettings, utc
from corebank.clearing.errors import (
    AdminTokenRequired,
    BadToken,
    InstructingAgentMismatch,
    InvalidParticipant,
    MessageNotAccepted,
    NotAddressedToClearing,
    ParticipantExists,
    ParticipantNotFound,
    ParticipantSuspended,
)
from corebank.clearing.intake import CreditIntake, ReturnIntake, decimal_amount, new_msg_id
from corebank.clearing.models import ClearingBase, Message, Participant
from corebank.kernel.clock import SystemClock, WallClock
from corebank.kernel.errors import InvalidAmount
from corebank.kernel.money import Money

CLEARING = iso.CLEARING_BANK_CODE
PACS008 = iso.PACS008
PACS004 = iso.PACS004


@dataclass(frozen=True)
class ParticipantView:
    """A participant as the admin lists it."""

    code: str
    name: str
    url: str
    balance: Decimal
    status: str


def make_engine(url: str) -> Engine:
    """An engine for the simulator's database; SQLite waits for locks and takes the write lock up front."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # let BEGIN below be the only transaction control

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:  # type: ignore[no-untyped-def]
        # A deferred transaction that reads and then writes can fail at once when another process wrote
        # meanwhile; taking the write lock first makes every writer wait its turn instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class ClearingHouse:
    """The simulated CNAPS: one database, one writer at a time, deliveries through `deliver`."""

    def __init__(
        self,
        settings: ClearingSettings,
        *,
        deliver: delivery.Deliver | None = None,
        clock: WallClock | None = None,
    ) -> None:
        self.settings = settings
        self.engine = make_engine(settings.database_url)
        ClearingBase.metadata.create_all(self.engine)
        self.lock = threading.RLock()
        self.rng = random.Random(settings.seed)
        self.deliver = deliver or delivery.http_deliverer(timeout=settings.delivery_timeout_seconds)
        self.clock: WallClock = clock or SystemClock()
        # Set when something was queued for delivery, so the background loop pushes it at once.
        self.delivery_wanted = threading.Event()
        self._delivering = threading.Lock()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def now(self) -> datetime:
        """Aware UTC now from the injected clock."""
        return utc(self.clock.now())

    # ---- participants -----------------------------------------------------------------------------------

    def add_participant(
        self, code: str, name: str, url: str, token: str, balance: Decimal | str
    ) -> ParticipantView:
        """Admit a member bank with its opening settlement balance (CNY, not negative)."""
        if not (len(code) == 12 and code.isdigit()) or code == CLEARING:
            raise InvalidParticipant(f"bank code {code!r} must be 12 digits and not the clearing house's own")
        if not name.strip() or not url.startswith(("http://", "https://")) or len(token) < 8:
            raise InvalidParticipant(
                "a participant needs a name, an http(s) URL and a token of 8+ characters"
            )
        money = Money.of(balance if isinstance(balance, str) else str(balance), SETTLEMENT_CURRENCY)
        if money.amount < 0:
            raise InvalidAmount("a settlement balance is not negative")
        with self.lock, Session(self.engine) as session, session.begin():
            taken = session.scalar(
                select(func.count())
                .select_from(Participant)
                .where((Participant.code == code) | (Participant.token == token))
            )
            if taken:
                raise ParticipantExists(f"participant {code} or its token exists")
            session.add(
                Participant(
                    code=code,
                    name=name.strip(),
                    url=url.rstrip("/"),
                    token=token,
                    balance_minor=money.to_minor(),
                    status="active",
                    created_at=self.now(),
                )
            )
        return self.participant(code)

    def participant(self, code: str) -> ParticipantView:
        """One participant with its balance."""
        with Session(self.engine) as session:
            row = session.get(Participant, code)
            if row is None:
                raise ParticipantNotFound(f"no participant {code}")
            return _view(row)

    def participants(self) -> list[ParticipantView]:
        """Every participant by code."""
        with Session(self.engine) as session:
            return [_view(p) for p in session.scalars(select(Participant).order_by(Participant.code))]

    def authenticate(self, token: str | None) -> str:
        """The code of the active participant presenting `token`."""
        if not token:
            raise BadToken("the X-Clearing-Token header is missing")
        with Session(self.engine) as session:
            row = session.scalars(select(Participant).where(Participant.token == token)).first()
        if row is None:
            raise BadToken("no participant has this token")
        if row.status != "active":
            raise ParticipantSuspended(f"participant {row.code} is {row.status}")
        return row.code

    def check_admin(self, token: str | None) -> None:
        """Admin calls need the admin token when one is configured."""
        expected = self.settings.admin_token
        if expected and not (token and _same(token, expected)):
            raise AdminTokenRequired()

    # ---- messages ----------------------------------------------------------------------------------------

    def receive(self, token: str | None, xml: bytes) -> bytes:
        """Take a pacs.008 or pacs.004 from a participant; answer the pacs.002 (the first one again for a
        message id seen before from that participant)."""
        sender = self.authenticate(token)
        name = iso.message_name(xml)
        if name not in (PACS008, PACS004):
            raise MessageNotAccepted(f"a {name} is not something the clearing house takes")
        parsed: iso.Pacs008 | iso.Pacs004 = (
            iso.parse_pacs008(xml) if name == PACS008 else iso.parse_pacs004(xml)
        )
        with self.lock, Session(self.engine) as session, session.begin():
            earlier = session.scalars(
                select(Message.response_xml).where(
                    Message.sender_code == sender, Message.msg_id == parsed.msg_id
                )
            ).first()
            if earlier is not None:
                return earlier
            if parsed.instructing_agent != sender:
                raise InstructingAgentMismatch(
                    f"InstgAgt {parsed.instructing_agent} sent with the token of participant {sender}"
                )
            if parsed.instructed_agent != CLEARING:
                raise NotAddressedToClearing(f"InstdAgt must be {CLEARING}, got {parsed.instructed_agent}")
            now = self.now()
            message = Message(
                sender_code=sender, msg_id=parsed.msg_id, msg_type=name, raw_xml=xml, received_at=now
            )
            session.add(message)
            session.flush()
            if isinstance(parsed, iso.Pacs008):
                statuses = CreditIntake(self.settings, self.rng, session, sender, parsed, now).run()
            else:
                statuses = ReturnIntake(self.settings, self.rng, session, sender, parsed, now).run()
            answer = iso.build_pacs002(
                iso.Pacs002(
                    msg_id=new_msg_id(),
                    created_at=now,
                    original_msg_id=parsed.msg_id,
                    original_msg_type=name,
                    statuses=tuple(statuses),
                )
            )
            message.response_xml = answer
        self.delivery_wanted.set()
        return answer

    # ---- BEPS, deliveries, settlement file ---------------------------------------------------------------

    def settle_beps(self) -> beps.BatchSummary | None:
        """Run one BEPS netting cycle now over everything queued; None when nothing was queued."""
        with self.lock, Session(self.engine) as session, session.begin():
            summary = beps.net_and_settle(session, self.now(), new_msg_id)
        if summary is not None:
            self.delivery_wanted.set()
        return summary

    def deliver_pending(self, *, force: bool = True) -> delivery.DeliveryReport:
        """Push queued deliveries to the banks now (synchronously); `force` ignores the retry back-off."""
        with self._delivering:
            return delivery.deliver_pending(
                self.engine,
                self.lock,
                self.deliver,
                self.now,
                force=force,
                max_backoff_seconds=self.settings.delivery_max_backoff_seconds,
            )

    def settlement_csv(self, participant_code: str, day: date) -> str:
        """The participant's settlement file for `day` (see `settlement.py`)."""
        self.participant(participant_code)
        with Session(self.engine) as session:
            return settlement.settlement_csv(session, participant_code, day)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _view(row: Participant) -> ParticipantView:
    return ParticipantView(row.code, row.name, row.url, decimal_amount(row.balance_minor), row.status)
