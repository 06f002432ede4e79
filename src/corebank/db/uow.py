"""The unit of work: one database transaction around one business command, and the only committer.

Services receive a `UnitOfWork` with an open session; they read and write through it and never commit.
At commit the unit of work writes the audit records (hash-chained) and outbox events collected during the
command, then commits. Transient conflicts (SQLite busy, PostgreSQL serialization failure or deadlock, a
unique-key race) roll back and re-run the whole command.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session

from corebank.db.base import table_of
from corebank.db.fastsql import FastSQL, to_json
from corebank.db.models import BankState
from corebank.kernel.clock import SystemClock, WallClock
from corebank.kernel.errors import BookingsClosed, CoreBankError
from corebank.kernel.events import Event

log = logging.getLogger("corebank.uow")
T = TypeVar("T")
GENESIS = "0" * 64
TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03"}


@dataclass(slots=True)
class PendingAudit:
    actor: str
    channel: str
    branch_code: str | None
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]


@dataclass
class UnitOfWork:
    """An open transaction plus what the command wants recorded when it commits."""

    session: Session
    clock: WallClock
    settings: Any
    events: list[Event] = field(default_factory=list)
    audits: list[PendingAudit] = field(default_factory=list)
    _business_date: date | None = None
    _phase: str = "open"
    # True only for end of day's own commands: they book into the date it is closing.
    eod: bool = False
    _now: datetime | None = None
    _conn: Connection | None = None

    @property
    def conn(self) -> Connection:
        """The transaction's connection. Hot-path and set-based statements run here as SQLAlchemy Core,
        skipping the ORM's per-statement bookkeeping (measured: most of a transfer's CPU time)."""
        # Core statements do not autoflush: write pending ORM changes first so that they see them.
        if not self.session._is_clean():
            self.session.flush()
        if self._conn is None:
            self._conn = self.session.connection()
        return self._conn

    def prime_business_date(self, value: date | None, phase: str) -> None:
        """Take the business date and its phase from a query that fetched them alongside other rows (saves a
        round trip)."""
        if value is not None and self._business_date is None:
            self._business_date, self._phase = value, phase

    @property
    def business_date(self) -> date:
        """The bank's business date, read once per transaction."""
        if self._business_date is None:
            row = self.conn.execute(_BUSINESS_DATE).first()
            if row is None:
                raise CoreBankError("the bank is not initialized: run `corebank init`")
            self._business_date, self._phase = row[0], row[1]
        return self._business_date

    @property
    def phase(self) -> str:
        """`open`, or `closing` while end of day closes the business date (read with the date)."""
        if self._business_date is None:
            self.business_date  # noqa: B018 - reads the date and the phase in one query
        return self._phase

    def check_bookings_open(self) -> None:
        """Refuse a booking while end of day closes the business date (its own bookings excepted)."""
        if self.phase != "open" and not self.eod:
            raise BookingsClosed(
                f"end of day is closing business date {self._business_date}; bookings reopen on the next date"
            )

    @property
    def now(self) -> datetime:
        """One wall-clock timestamp for the whole command."""
        if self._now is None:
            self._now = self.clock.now()
        return self._now

    def publish(self, event: Event) -> None:
        """Queue an event for the outbox, written in this transaction."""
        self.events.append(event)

    def audit(
        self,
        actor: Any,
        action: str,
        object_type: str,
        object_id: str | int,
        **detail: Any,
    ) -> None:
        """Record a state change (or login) for the hash-chained audit trail."""
        self.audits.append(
            PendingAudit(
                actor=getattr(actor, "username", str(actor)),
                channel=getattr(actor, "channel", "system"),
                branch_code=getattr(actor, "branch_code", None),
                action=action,
                object_type=object_type,
                object_id=str(object_id),
                detail=detail,
            )
        )

    def _flush_outbox_and_audit(self) -> None:
        if self.events:
            bd = self.business_date
            _INSERT_OUTBOX.executemany(
                self,
                [
                    {
                        "name": e.name,
                        "aggregate": e.aggregate,
                        "aggregate_id": e.aggregate_id,
                        "payload": to_json(e.payload),
                        "business_date": bd,
                        "created_at": self.now,
                    }
                    for e in self.events
                ],
            )
        if self.audits:
            self._append_audit()

    def _append_audit(self) -> None:
        # The head row is locked last and held only until commit, so concurrent commands queue briefly here
        # instead of forking the chain.
        seq, prev = _LOCK_AUDIT_HEAD.execute(self, {}).fetchone()
        rows = []
        for a in self.audits:
            seq += 1
            row = {
                "seq": seq,
                "at": self.now,
                "actor": a.actor,
                "channel": a.channel,
                "branch_code": a.branch_code,
                "action": a.action,
                "object_type": a.object_type,
                "object_id": a.object_id,
                "detail": json.dumps(a.detail, sort_keys=True, default=str, ensure_ascii=False),
            }
            row["prev_hash"] = prev
            row["hash"] = prev = audit_hash(prev, row)
            rows.append(row)
        _INSERT_AUDIT.executemany(self, rows)
        _MOVE_AUDIT_HEAD.execute(self, {"new_seq": seq, "new_hash": prev})


