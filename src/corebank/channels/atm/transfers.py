"""ATM transfers to another person's account: debited at once into GL 2262 (ATM transfers awaiting credit) and
credited to the payee after `atm_transfer_delay_hours`, unless the payer or the bank revokes them first
(DOMAIN.md; a guard against a customer talked into paying a fraudster at an ATM). A transfer to the
customer's own account is credited at once.

The money in 2262 is booked in the payee account's branch, so that crediting it never crosses branches and
end of day can credit a whole chunk as one entry (`ledger.credit_many`). `credit_due` runs every minute in
`corebank atm serve`; end of day's step catches whatever is still due.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from corebank import accounts, ledger
from corebank.channels import limits, registry
from corebank.channels.atm.errors import AtmTransferNotFound, AtmTransferNotPending
from corebank.channels.atm.models import AtmTransfer
from corebank.channels.atm.schemas import AtmTransferRead, AtmTransferRevoke
from corebank.channels.errors import NotYours
from corebank.db import idempotency
from corebank.db.base import table_of
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import SYSTEM, Actor, P

TRANSFER_KIND = "atm.transfer"
CREDIT_KIND = "atm.transfer_credit"
REVOKED_KIND = "atm.transfer_revoked"
_t = table_of(AtmTransfer)
log = logging.getLogger("corebank.atm")


def record(
    uow: UnitOfWork,
    *,
    entry_id: int,
    terminal_id: str,
    stan: str,
    payer: accounts.PostingAccount,
    payee: accounts.PostingAccount,
    amount: Money,
    branch_code: str,
    due_at: datetime,
    credited: bool,
) -> int:
    """Keep an ATM transfer the switch has just posted (`credited` when it went straight to an own account);
    return its id."""
    return int(
        uow.conn.execute(
            insert(_t)
            .values(
                entry_id=entry_id,
                terminal_id=terminal_id,
                stan=stan,
                payer_account_id=payer.id,
                payer_account=payer.number,
                payer_customer_id=payer.customer_id,
                payee_account_id=payee.id,
                payee_account=payee.number,
                payee_customer_id=payee.customer_id,
                amount=amount.to_minor(),
                currency=amount.currency,
                branch_code=branch_code,
                due_at=due_at,
                status="credited" if credited else "pending",
                credit_entry_id=entry_id if credited else None,
                created_at=uow.now,
                settled_at=uow.now if credited else None,
            )
            .returning(_t.c.id)
        ).scalar_one()
    )


# ------------------------------------------------------------------------------------------------ crediting


def _credit_one(uow: UnitOfWork, row: Any) -> str:
    """Credit one due transfer to its payee, or give it back to the payer when the payee account can no
    longer receive (closed, credit-blocked, over its balance cap). Returns the new status ("skipped" when it
    was settled meanwhile, or when neither account can take the money: it stays pending for the staff)."""
    amount = Money.from_minor(row.amount, row.currency)
    claimed = uow.conn.execute(
        update(_t).where(_t.c.id == row.id, _t.c.status == "pending").values(status="crediting")
    )
    if claimed.rowcount != 1:
        return "skipped"
    try:
        with uow.session.begin_nested():
            payee = accounts.load_for_posting(uow, [row.payee_account])[row.payee_account]
            accounts.check_can_credit(payee)
            entry = ledger.post(
                uow,
                EntryDraft(
                    CREDIT_KIND,
                    (
                        Leg.debit(
                            chart.ATM_TRANSFERS_PENDING,
                            row.branch_code,
                            amount,
                            None,
                            f"ATM transfer {row.id}",
                        ),
                        Leg.credit(
                            payee.gl_code,
                            payee.branch_code,
                            amount,
                            payee.id,
                            f"ATM transfer from {row.payer_account}",
                        ),
                    ),
                    memo=f"ATM transfer {row.id} credited",
                    reference=f"ATMT{row.id}",
                ),
                by=SYSTEM.username,
                channel="atm",
            )
    except CoreBankError as refused:
        try:
            with uow.session.begin_nested():
                _give_back(uow, row, amount, SYSTEM, f"the payee account cannot receive ({refused.code})")
        except CoreBankError as exc:
            log.warning("ATM transfer %s stays pending: neither account can take it (%s)", row.id, exc.code)
            uow.conn.execute(update(_t).where(_t.c.id == row.id).values(status="pending"))
            return "skipped"
        return "revoked"
    uow.conn.execute(
        update(_t)
        .where(_t.c.id == row.id)
        .values(status="credited", credit_entry_id=entry.id, settled_at=uow.now)
    )
    uow.audit(SYSTEM, "atm.transfer_credit", "atm_transfer", row.id, entry=entry.id, amount=amount.text())
    uow.publish(_credited_event(row, entry.id))
    return "credited"


def _credited_event(row: Any, entry_id: int) -> Event:
    return Event(
        "AtmTransferCredited",
        "atm_transfer",
        str(row.id),
        {
            "entry_id": entry_id,
            "payer": row.payer_account,
            "payee": row.payee_account,
            "amount": row.amount,
            "currency": row.currency,
            "payee_customer": row.payee_customer_id,
        },
    )


def _give_back(uow: UnitOfWork, row: Any, amount: Money, actor: Actor, reason: str) -> int:
    """Post 2262 back to the payer, mark the transfer revoked and free the day's ATM transfer limit."""
    payer = accounts.load_for_posting(uow, [row.payer_account])[row.payer_account]
    accounts.check_can_credit(payer)
    entry = ledger.post(
        uow,
        EntryDraft(
            REVOKED_KIND,
            (
                Leg.debit(
                    chart.ATM_TRANSFERS_PENDING, row.branch_code, amount, None, f"ATM transfer {row.id}"
                ),
                Leg.credit(
                    payer.gl_code, payer.branch_code, amount, payer.id, f"ATM transfer {row.id} revoked"
                ),
            ),
            memo=f"ATM transfer {row.id} revoked: {reason}"[:200],
            reference=f"ATMT{row.id}",
        ),
        by=actor.username,
        channel="atm",
    )
    uow.conn.execute(
        update(_t)
        .where(_t.c.id == row.id)
        .values(
            status="revoked",
            revoke_entry_id=entry.id,
            revoked_by=actor.username,
            revoke_reason=reason[:200],
            settled_at=uow.now,
        )
    )
    limits.release(uow, customer_id=row.payer_customer_id, channel="atm", tx_type="transfer", amount=amount)
    uow.audit(actor, "atm.transfer_revoke", "atm_transfer", row.id, entry=entry.id, reason=reason)
    uow.publish(
        Event("AtmTransferRevoked", "atm_transfer", str(row.id), {"entry_id": entry.id, "reason": reason})
    )
    return entry.id


