"""Daily reconciliation (对账) of the bank's interbank payments with the clearing house's settlement file.

A run reads the file of one settlement date (fetched from the clearing house, or uploaded), stores its lines,
matches them to `interbank_payments` in a few set-based statements, and turns every difference into an
exception with an owner: a line the bank does not know (missing_in_bank), a payment the file should show and
does not (missing_in_clearing), a different amount (amount_mismatch) or an outcome the bank has not booked
(status_mismatch). How a line finds its payment:
- pacs.008 debit: our outbound payment, by its TxId;   pacs.004 debit: our return of an inbound one, by RtrId;
- pacs.008 credit: an inbound payment, by its TxId;    pacs.004 credit: a return of our payment, by the
  returned TxId.
The bank's side of a day is its payments of that value date. Clearing suspense (GL 1011) holds exactly the
payments not yet final (outbound created or sent, inbound waiting for their return); any other balance in it is
a suspense_residual exception. Once every payment is final and every exception resolved, 1011 is zero.
Resolving with apply_clearing books what the clearing house says through the interbank steps (settle, reject,
return); nothing posted is ever edited. Working exceptions and reading are in `recon_work`, the file in
`recon_file`; this module is the surface the adapters call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select, update

from corebank import ledger
from corebank.config import Settings
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import minor_to_text
from corebank.ledger import chart
from corebank.payments import interbank
from corebank.payments.recon_errors import SettlementFileUnavailable
from corebank.payments.recon_file import (
    HEADER,
    FileLine,
    HttpGetter,
    fetch_settlement_file,
    parse_settlement_file,
)
from corebank.payments.recon_models import ReconException, ReconRun
from corebank.payments.recon_schemas import ReconRunRead
from corebank.payments.recon_work import (
    CHUNK,
    assign,
    exceptions_csv,
    fl,
    get_run,
    ib,
    list_exceptions,
    list_runs,
    open_count,
    resolve,
    run_read,
)
from corebank.security import Actor, P

__all__ = [
    "HEADER",
    "FileLine",
    "assign",
    "exceptions_csv",
    "fetch_settlement_file",
    "get_run",
    "list_exceptions",
    "list_runs",
    "parse_settlement_file",
    "reconcile_with_clearing",
    "record_failed_run",
    "resolve",
    "run_reconciliation",
    "suspense_position",
]
SOURCES = ("clearing", "upload")

# The bank statuses that agree with each clearing status, per (message type, side of this bank).
AGREES: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("pacs.008", "debit"): {
        "settled": ("settled", "returned"),
        "rejected": ("rejected",),
        "pending": ("created", "sent"),
    },
    ("pacs.008", "credit"): {"settled": ("credited", "return_pending", "returned")},
    ("pacs.004", "debit"): {"settled": ("returned",), "pending": ("return_pending",)},
    ("pacs.004", "credit"): {"settled": ("returned",), "pending": ("settled",), "rejected": ("settled",)},
}


def run_reconciliation(
    uow: UnitOfWork, actor: Actor, day: date, csv_bytes: bytes, source: str
) -> ReconRunRead:
    """Reconcile settlement date `day` with the clearing house's file: store the run and its lines, match
    them to the interbank payments, record each difference as an exception (one per transaction and kind,
    however often it is found), clear the date's open exceptions no longer found, and report GL 1011."""
    actor.require(P.RECONCILE)
    if source not in SOURCES:
        raise InvalidRequest(f"source must be one of {', '.join(SOURCES)}")
    lines = parse_settlement_file(csv_bytes, day)
    run = ReconRun(
        settlement_date=day,
        status="exceptions",
        source=source,
        file_sha256=hashlib.sha256(csv_bytes).hexdigest(),
        rows_in_file=len(lines),
        currency=uow.settings.base_currency,
        run_by=actor.username,
        run_at=uow.now,
    )
    uow.session.add(run)
    uow.session.flush()
    for i in range(0, len(lines), CHUNK):
        uow.conn.execute(insert(fl), [{"run_id": run.id, **vars(ln)} for ln in lines[i : i + CHUNK]])
    _match_lines(uow, run.id)
    found = list(_line_differences(uow, run.id)) + list(_missing_in_clearing(uow, run.id, day))
    matched = len(lines) - sum(1 for d in found if d["kind"] != "missing_in_clearing")
    balance, in_flight = suspense_position(uow)
    if balance != in_flight:
        found.append(
            {
                "kind": "suspense_residual",
                "msg_type": "",
                "direction": "",
                "tx_id": "",
                "payment_id": None,
                "currency": run.currency,
                "bank_status": None,
                "bank_amount": balance,
                "clearing_status": None,
                "clearing_amount": in_flight,
            }
        )
    new, cleared = _record_exceptions(uow, actor, run, found)
    open_left = open_count(uow, day)
    run.matched, run.exceptions, run.new_exceptions, run.cleared_exceptions = (
        matched,
        len(found),
        new,
        cleared,
    )
    run.status = "matched" if open_left == 0 else "exceptions"
    run.suspense_balance, run.suspense_in_flight = balance, in_flight
    run.note = _suspense_note(balance, in_flight, run.currency)
    uow.session.flush()
    uow.audit(
        actor,
        "recon.run",
        "recon_run",
        run.id,
        date=day.isoformat(),
        source=source,
        sha256=run.file_sha256,
        rows=run.rows_in_file,
        matched=matched,
        exceptions=len(found),
        new=new,
        cleared=cleared,
        suspense=minor_to_text(balance, run.currency),
    )
    uow.publish(
        Event(
            "ReconciliationRun",
            "recon_run",
            str(run.id),
            {"date": day.isoformat(), "status": run.status, "exceptions": len(found), "open": open_left},
        )
    )
    return run_read(run, open_left)


