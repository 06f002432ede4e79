"""Standing orders (定期转账): a fixed amount paid from an account on a schedule until an end date or until
cancelled, run by end of day.

Monthly orders fall on a day of the month (the 31st falls on the last day of a shorter month), weekly ones on
a weekday. A run posts in full or not at all: a payee in this bank is credited at once (Dr payer / Cr payee);
one at another bank is paid through clearing (Dr payer / Cr clearing suspense 1011, then an outbound interbank
payment the sender sends like any other). A run the account cannot cover fails; after
`standing_order_max_failures` failed runs in a row the order is suspended. Each run is kept.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, select

from corebank import accounts, ledger
from corebank.db.base import table_of
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, CurrencyMismatch
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.payments import interbank
from corebank.payments.mandate_errors import (
    StandingOrderInvalid,
    StandingOrderNotActive,
    StandingOrderNotFound,
)
from corebank.payments.mandate_models import StandingOrder, StandingOrderRun
from corebank.payments.mandate_schemas import StandingOrderCreate, StandingOrderRead, StandingOrderRunRead
from corebank.security import SYSTEM, Actor, P

STANDING_ORDER_KIND = "standing_order"
_orders = table_of(StandingOrder)
_LOAD_BATCH = 500

# ---------------------------------------------------------------------------------------------- schedule


def _in_month(year: int, month: int, day: int) -> date:
    """Day `day` of the month, or its last day when the month is shorter."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def first_run(frequency: str, day: int, start: date) -> date:
    """The first date on the schedule on or after `start`."""
    if frequency == "weekly":
        return start + timedelta(days=(day - start.isoweekday()) % 7)
    run = _in_month(start.year, start.month, day)
    if run >= start:
        return run
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return _in_month(year, month, day)


def next_run(frequency: str, day: int, after: date) -> date:
    """The first date on the schedule after `after`."""
    return first_run(frequency, day, after + timedelta(days=1))


# ---------------------------------------------------------------------------------------------- reading


def _run_read(r: StandingOrderRun, currency: str) -> StandingOrderRunRead:
    return StandingOrderRunRead(
        run_date=r.run_date,
        status=r.status,
        amount=minor_to_text(r.amount, currency),
        entry_id=r.entry_id,
        interbank_payment_id=r.interbank_payment_id,
        error=r.error,
        detail=r.detail,
    )


def order_read(o: StandingOrder, runs: list[StandingOrderRun] | None = None) -> StandingOrderRead:
    """The standing order, with its runs when given."""
    return StandingOrderRead(
        order_id=o.id,
        from_account=o.from_account,
        to_account=o.to_account,
        to_bank_code=o.to_bank_code,
        to_name=o.to_name,
        amount=minor_to_text(o.amount, o.currency),
        currency=o.currency,
        frequency=o.frequency,
        day=o.day,
        start_date=o.start_date,
        end_date=o.end_date,
        next_run_date=o.next_run_date,
        status=o.status,
        failures=o.failures,
        last_error=o.last_error,
        memo=o.memo,
        created_by=o.created_by,
        runs=[_run_read(r, o.currency) for r in runs or []],
    )


def _load(uow: UnitOfWork, actor: Actor, order_id: int) -> StandingOrder:
    o = uow.session.get(StandingOrder, order_id)
    if o is None:
        raise StandingOrderNotFound(f"no standing order {order_id}")
    actor.require_branch(o.branch_code)
    return o


def get_standing_order(uow: UnitOfWork, actor: Actor, order_id: int) -> StandingOrderRead:
    """One standing order with its runs, newest first."""
    actor.require(P.PAYMENT_READ)
    o = _load(uow, actor, order_id)
    runs = uow.session.execute(
        select(StandingOrderRun)
        .where(StandingOrderRun.order_id == o.id)
        .order_by(StandingOrderRun.run_date.desc())
    ).scalars()
    return order_read(o, list(runs))


def list_standing_orders(
    uow: UnitOfWork, actor: Actor, *, account: str | None = None, status: str | None = None, limit: int = 100
) -> list[StandingOrderRead]:
    """Standing orders in the actor's branches, newest first, by paying account or status."""
    actor.require(P.PAYMENT_READ)
    q = select(StandingOrder).order_by(StandingOrder.id.desc()).limit(limit)
    if actor.branches is not None:
        q = q.where(StandingOrder.branch_code.in_(actor.branches))
    if account:
        q = q.where(StandingOrder.from_account == account)
    if status:
        q = q.where(StandingOrder.status == status)
    return [order_read(o) for o in uow.session.execute(q).scalars()]


# ---------------------------------------------------------------------------------------------- setting up


