"""Working reconciliation exceptions (assign an owner, resolve: apply the clearing house's outcome, accept,
escalate) and reading runs and exceptions, with a CSV export. The runs themselves are in `reconcile`."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from sqlalchemy import func, select

from corebank.db.base import table_of
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import minor_to_text
from corebank.payments import inbound, interbank
from corebank.payments.interbank_models import InterbankPayment
from corebank.payments.recon_errors import (
    ExceptionClosed,
    NotExceptionOwner,
    OwnerNotEligible,
    ReconExceptionNotFound,
    ReconRunNotFound,
    ResolutionNotApplicable,
    ResolutionNoteRequired,
)
from corebank.payments.recon_models import ReconException, ReconFileLine, ReconRun
from corebank.payments.recon_schemas import (
    ReconExceptionPage,
    ReconExceptionRead,
    ReconRunPage,
    ReconRunRead,
)
from corebank.security import Actor, P
from corebank.security.service import staff_holds

CHUNK = 2000
ib = table_of(InterbankPayment)
fl = table_of(ReconFileLine)


def open_count(uow: UnitOfWork, day: date) -> int:
    """How many exceptions of settlement date `day` are open."""
    return int(
        uow.session.execute(
            select(func.count(ReconException.id)).where(
                ReconException.settlement_date == day, ReconException.status == "open"
            )
        ).scalar_one()
    )


# ---------------------------------------------------------------- working the exceptions


def _exception(uow: UnitOfWork, exception_id: int) -> ReconException:
    e = uow.session.get(ReconException, exception_id)
    if e is None:
        raise ReconExceptionNotFound(f"no reconciliation exception {exception_id}")
    return e


def assign(uow: UnitOfWork, actor: Actor, exception_id: int, owner: str) -> ReconExceptionRead:
    """Give an open exception to a staff user who reconciles (OWNER_NOT_ELIGIBLE otherwise)."""
    actor.require(P.RECONCILE)
    e = _exception(uow, exception_id)
    if e.status != "open":
        raise ExceptionClosed(f"exception {exception_id} was resolved ({e.resolution})")
    owner = owner.strip()
    if not staff_holds(uow, owner, P.RECONCILE):
        raise OwnerNotEligible(f"{owner!r} is not an active staff user with the right to reconcile")
    before, e.owner, e.updated_at = e.owner, owner, uow.now
    uow.session.flush()
    uow.audit(actor, "recon.exception.assign", "recon_exception", e.id, owner=owner, previous=before)
    return _exception_read(e)


def resolve(uow: UnitOfWork, actor: Actor, exception_id: int, action: str, note: str) -> ReconExceptionRead:
    """Resolve an open exception as its owner (or, while it has none, as anyone who reconciles):
    apply_clearing books what the clearing house says; accept closes it with a note and no posting;
    escalate hands it up with a note (it stays open, without an owner)."""
    actor.require(P.RECONCILE)
    e = _exception(uow, exception_id)
    if e.status != "open":
        raise ExceptionClosed(f"exception {exception_id} was already resolved ({e.resolution})")
    if e.owner is not None and e.owner != actor.username:
        raise NotExceptionOwner(f"exception {exception_id} belongs to {e.owner}")
    note = note.strip()
    if action == "apply_clearing":
        e.entry_id = _apply_clearing(uow, actor, e)
    elif action in ("accept", "escalate"):
        if not note:
            raise ResolutionNoteRequired(f"say why you {action} exception {exception_id}")
    else:
        raise InvalidRequest("action must be apply_clearing, accept or escalate")
    e.note, e.updated_at = note[:400], uow.now
    if action == "escalate":
        e.escalated, e.owner = True, None
    else:
        e.status, e.resolution, e.resolved_by, e.resolved_at = "resolved", action, actor.username, uow.now
    uow.session.flush()
    uow.audit(
        actor,
        f"recon.exception.{action}",
        "recon_exception",
        e.id,
        kind=e.kind,
        tx_id=e.tx_id,
        entry=e.entry_id,
    )
    uow.publish(
        Event("ReconExceptionWorked", "recon_exception", str(e.id), {"action": action, "kind": e.kind})
    )
    return _exception_read(e)


def _apply_clearing(uow: UnitOfWork, actor: Actor, e: ReconException) -> int | None:
    """Book the clearing house's outcome on the payment through the interbank steps; the entry posted."""
    row = None
    if e.payment_id is not None:
        row = uow.conn.execute(select(ib).where(ib.c.id == e.payment_id)).first()
    if row is None or e.kind not in ("status_mismatch", "missing_in_clearing"):
        raise ResolutionNotApplicable(
            f"a {e.kind.replace('_', ' ')} cannot be booked from the clearing house's file: accept or escalate it"
        )
    what = (e.kind, e.msg_type, e.direction, e.clearing_status)
    done = False
    if what == ("status_mismatch", "pacs.008", "debit", "settled"):
        done = interbank.mark_settled(uow, actor, row)
    elif what == ("status_mismatch", "pacs.008", "debit", "rejected"):
        done = interbank.mark_rejected(
            uow, actor, row, "NARR", f"rejected by clearing (reconciliation {e.id})"
        )
    elif what[:3] == ("missing_in_clearing", "pacs.008", "debit"):
        # The clearing house never had it: the money never left, so it goes back to the payer.
        done = interbank.mark_rejected(
            uow, actor, row, "NARR", f"unknown to clearing (reconciliation {e.id})"
        )
    elif what == ("status_mismatch", "pacs.004", "credit", "settled"):
        line = _last_line(uow, e)
        done = interbank.mark_returned(
            uow,
            actor,
            row,
            return_id=e.tx_id,
            return_msg_id=line.msg_id if line else "",
            reason="NARR",
            return_date=e.settlement_date,
        )
    elif what == ("status_mismatch", "pacs.004", "debit", "settled"):
        done = inbound.settle_return(uow, actor, row)
    if not done:
        raise ResolutionNotApplicable(
            f"payment {row.id} is {row.status}; the clearing house says {e.clearing_status or 'nothing'} for "
            f"its {e.msg_type} {e.direction}: this cannot be booked automatically, accept or escalate it"
        )
    after = uow.conn.execute(select(ib).where(ib.c.id == row.id)).one()
    return int(after.refund_entry_id if after.status in ("rejected", "returned") else after.settle_entry_id)


