"""The end-of-day runner (日终): closes the business date through an ordered list of steps, then opens the next.

The steps come from the areas' `jobs.py` (see `steps()`). The runner records each run and step in
`eod_runs`/`eod_steps`; a chunked step advances its cursor in the same transaction as the chunk's work, so a
crash (even `kill -9`) loses at most the chunk in flight, and the next `corebank eod run` resumes at that
step and chunk with exactly the books an uninterrupted run would have made. One process runs end of day at
a time: it holds a lease on the run (owner + heartbeat); a second start is refused while the lease lives and
takes over a dead one (a stale heartbeat, or a dead process on this host).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import select, update

from corebank.accounts import jobs as accounts_jobs
from corebank.channels import jobs as channels_jobs
from corebank.db.batch import BatchStep
from corebank.db.models import BankState
from corebank.db.uow import UnitOfWork
from corebank.deposits import jobs as deposits_jobs
from corebank.eod.errors import EodAlreadyRunning, EodLeaseLost, EodStepFailed
from corebank.eod.models import EodRun, EodStep
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.ledger import jobs as ledger_jobs
from corebank.loans import jobs as loans_jobs
from corebank.payments import jobs as payments_jobs
from corebank.security import SYSTEM, Actor, P

log = logging.getLogger("corebank.eod")
T = TypeVar("T")


class Runs(Protocol):
    """What the runner needs of the bank: settings, and running a command in its own transaction."""

    settings: Any

    def run(
        self, fn: Callable[..., T], *args: Any, readonly: bool = False, eod: bool = False, **kwargs: Any
    ) -> T: ...


# ---------------------------------------------------------------- the runner's own steps


def stop_bookings(uow: UnitOfWork, day: date) -> int:
    """Stop new bookings for the closing date: the business date enters its closing phase."""
    done = uow.conn.execute(
        update(BankState).where(BankState.id == 1, BankState.business_date == day).values(phase="closing")
    )
    return int(done.rowcount or 0)


def open_next_day(uow: UnitOfWork, day: date) -> int:
    """Roll the business date to the next calendar day and reopen bookings."""
    done = uow.conn.execute(
        update(BankState)
        .where(BankState.id == 1, BankState.business_date == day)
        .values(business_date=day + timedelta(days=1), phase="open")
    )
    uow.audit(SYSTEM, "eod.business_date", "bank", uow.settings.bank_code, closed=str(day))
    return int(done.rowcount or 0)


def steps() -> tuple[BatchStep, ...]:
    """Every end-of-day step, in the order they run."""
    return (
        BatchStep("eod.stop_bookings", "Stop bookings for the closing date", run=stop_bookings),
        *payments_jobs.EOD_STEPS,
        *channels_jobs.EOD_STEPS,
        *loans_jobs.EOD_STEPS,
        *deposits_jobs.EOD_STEPS,
        *accounts_jobs.EOD_STEPS,
        *ledger_jobs.EOD_STEPS,
        BatchStep("eod.open_next_day", "Roll the business date", run=open_next_day),
    )


# ---------------------------------------------------------------- leases


def new_owner() -> str:
    """This process's identity as a lease owner: host, pid and a random token."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _lease_dead(run: EodRun, now: datetime, lease_seconds: int) -> bool:
    host, _, rest = run.owner.partition(":")
    pid = rest.partition(":")[0]
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            pass
    heartbeat = run.heartbeat_at if run.heartbeat_at.tzinfo else run.heartbeat_at.replace(tzinfo=now.tzinfo)
    return (now - heartbeat).total_seconds() > lease_seconds