def credit_due(uow: UnitOfWork, now: datetime, limit: int = 500) -> int:
    """Credit the pending ATM transfers whose delay has passed by `now` (at most `limit` of them, oldest
    first); return how many were settled. `corebank atm serve` runs it every minute."""
    rows = uow.conn.execute(
        select(_t).where(_t.c.status == "pending", _t.c.due_at <= now).order_by(_t.c.id).limit(limit)
    ).all()
    return sum(1 for r in rows if _credit_one(uow, r) != "skipped")


def highest_transfer_id(uow: UnitOfWork, day: date) -> int:
    """The highest ATM transfer id (0 when there is none): the end-of-day step's upper bound."""
    return int(uow.conn.execute(select(func.max(_t.c.id))).scalar() or 0)


def credit_due_chunk(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """End-of-day chunk over transfer ids in (lo, hi]: the pending transfers due by now are credited as one
    entry (a credit per payee account, one debit of 2262 per branch). Payees that cannot take a bulk credit
    (closed, credit-blocked, a Type III account with its balance cap) go one by one through `post()`.
    Guarded by the status: running it again finds nothing pending that it already credited."""
    rows = uow.conn.execute(
        select(_t)
        .where(_t.c.id > lo, _t.c.id <= hi, _t.c.status == "pending", _t.c.due_at <= uow.now)
        .order_by(_t.c.id)
    ).all()
    if not rows:
        return 0
    found = accounts.load_for_posting(uow, sorted({r.payee_account for r in rows}))
    bulk: list[Any] = []
    single: list[Any] = []
    for r in rows:
        acc = found[r.payee_account]
        ok = acc.status in ("active", "dormant") and not acc.credit_blocked and acc.account_class != 3
        (bulk if ok and acc.branch_code == r.branch_code else single).append(r)
    totals: dict[int, int] = defaultdict(int)
    for r in bulk:
        totals[found[r.payee_account].id] += r.amount
    entry_id = ledger.credit_many(
        uow,
        kind=CREDIT_KIND,
        memo="ATM transfers credited after the delay",
        contra_gl=chart.ATM_TRANSFERS_PENDING,
        credits=sorted(totals.items()),
        by=SYSTEM.username,
        narrative="ATM transfer",
        channel="atm",
    )
    if bulk and entry_id is not None:
        ids = [r.id for r in bulk]
        uow.conn.execute(
            update(_t)
            .where(_t.c.id.in_(ids), _t.c.status == "pending")
            .values(status="credited", credit_entry_id=entry_id, settled_at=uow.now)
        )
        for r in bulk:
            uow.publish(_credited_event(r, entry_id))
        uow.audit(
            SYSTEM, "atm.transfer_credit", "entry", entry_id, transfers=len(ids), first=ids[0], last=ids[-1]
        )
    for r in single:
        _credit_one(uow, r)
    return len(rows)


# ------------------------------------------------------------------------------------------------ revoking


def _view(row: Any) -> AtmTransferRead:
    return AtmTransferRead(
        id=row.id,
        entry_id=row.entry_id,
        terminal_id=row.terminal_id,
        payer_account=row.payer_account,
        payee_account=row.payee_account,
        amount=minor_to_text(row.amount, row.currency),
        currency=row.currency,
        due_at=row.due_at,
        status=row.status,
        credit_entry_id=row.credit_entry_id,
        revoke_entry_id=row.revoke_entry_id,
        revoked_by=row.revoked_by,
        revoke_reason=row.revoke_reason,
        created_at=row.created_at,
        settled_at=row.settled_at,
    )


def _row_for(uow: UnitOfWork, actor: Actor, transfer_id: int) -> Any:
    """The transfer if the actor may see it: a customer only their own (else not found), staff within their
    branch scope (the payer's or the payee's branch)."""
    row = uow.conn.execute(select(_t).where(_t.c.id == transfer_id)).first()
    if actor.is_customer:
        if row is None or row.payer_customer_id != actor.customer_id:
            raise NotYours(f"no ATM transfer {transfer_id}")
        return row
    if row is None:
        raise AtmTransferNotFound(f"no ATM transfer {transfer_id}")
    actor.require_branch(row.branch_code)
    return row


def get_transfer(uow: UnitOfWork, actor: Actor, transfer_id: int) -> AtmTransferRead:
    """One ATM transfer (staff with PAYMENT_READ, or the payer customer)."""
    if not actor.is_customer:
        actor.require(P.PAYMENT_READ)
    return _view(_row_for(uow, actor, transfer_id))


def list_transfers(
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AtmTransferRead]:
    """ATM transfers, newest first: a customer's own as payer, or for staff those booked in their branches."""
    q = select(_t)
    if actor.is_customer:
        q = q.where(_t.c.payer_customer_id == actor.customer_id)
    else:
        actor.require(P.PAYMENT_READ)
        if actor.branches is not None:
            q = q.where(_t.c.branch_code.in_(sorted(actor.branches)))
    if status:
        q = q.where(_t.c.status == status)
    if before_id is not None:
        q = q.where(_t.c.id < before_id)
    return [_view(r) for r in uow.conn.execute(q.order_by(_t.c.id.desc()).limit(limit))]


def revoke(
    uow: UnitOfWork, actor: Actor, transfer_id: int, cmd: AtmTransferRevoke, key: str | None
) -> AtmTransferRead:
    """Revoke a pending ATM transfer before it is credited: the money goes back from 2262 to the payer.
    Staff need PAYMENT_OPERATE and the branch in scope; a customer may revoke their own (on an open channel)."""
    if actor.is_customer:
        registry.require_open(uow, actor.channel, "transfer")
    else:
        actor.require(P.PAYMENT_OPERATE)

    def work() -> dict[str, Any]:
        row = _row_for(uow, actor, transfer_id)
        claimed = uow.conn.execute(
            update(_t).where(_t.c.id == row.id, _t.c.status == "pending").values(status="revoking")
        )
        if claimed.rowcount != 1:
            raise AtmTransferNotPending(f"ATM transfer {transfer_id} is {row.status}")
        reason = cmd.reason or ("revoked by the payer" if actor.is_customer else "revoked by the bank")
        _give_back(uow, row, Money.from_minor(row.amount, row.currency), actor, reason)
        fresh = uow.conn.execute(select(_t).where(_t.c.id == row.id)).one()
        return _view(fresh).model_dump(mode="json")

    scope = f"atm.transfer.revoke:{actor.username}"
    return AtmTransferRead(**idempotency.once(uow, scope, key, {"id": transfer_id, **cmd.model_dump()}, work))