def _last_line(uow: UnitOfWork, e: ReconException) -> Any:
    return uow.conn.execute(
        select(fl).where(
            fl.c.run_id == e.last_run_id,
            fl.c.msg_type == e.msg_type,
            fl.c.direction == e.direction,
            fl.c.tx_id == e.tx_id,
        )
    ).first()


# ---------------------------------------------------------------- reading


def _require_reader(actor: Actor) -> None:
    """Those who reconcile, and auditors, read runs and exceptions."""
    if not actor.can(P.AUDIT_READ):
        actor.require(P.RECONCILE)


def _text(minor: int | None, cur: str) -> str | None:
    return None if minor is None else minor_to_text(minor, cur)


def run_read(r: ReconRun, open_left: int) -> ReconRunRead:
    """The answer for a run, with the open exceptions of its date."""
    return ReconRunRead(
        run_id=r.id,
        settlement_date=r.settlement_date,
        status=r.status,
        source=r.source,
        file_sha256=r.file_sha256,
        rows_in_file=r.rows_in_file,
        matched=r.matched,
        exceptions=r.exceptions,
        new_exceptions=r.new_exceptions,
        cleared_exceptions=r.cleared_exceptions,
        open_exceptions=open_left,
        currency=r.currency,
        suspense_balance=minor_to_text(r.suspense_balance, r.currency),
        suspense_in_flight=minor_to_text(r.suspense_in_flight, r.currency),
        suspense_residual=minor_to_text(r.suspense_balance - r.suspense_in_flight, r.currency),
        note=r.note,
        run_by=r.run_by,
        run_at=r.run_at,
    )


def _exception_read(e: ReconException) -> ReconExceptionRead:
    return ReconExceptionRead(
        exception_id=e.id,
        run_id=e.run_id,
        last_run_id=e.last_run_id,
        settlement_date=e.settlement_date,
        kind=e.kind,
        msg_type=e.msg_type,
        direction=e.direction,
        tx_id=e.tx_id,
        payment_id=e.payment_id,
        currency=e.currency,
        bank_status=e.bank_status,
        bank_amount=_text(e.bank_amount, e.currency),
        clearing_status=e.clearing_status,
        clearing_amount=_text(e.clearing_amount, e.currency),
        owner=e.owner,
        status=e.status,
        escalated=e.escalated,
        resolution=e.resolution,
        note=e.note,
        resolved_by=e.resolved_by,
        resolved_at=e.resolved_at,
        entry_id=e.entry_id,
        created_at=e.created_at,
    )