def _claim(uow: UnitOfWork, actor: Actor, owner: str, plan: tuple[BatchStep, ...]) -> date:
    """Take the lease on closing today's business date, creating the run and its steps the first time."""
    actor.require(P.EOD_RUN)
    day = uow.business_date
    run = uow.session.execute(select(EodRun).where(EodRun.business_date == day).with_for_update()).scalar()
    if run is None:
        run = EodRun(
            business_date=day,
            status="running",
            owner=owner,
            heartbeat_at=uow.now,
            started_at=uow.now,
            finished_at=None,
            started_by=actor.username,
            detail="",
        )
        uow.session.add(run)
        uow.session.flush()
        uow.audit(actor, "eod.start", "eod", str(day))
    else:
        lease_seconds = int(uow.settings.eod_lease_seconds)
        if run.status == "running" and run.owner != owner and not _lease_dead(run, uow.now, lease_seconds):
            raise EodAlreadyRunning(
                f"end of day for {day} is already running ({run.owner}, started by {run.started_by})"
            )
        uow.audit(actor, "eod.resume", "eod", str(day), previous_owner=run.owner, previous_status=run.status)
        run.status, run.owner, run.heartbeat_at, run.detail = "running", owner, uow.now, ""
    have = set(uow.session.execute(select(EodStep.name).where(EodStep.business_date == day)).scalars())
    for seq, step in enumerate(plan, start=1):
        if step.name not in have:
            uow.session.add(
                EodStep(
                    business_date=day,
                    name=step.name,
                    seq=seq,
                    status="pending",
                    cursor=None,
                    rows=0,
                    chunks=0,
                    started_at=None,
                    finished_at=None,
                    detail="",
                )
            )
    uow.session.flush()
    return day


def _heartbeat(uow: UnitOfWork, day: date, owner: str) -> None:
    """Prove the lease is still ours (and renew it), in the transaction doing the work."""
    done = uow.conn.execute(
        update(EodRun)
        .where(EodRun.business_date == day, EodRun.owner == owner, EodRun.status == "running")
        .values(heartbeat_at=uow.now)
    )
    if done.rowcount != 1:
        raise EodLeaseLost(f"another process took over end of day for {day}")


def _step_row(uow: UnitOfWork, day: date, name: str) -> EodStep:
    row = uow.session.get(EodStep, (day, name))
    assert row is not None
    return row


# ---------------------------------------------------------------- running


@dataclass(frozen=True, slots=True)
class Progress:
    """What the runner reports while it works (the CLI draws a progress bar from it)."""

    day: date
    step: str
    title: str
    done: int  # ids covered so far (chunked) or 0/1
    total: int
    rows: int
    finished: bool = False


Report = Callable[[Progress], None]


def _run_one_shot(uow: UnitOfWork, day: date, owner: str, step: BatchStep) -> int:
    _heartbeat(uow, day, owner)
    assert step.run is not None
    rows = step.run(uow, day)
    st = _step_row(uow, day, step.name)
    st.status, st.rows, st.chunks = "done", rows, 1
    st.started_at = st.started_at or uow.now
    st.finished_at = uow.clock.now()  # the step's own end, not the transaction's start
    if step.name == "eod.open_next_day":
        run = uow.session.get(EodRun, day)
        assert run is not None
        run.status, run.finished_at = "done", uow.now
        uow.audit(SYSTEM, "eod.done", "eod", str(day))
    return rows


def _start_chunked(uow: UnitOfWork, day: date, owner: str, step: BatchStep) -> tuple[int, int, int]:
    """Mark the step running; return (cursor, upper bound, rows so far)."""
    _heartbeat(uow, day, owner)
    assert step.upper_bound is not None
    st = _step_row(uow, day, step.name)
    st.status = "running"
    st.started_at = st.started_at or uow.now
    return st.cursor or 0, step.upper_bound(uow, day), st.rows


def _run_chunk(uow: UnitOfWork, day: date, owner: str, step: BatchStep, lo: int, hi: int, last: bool) -> int:
    _heartbeat(uow, day, owner)
    assert step.chunk is not None
    rows = step.chunk(uow, day, lo, hi) if hi > lo else 0
    st = _step_row(uow, day, step.name)
    if (st.cursor or 0) != lo:
        raise EodLeaseLost(f"step {step.name} moved on under us (cursor {st.cursor}, expected {lo})")
    st.cursor, st.rows, st.chunks = hi, st.rows + rows, st.chunks + (1 if hi > lo else 0)
    if last:
        st.status, st.finished_at = "done", uow.clock.now()
    return rows