_bank_state = table_of(BankState)
_BUSINESS_DATE = select(_bank_state.c.business_date, _bank_state.c.phase).where(_bank_state.c.id == 1)
_INSERT_OUTBOX = FastSQL("""
    INSERT INTO outbox_events (name, aggregate, aggregate_id, payload, business_date, created_at)
    VALUES (:name, :aggregate, :aggregate_id, :payload::json, :business_date, :created_at)
""")
_INSERT_AUDIT = FastSQL("""
    INSERT INTO audit_log (seq, at, actor, channel, branch_code, action, object_type, object_id, detail,
                           prev_hash, hash)
    VALUES (:seq, :at, :actor, :channel, :branch_code, :action, :object_type, :object_id, :detail,
            :prev_hash, :hash)
""")
# Locked last and held only until commit, so concurrent commands queue briefly here instead of forking the chain.
_LOCK_AUDIT_HEAD = FastSQL("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE")
_MOVE_AUDIT_HEAD = FastSQL("UPDATE audit_head SET seq = :new_seq, hash = :new_hash WHERE id = 1")


def _utc_text(at: Any) -> str:
    # One spelling of the instant whatever the driver hands back: SQLite gives naive UTC, PostgreSQL gives an
    # aware value in the session's time zone, and isoformat() drops zero microseconds.
    if isinstance(at, datetime):
        if at.tzinfo is not None:
            at = at.astimezone(UTC).replace(tzinfo=None)
        return at.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return str(at)


def audit_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """sha256 over the previous hash and the record's canonical content."""
    at_text = _utc_text(row["at"])
    content = "|".join(
        [
            prev_hash,
            str(row["seq"]),
            at_text,
            row["actor"],
            row["channel"],
            row["branch_code"] or "",
            row["action"],
            row["object_type"],
            row["object_id"],
            row["detail"],
        ]
    )
    return hashlib.sha256(content.encode()).hexdigest()


def is_transient(exc: BaseException) -> bool:
    """True for conflicts that a retry of the whole command can clear."""
    if isinstance(exc, IntegrityError):
        return True  # a unique-key race: the retry's own checks turn it into a clear business error
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True  # the server closed the connection (restart, idle timeout): a fresh one will do
    if isinstance(exc, OperationalError | DBAPIError):
        orig = getattr(exc, "orig", None)
        state = getattr(orig, "sqlstate", None) or getattr(getattr(orig, "diag", None), "sqlstate", None)
        if state in TRANSIENT_SQLSTATES:
            return True
        text = str(orig).lower()
        return "database is locked" in text or "database is busy" in text
    return False


class UnitOfWorkFactory:
    """Runs business commands, each in its own transaction, retrying transient conflicts."""

    def __init__(self, engine: Engine, settings: Any, clock: WallClock | None = None, attempts: int = 6):
        self.engine = engine
        self.settings = settings
        self.clock = clock or SystemClock()
        self.attempts = attempts
        self._readonly_engine = engine.execution_options(readonly=True)
        # SQLite admits one writer at a time. Writers of this process queue on a lock instead of colliding in
        # BEGIN IMMEDIATE, where SQLite's busy handler makes them sleep and poll (measured: a tenth of a loaded
        # server's time). Other processes (the CLI beside a server) still meet the busy timeout.
        self._writer = threading.RLock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()

    def run(
        self, fn: Callable[..., T], *args: Any, readonly: bool = False, eod: bool = False, **kwargs: Any
    ) -> T:
        """Run `fn(uow, *args, **kwargs)` in one transaction and commit; re-run on a transient conflict.
        `eod` marks end of day's own commands, which may book while the business date is closing."""
        for attempt in range(1, self.attempts + 1):
            with (
                contextlib.nullcontext() if readonly else self._writer,
                Session(self._readonly_engine if readonly else self.engine, expire_on_commit=False) as s,
            ):
                uow = UnitOfWork(session=s, clock=self.clock, settings=self.settings, eod=eod)
                try:
                    result = fn(uow, *args, **kwargs)
                    if not readonly:
                        uow._flush_outbox_and_audit()
                    s.commit()
                    return result
                except CoreBankError:
                    s.rollback()
                    raise
                except Exception as exc:
                    s.rollback()
                    if attempt < self.attempts and is_transient(exc):
                        log.info(
                            "transient conflict, retrying (attempt %d): %s", attempt, exc.__class__.__name__
                        )
                        time.sleep(random.uniform(0, 0.01 * attempt))
                        continue
                    raise
        raise AssertionError("unreachable")

    def session(self) -> Session:
        """A plain session for administrative scripts and tests that only read."""
        return Session(self._readonly_engine)