def create_standing_order(uow: UnitOfWork, actor: Actor, cmd: StandingOrderCreate) -> StandingOrderRead:
    """Set up a standing order on the payer's account (in the actor's branches); the first run falls on the
    first date of the schedule on or after the start date, which must not be past."""
    actor.require(P.MANDATE_WRITE)
    today = uow.business_date
    amount = positive_amount(cmd.amount, cmd.currency)
    start = cmd.start_date or today
    if start < today:
        raise StandingOrderInvalid(f"the start date {start} is before today {today}")
    day = (
        cmd.day if cmd.day is not None else (start.day if cmd.frequency == "monthly" else start.isoweekday())
    )
    if not (1 <= day <= (31 if cmd.frequency == "monthly" else 7)):
        raise StandingOrderInvalid(f"day {day} is not a day of a {cmd.frequency} schedule")
    first = first_run(cmd.frequency, day, start)
    if cmd.end_date is not None and cmd.end_date < first:
        raise StandingOrderInvalid(f"the end date {cmd.end_date} comes before the first run on {first}")
    external = cmd.to_bank_code is not None and cmd.to_bank_code != uow.settings.bank_code
    numbers = [cmd.from_account] if external else [cmd.from_account, cmd.to_account]
    found = accounts.load_for_posting(uow, numbers)
    payer = found[cmd.from_account]
    actor.require_branch(payer.branch_code)
    accounts.check_can_debit(payer)
    if payer.currency != cmd.currency:
        raise CurrencyMismatch(f"account {payer.number} holds {payer.currency}")
    to_account_id: int | None = None
    to_name = cmd.to_name
    if external:
        interbank.check_creditor_bank(uow, str(cmd.to_bank_code))
        if not to_name.strip():
            raise StandingOrderInvalid("a payee at another bank needs the payee's name")
    else:
        payee = found[cmd.to_account]
        if payee.id == payer.id:
            raise accounts.SameAccount("the payer and payee accounts are the same")
        accounts.check_can_credit(payee)
        if payee.currency != cmd.currency:
            raise CurrencyMismatch(f"account {payee.number} holds {payee.currency}")
        to_account_id, to_name = payee.id, to_name or payee.name
    o = StandingOrder(
        customer_id=payer.customer_id,
        from_account_id=payer.id,
        from_account=payer.number,
        payer_name=payer.name,
        branch_code=payer.branch_code,
        to_bank_code=cmd.to_bank_code if external else None,
        to_account=cmd.to_account,
        to_account_id=to_account_id,
        to_name=to_name,
        amount=amount.to_minor(),
        currency=cmd.currency,
        frequency=cmd.frequency,
        day=day,
        start_date=start,
        end_date=cmd.end_date,
        next_run_date=first,
        status="active",
        failures=0,
        last_error=None,
        memo=cmd.memo,
        created_by=actor.username,
        created_at=uow.now,
        updated_at=uow.now,
        cancelled_by=None,
    )
    uow.session.add(o)
    uow.session.flush()
    uow.audit(
        actor,
        "standing_order.create",
        "standing_order",
        o.id,
        payer=payer.number,
        payee=cmd.to_account,
        bank=o.to_bank_code,
        amount=amount.text(),
        frequency=cmd.frequency,
        day=day,
        first_run=str(first),
    )
    uow.publish(Event("StandingOrderCreated", "standing_order", str(o.id), {"from": payer.number}))
    return order_read(o)


def cancel_standing_order(uow: UnitOfWork, actor: Actor, order_id: int) -> StandingOrderRead:
    """Cancel an active or suspended standing order: it runs no more."""
    actor.require(P.MANDATE_WRITE)
    o = _load(uow, actor, order_id)
    if o.status not in ("active", "suspended"):
        raise StandingOrderNotActive(f"standing order {o.id} is {o.status}")
    o.status, o.next_run_date, o.cancelled_by, o.updated_at = "cancelled", None, actor.username, uow.now
    uow.audit(actor, "standing_order.cancel", "standing_order", o.id)
    return order_read(o)


# ---------------------------------------------------------------------------------------------- end of day


def highest_order_id(uow: UnitOfWork, day: date) -> int:
    """The highest standing order id (0 when there is none): the upper bound of the end-of-day step."""
    return int(uow.conn.execute(select(_orders.c.id).order_by(_orders.c.id.desc()).limit(1)).scalar() or 0)