def _fail(uow: UnitOfWork, day: date, owner: str, name: str, detail: str) -> None:
    st = uow.session.get(EodStep, (day, name))
    if st is not None:
        st.status, st.detail = "failed", detail[:2000]
    run = uow.session.get(EodRun, day)
    if run is not None and run.owner == owner:
        run.status, run.detail = "failed", f"{name}: {detail}"[:2000]
    uow.audit(SYSTEM, "eod.failed", "eod", str(day), step=name, detail=detail[:500])


def close_day(bank: Runs, actor: Actor, *, owner: str | None = None, report: Report | None = None) -> date:
    """Close the current business date (resuming a run that stopped) and open the next; return the date
    closed. Raises EodAlreadyRunning when another live process is closing it, EodStepFailed when a step
    fails (the date is not rolled; run again once the cause is fixed)."""
    owner = owner or new_owner()
    plan = steps()
    day = bank.run(_claim, actor, owner, plan, eod=True)
    chunk_size = int(bank.settings.eod_chunk_size)
    pause = int(bank.settings.eod_chunk_pause_ms) / 1000
    say = report or (lambda p: None)
    for step in plan:
        status = bank.run(lambda uow, n=step.name: _step_row(uow, day, n).status, readonly=True)
        if status == "done":
            continue
        started = time.perf_counter()
        log.info("eod %s step %s started", day, step.name)
        try:
            if step.run is not None:
                say(Progress(day, step.name, step.title, 0, 1, 0))
                rows = bank.run(_run_one_shot, day, owner, step, eod=True)
                say(Progress(day, step.name, step.title, 1, 1, rows, finished=True))
            else:
                cursor, bound, rows = bank.run(_start_chunked, day, owner, step, eod=True)
                size = step.chunk_size or chunk_size
                say(Progress(day, step.name, step.title, cursor, bound, rows))
                while True:
                    hi = min(cursor + size, bound) if bound > cursor else cursor
                    last = hi >= bound
                    rows += bank.run(_run_chunk, day, owner, step, cursor, hi, last, eod=True)
                    cursor = hi
                    say(Progress(day, step.name, step.title, cursor, bound, rows, finished=last))
                    if last:
                        break
                    if pause:
                        time.sleep(pause)
        except EodLeaseLost:
            raise
        except Exception as exc:
            detail = f"{exc.__class__.__name__}: {exc}"
            bank.run(_fail, day, owner, step.name, detail, eod=True)
            log.error("end of day %s stopped at %s: %s", day, step.name, detail)
            if isinstance(exc, CoreBankError):
                raise EodStepFailed(
                    f"end of day for {day} stopped at step {step.name}: {exc.detail}"
                ) from exc
            raise EodStepFailed(f"end of day for {day} stopped at step {step.name}: {detail}") from exc
        log.info(
            "eod %s step %s done in %.2f s (%d rows)", day, step.name, time.perf_counter() - started, rows
        )
    return day


def run_until(
    bank: Runs, actor: Actor, to: date | None = None, *, report: Report | None = None
) -> list[date]:
    """Close business dates one by one: only the current one when `to` is None, else every date up to and
    including `to` (catching up a bank several days behind). Returns the dates closed."""
    owner = new_owner()
    today = bank.run(lambda uow: uow.business_date, readonly=True)
    if to is not None and to < today:
        raise InvalidRequest(f"the business date is already {today}: nothing up to {to} is left to close")
    closed = [close_day(bank, actor, owner=owner, report=report)]
    while to is not None and closed[-1] < to:
        closed.append(close_day(bank, actor, owner=owner, report=report))
    return closed