def _after(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not cursor.isdigit():
        raise InvalidRequest("cursor is not one this API gave out")
    return int(cursor)


def _limit(uow: UnitOfWork, limit: int) -> int:
    return max(1, min(limit, int(uow.settings.page_size_max)))


def list_runs(
    uow: UnitOfWork, actor: Actor, day: date | None = None, cursor: str | None = None, limit: int = 50
) -> ReconRunPage:
    """Reconciliation runs, newest first, of one settlement date or all; follow next_cursor."""
    _require_reader(actor)
    q = select(ReconRun)
    if day is not None:
        q = q.where(ReconRun.settlement_date == day)
    if (after := _after(cursor)) is not None:
        q = q.where(ReconRun.id < after)
    n = _limit(uow, limit)
    runs = list(uow.session.execute(q.order_by(ReconRun.id.desc()).limit(n + 1)).scalars())
    more, runs = len(runs) > n, runs[:n]
    days = {r.settlement_date for r in runs}
    open_by_day = dict(
        uow.session.execute(
            select(ReconException.settlement_date, func.count(ReconException.id))
            .where(ReconException.settlement_date.in_(days), ReconException.status == "open")
            .group_by(ReconException.settlement_date)
        ).all()
    )
    return ReconRunPage(
        items=[run_read(r, int(open_by_day.get(r.settlement_date, 0))) for r in runs],
        next_cursor=str(runs[-1].id) if more and runs else None,
    )


def get_run(uow: UnitOfWork, actor: Actor, run_id: int) -> ReconRunRead:
    """One reconciliation run with the open exceptions of its date."""
    _require_reader(actor)
    r = uow.session.get(ReconRun, run_id)
    if r is None:
        raise ReconRunNotFound(f"no reconciliation run {run_id}")
    return run_read(r, open_count(uow, r.settlement_date))


def _exceptions_query(status: str | None, owner: str | None, day: date | None, kind: str | None) -> Any:
    q = select(ReconException)
    if status:
        if status not in ("open", "resolved"):
            raise InvalidRequest("status must be open or resolved")
        q = q.where(ReconException.status == status)
    if owner:
        q = q.where(ReconException.owner == owner)
    if day is not None:
        q = q.where(ReconException.settlement_date == day)
    if kind:
        q = q.where(ReconException.kind == kind)
    return q


def list_exceptions(
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str | None = None,
    owner: str | None = None,
    day: date | None = None,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ReconExceptionPage:
    """Reconciliation exceptions, newest first, filtered by status, owner, settlement date or kind."""
    _require_reader(actor)
    q = _exceptions_query(status, owner, day, kind)
    if (after := _after(cursor)) is not None:
        q = q.where(ReconException.id < after)
    n = _limit(uow, limit)
    rows = list(uow.session.execute(q.order_by(ReconException.id.desc()).limit(n + 1)).scalars())
    more, rows = len(rows) > n, rows[:n]
    return ReconExceptionPage(
        items=[_exception_read(e) for e in rows], next_cursor=str(rows[-1].id) if more and rows else None
    )


def exceptions_csv(
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str | None = None,
    owner: str | None = None,
    day: date | None = None,
    kind: str | None = None,
) -> str:
    """The matching exceptions as CSV, oldest first, read in chunks."""
    _require_reader(actor)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    fields = list(ReconExceptionRead.model_fields)
    w.writerow(fields)
    last = 0
    while True:
        q = _exceptions_query(status, owner, day, kind).where(ReconException.id > last)
        chunk = list(uow.session.execute(q.order_by(ReconException.id).limit(CHUNK)).scalars())
        for e in chunk:
            row = _exception_read(e).model_dump(mode="json")
            w.writerow(["" if row[f] is None else row[f] for f in fields])
        if len(chunk) < CHUNK:
            return out.getvalue()
        last = chunk[-1].id