def record_failed_run(uow: UnitOfWork, actor: Actor, day: date, source: str, reason: str) -> ReconRunRead:
    """Keep a run that could not read its file (the clearing house unreachable), so the day shows it tried."""
    actor.require(P.RECONCILE)
    run = ReconRun(
        settlement_date=day,
        status="failed",
        source=source,
        currency=uow.settings.base_currency,
        note=reason[:400],
        run_by=actor.username,
        run_at=uow.now,
    )
    uow.session.add(run)
    uow.session.flush()
    uow.audit(actor, "recon.failed", "recon_run", run.id, date=day.isoformat(), reason=reason[:200])
    return run_read(run, open_count(uow, day))


def reconcile_with_clearing(
    run: Callable[..., Any], settings: Settings, actor: Actor, day: date, client: HttpGetter | None = None
) -> ReconRunRead:
    """Fetch the file of `day` from the clearing house (outside any transaction), then reconcile it with
    `run` (the bank's runner: one transaction per command); a failed fetch is kept as a failed run."""
    actor.require(P.RECONCILE)
    try:
        data = fetch_settlement_file(settings, day, client)
    except SettlementFileUnavailable as exc:
        run(record_failed_run, actor, day, "clearing", exc.detail)
        raise
    result: ReconRunRead = run(run_reconciliation, actor, day, data, "clearing")
    return result


def _match_lines(uow: UnitOfWork, run_id: int) -> None:
    """Set each line's payment_id: one correlated UPDATE per (message type, side)."""
    rules = (
        ("pacs.008", "debit", "out", ib.c.tx_id, fl.c.tx_id),
        ("pacs.004", "debit", "in", ib.c.return_id, fl.c.tx_id),
        ("pacs.008", "credit", "in", ib.c.tx_id, fl.c.tx_id),
        ("pacs.004", "credit", "out", ib.c.tx_id, fl.c.original_tx_id),
    )
    for msg_type, side, direction, bank_key, line_key in rules:
        found = (
            select(ib.c.id)
            .where(ib.c.direction == direction, bank_key == line_key)
            .order_by(ib.c.id)
            .limit(1)
            .scalar_subquery()
        )
        uow.conn.execute(
            update(fl)
            .where(fl.c.run_id == run_id, fl.c.msg_type == msg_type, fl.c.direction == side)
            .values(payment_id=found)
        )


def classify(line: Any) -> str | None:
    """The kind of difference between a file line and the bank's payment (None: they agree)."""
    if line.payment_id is None:
        return "missing_in_bank"
    if line.currency != line.bank_currency or line.amount != line.bank_amount:
        return "amount_mismatch"
    agreeing = AGREES[(line.msg_type, line.direction)].get(line.status, ())
    return None if line.bank_status in agreeing else "status_mismatch"


def _line_differences(uow: UnitOfWork, run_id: int) -> Iterable[dict[str, Any]]:
    q = (
        select(
            fl.c.msg_type,
            fl.c.direction,
            fl.c.tx_id,
            fl.c.amount,
            fl.c.currency,
            fl.c.status,
            fl.c.payment_id,
            ib.c.status.label("bank_status"),
            ib.c.amount.label("bank_amount"),
            ib.c.currency.label("bank_currency"),
        )
        .select_from(fl.outerjoin(ib, ib.c.id == fl.c.payment_id))
        .where(fl.c.run_id == run_id)
        .order_by(fl.c.id)
        .execution_options(yield_per=CHUNK)
    )
    out = []
    for line in uow.conn.execute(q):
        kind = classify(line)
        if kind is not None:
            out.append(
                {
                    "kind": kind,
                    "msg_type": line.msg_type,
                    "direction": line.direction,
                    "tx_id": line.tx_id,
                    "payment_id": line.payment_id,
                    "currency": line.currency,
                    "bank_status": line.bank_status,
                    "bank_amount": line.bank_amount,
                    "clearing_status": line.status,
                    "clearing_amount": line.amount,
                }
            )
    return out