def _pay(uow: UnitOfWork, o: StandingOrder, day: date) -> tuple[int, int | None]:
    """Post one run in full; return (entry id, interbank payment id). Runs inside a savepoint: whatever it
    wrote is undone when it raises."""
    external = o.to_bank_code is not None
    numbers = [o.from_account] if external else [o.from_account, o.to_account]
    found = accounts.load_for_posting(uow, numbers)
    payer = found[o.from_account]
    amount = Money.from_minor(o.amount, o.currency)
    accounts.check_can_debit(payer)
    payee = None if external else found[o.to_account]
    if payee is not None:
        accounts.check_can_credit(payee)
    if not accounts.prepare_debit(uow, payer, amount, payee.id if payee else None, SYSTEM.username):
        raise ledger.InsufficientFunds(f"account {payer.number} cannot cover {amount}")
    debit = Leg.debit(payer.gl_code, payer.branch_code, amount, payer.id, f"standing order {o.id}")
    if payee is not None:
        credit = Leg.credit(
            payee.gl_code, payee.branch_code, amount, payee.id, f"standing order from {payer.number}"
        )
    else:
        credit = Leg.credit(chart.CLEARING_SUSPENSE, payer.branch_code, amount, None, f"to {o.to_bank_code}")
    entry = ledger.post(
        uow,
        EntryDraft(
            STANDING_ORDER_KIND,
            (debit, credit),
            memo=o.memo or f"standing order {o.id}",
            reference=f"SO{o.id}",
        ),
        by=SYSTEM.username,
        channel=SYSTEM.channel,
    )
    if payee is not None:
        return entry.id, None
    payment_id = interbank.record_funded_outbound(
        uow,
        by=SYSTEM.username,
        channel=SYSTEM.channel,
        payer_account_id=payer.id,
        payer_account=payer.number,
        payer_name=o.payer_name,
        branch_code=payer.branch_code,
        creditor_bank_code=str(o.to_bank_code),
        creditor_account=o.to_account,
        creditor_name=o.to_name,
        amount=amount,
        end_to_end_id=f"SO{o.id}D{day:%Y%m%d}",
        remittance=o.memo,
        funding_entry_id=entry.id,
    )
    return entry.id, payment_id


def run_order(uow: UnitOfWork, o: StandingOrder, day: date) -> StandingOrderRun:
    """Make the run of `day`: pay, or record why not (and suspend after too many failures in a row); then move
    the next run date past `day`, ending the order after its end date."""
    audits, events = len(uow.audits), len(uow.events)
    entry_id = payment_id = None
    error: str | None = None
    detail = ""
    try:
        with uow.session.begin_nested():
            # Emit the SAVEPOINT now: the Core statements run on `uow.conn` would not make the session emit it.
            uow.session.connection()
            entry_id, payment_id = _pay(uow, o, day)
    except CoreBankError as exc:
        error, detail = exc.code, exc.detail[:200]
        del uow.audits[audits:], uow.events[events:]
    run = StandingOrderRun(
        order_id=o.id,
        run_date=day,
        status="failed" if error else "posted",
        amount=o.amount,
        entry_id=entry_id,
        interbank_payment_id=payment_id,
        error=error,
        detail=detail,
        created_at=uow.now,
    )
    uow.session.add(run)
    o.failures, o.last_error = (o.failures + 1, error) if error else (0, None)
    following = next_run(o.frequency, o.day, day)
    if error and o.failures >= int(uow.settings.standing_order_max_failures):
        o.status, o.next_run_date = "suspended", None
    elif o.end_date is not None and following > o.end_date:
        o.status, o.next_run_date = "ended", None
    else:
        o.next_run_date = following
    o.updated_at = uow.now
    uow.audit(
        SYSTEM,
        "standing_order.run",
        "standing_order",
        o.id,
        day=str(day),
        status=run.status,
        error=error,
        entry=entry_id,
        payment=payment_id,
        order_status=o.status,
    )
    if not error:
        payload: dict[str, Any] = {"from": o.from_account, "to": o.to_account, "amount": o.amount}
        uow.publish(Event("StandingOrderPaid", "standing_order", str(o.id), payload))
    return run


def run_due(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """End-of-day chunk over standing order ids in (lo, hi]: each active order whose next run date is `day` (or
    before) makes one run. Guarded by its date: a run moves the next run date past `day`, so a re-run of the
    day finds nothing to do."""
    c = _orders.c
    due = and_(
        c.id > lo, c.id <= hi, c.status == "active", c.next_run_date.is_not(None), c.next_run_date <= day
    )
    ids = list(uow.conn.execute(select(c.id).where(due).order_by(c.id)).scalars())
    for start in range(0, len(ids), _LOAD_BATCH):
        part = ids[start : start + _LOAD_BATCH]
        q = select(StandingOrder).where(StandingOrder.id.in_(part)).order_by(StandingOrder.id)
        for o in list(uow.session.execute(q).scalars()):
            run_order(uow, o, day)
        uow.session.flush()
        uow.session.expunge_all()
    return len(ids)