def _missing_in_clearing(uow: UnitOfWork, run_id: int, day: date) -> Iterable[dict[str, Any]]:
    """Payments of value date `day` the clearing house must know (sent, or final) that no line matched, and
    returns whose own settlement date is `day` (a return may settle days after its payment)."""
    sent_out = or_(
        ib.c.status.in_(("sent", "settled", "returned")),
        and_(ib.c.status == "rejected", ib.c.sent_at.isnot(None)),
    )
    returned_on = func.coalesce(ib.c.return_date, ib.c.value_date)
    expected = (
        ("pacs.008", "debit", and_(ib.c.direction == "out", sent_out), ib.c.tx_id, ib.c.value_date),
        ("pacs.008", "credit", ib.c.direction == "in", ib.c.tx_id, ib.c.value_date),
        (
            "pacs.004",
            "debit",
            and_(ib.c.direction == "in", ib.c.status == "returned"),
            ib.c.return_id,
            returned_on,
        ),
        (
            "pacs.004",
            "credit",
            and_(ib.c.direction == "out", ib.c.status == "returned"),
            ib.c.return_id,
            returned_on,
        ),
    )
    out = []
    for msg_type, side, cond, key, on in expected:
        listed = exists().where(
            fl.c.run_id == run_id,
            fl.c.payment_id == ib.c.id,
            fl.c.msg_type == msg_type,
            fl.c.direction == side,
        )
        q = select(ib.c.id, key.label("key"), ib.c.status, ib.c.amount, ib.c.currency).where(
            on == day, cond, ~listed
        )
        for p in uow.conn.execute(q.order_by(ib.c.id)):
            out.append(
                {
                    "kind": "missing_in_clearing",
                    "msg_type": msg_type,
                    "direction": side,
                    "tx_id": p.key or "",
                    "payment_id": p.id,
                    "currency": p.currency,
                    "bank_status": p.status,
                    "bank_amount": p.amount,
                    "clearing_status": None,
                    "clearing_amount": None,
                }
            )
    return out


def suspense_position(uow: UnitOfWork) -> tuple[int, int]:
    """GL 1011 clearing suspense in the base currency (signed, debit positive), and what the payments not yet
    final explain of it: outbound created or sent and inbound waiting for their return each credited it."""
    cur = uow.settings.base_currency
    balance = sum(
        bal
        for gl, _branch, currency, bal in ledger.gl_balances(uow, uow.business_date)
        if gl == chart.CLEARING_SUSPENSE and currency == cur
    )
    in_flight = uow.conn.execute(
        select(func.coalesce(func.sum(ib.c.amount), 0)).where(
            ib.c.currency == cur,
            or_(
                and_(ib.c.direction == "out", ib.c.status.in_(interbank.UNSETTLED)),
                and_(ib.c.direction == "in", ib.c.status == "return_pending"),
            ),
        )
    ).scalar_one()
    return balance, -int(in_flight)


def _suspense_note(balance: int, in_flight: int, cur: str) -> str:
    residual = balance - in_flight
    text = (
        f"GL 1011 clearing suspense {minor_to_text(balance, cur)}: payments in flight explain "
        f"{minor_to_text(in_flight, cur)}, residual {minor_to_text(residual, cur)}."
    )
    return text + " Suspense must be zero once every payment is final and every exception resolved."


def _key(d: dict[str, Any]) -> tuple[str, str, str, str]:
    return (d["kind"], d["msg_type"], d["direction"], d["tx_id"])


def _record_exceptions(
    uow: UnitOfWork, actor: Actor, run: ReconRun, found: list[dict[str, Any]]
) -> tuple[int, int]:
    """Add the differences not seen before, refresh those seen again (an open one takes the new figures),
    and clear the date's open exceptions this run no longer finds. (new, cleared)"""
    known = {
        (e.kind, e.msg_type, e.direction, e.tx_id): e
        for e in uow.session.execute(
            select(ReconException).where(ReconException.settlement_date == run.settlement_date)
        ).scalars()
    }
    new = 0
    for d in found:
        e = known.pop(_key(d), None)
        if e is None:
            e = ReconException(
                run_id=run.id,
                settlement_date=run.settlement_date,
                status="open",
                escalated=False,
                note="",
                created_at=uow.now,
                **d,
            )
            uow.session.add(e)
            new += 1
        elif e.status == "open":
            for k in ("payment_id", "bank_status", "bank_amount", "clearing_status", "clearing_amount"):
                setattr(e, k, d[k])
        e.last_run_id, e.updated_at = run.id, uow.now
    cleared = 0
    for e in known.values():
        if e.status == "open":
            e.status, e.resolution = "resolved", "cleared"
            e.note = f"no longer found by run {run.id}"
            e.resolved_by, e.resolved_at, e.updated_at = actor.username, uow.now, uow.now
            uow.audit(actor, "recon.exception.cleared", "recon_exception", e.id, run=run.id)
            cleared += 1
    uow.session.flush()
    return new, cleared
