"""Holds (止付), freezes (冻结), debit and credit blocks, dormancy reactivation, and their expiry."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from corebank import ledger
from corebank.accounts.errors import (
    AccountClosed,
    HoldNotFound,
)
from corebank.accounts.models import AccountHold, DepositAccount
from corebank.accounts.schemas import (
    AccountRead,
    BlockRequest,
    FreezeRequest,
    HoldRead,
    HoldRequest,
    UnfreezeRequest,
)
from corebank.accounts.service import _load, account_read
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import minor_to_text, positive_amount
from corebank.security import SYSTEM, Actor, P

FREEZES = ("freeze_partial", "freeze_full")

# ---------------------------------------------------------------- holds, freezes, blocks


def _sync_rules(uow: UnitOfWork, acc: DepositAccount) -> None:
    """Carry the account's state into the ledger's movement rules, so posting enforces it race-free."""
    ledger.set_movement_rules(
        uow,
        acc.id,
        allow_decrease=acc.status == "active" and not acc.debit_blocked,
        allow_increase=acc.status in ("active", "dormant", "frozen") and not acc.credit_blocked,
    )


def _hold_read(h: AccountHold, number: str, currency: str) -> HoldRead:
    return HoldRead(
        id=h.id,
        account=number,
        kind=h.kind,
        amount=minor_to_text(h.amount, currency),
        reason=h.reason,
        authority=h.authority,
        document_no=h.document_no,
        expires_on=h.expires_on,
        status=h.status,
        placed_by=h.placed_by,
        placed_at=h.placed_at,
        released_by=h.released_by,
        released_at=h.released_at,
    )


def ensure_open(acc: DepositAccount) -> None:
    """Refuse to act on a closed account."""
    if acc.status == "closed":
        raise AccountClosed(f"account {acc.number} is closed")


def _place(
    uow: UnitOfWork,
    actor: Actor,
    acc: DepositAccount,
    kind: str,
    amount: int,
    reason: str,
    expires_on: date | None,
    *,
    authority: str = "",
    document_no: str = "",
) -> AccountHold:
    """Record a hold or freeze and move its amount (if any) out of the available balance."""
    if expires_on is not None and expires_on <= uow.business_date:
        raise InvalidRequest(f"a {'hold' if kind == 'hold' else 'freeze'} must expire after today")
    h = AccountHold(
        account_id=acc.id,
        kind=kind,
        amount=amount,
        reason=reason,
        authority=authority,
        document_no=document_no,
        expires_on=expires_on,
        status="active",
        placed_by=actor.username,
        placed_at=uow.now,
        released_by=None,
        released_at=None,
    )
    uow.session.add(h)
    uow.session.flush()
    if amount:
        ledger.change_held(uow, acc.id, amount)
    return h


def freeze(uow: UnitOfWork, actor: Actor, number: str, cmd: FreezeRequest) -> HoldRead:
    """Freeze an account fully (全部冻结: nothing may leave) or by an amount (部分冻结)."""
    actor.require(P.ACCOUNT_FREEZE)
    acc = _load(uow, actor, number)
    ensure_open(acc)
    amount = 0
    if cmd.kind == "partial":
        if not cmd.amount:
            raise InvalidRequest("a partial freeze needs an amount")
        amount = positive_amount(cmd.amount, acc.currency).to_minor()
    elif cmd.amount:
        raise InvalidRequest("a full freeze takes no amount")
    h = _place(
        uow,
        actor,
        acc,
        f"freeze_{cmd.kind}",
        amount,
        cmd.reason,
        cmd.expires_on,
        authority=cmd.authority,
        document_no=cmd.document_no,
    )
    if not amount:
        acc.status = "frozen"
        _sync_rules(uow, acc)
    uow.audit(
        actor,
        "account.freeze",
        "account",
        number,
        kind=cmd.kind,
        amount=amount,
        reason=cmd.reason,
        authority=cmd.authority,
        document_no=cmd.document_no,
        hold_id=h.id,
    )
    uow.publish(Event("AccountFrozen", "account", number, {"kind": cmd.kind, "amount": amount}))
    return _hold_read(h, number, acc.currency)


def _release(uow: UnitOfWork, actor: Actor, acc: DepositAccount, h: AccountHold, reason: str) -> None:
    h.status, h.released_by, h.released_at = "released", actor.username, uow.now
    if h.amount:
        ledger.change_held(uow, acc.id, -h.amount)
    if h.kind == "freeze_full":
        still = uow.session.execute(
            select(AccountHold.id).where(
                AccountHold.account_id == acc.id,
                AccountHold.kind == "freeze_full",
                AccountHold.status == "active",
                AccountHold.id != h.id,
            )
        ).first()
        if not still:
            acc.status = "active"
            _sync_rules(uow, acc)
    uow.audit(actor, f"account.release_{h.kind}", "account", acc.number, hold_id=h.id, reason=reason)


def unfreeze(uow: UnitOfWork, actor: Actor, number: str, cmd: UnfreezeRequest) -> HoldRead:
    """Lift a freeze (name it when several are active)."""
    actor.require(P.ACCOUNT_FREEZE)
    acc = _load(uow, actor, number)
    q = select(AccountHold).where(
        AccountHold.account_id == acc.id, AccountHold.status == "active", AccountHold.kind.in_(FREEZES)
    )
    if cmd.freeze_id is not None:
        q = q.where(AccountHold.id == cmd.freeze_id)
    found = uow.session.execute(q).scalars().all()
    if not found:
        raise HoldNotFound(f"account {number} has no such active freeze")
    if len(found) > 1:
        raise InvalidRequest(f"account {number} has {len(found)} active freezes; say which (freeze_id)")
    _release(uow, actor, acc, found[0], cmd.reason)
    uow.publish(Event("AccountUnfrozen", "account", number, {"hold_id": found[0].id}))
    return _hold_read(found[0], number, acc.currency)


def place_hold(uow: UnitOfWork, actor: Actor, number: str, cmd: HoldRequest) -> HoldRead:
    """Hold an amount (止付): it stays in the balance but is not available."""
    actor.require(P.ACCOUNT_HOLD)
    acc = _load(uow, actor, number)
    ensure_open(acc)
    amount = positive_amount(cmd.amount, acc.currency).to_minor()
    h = _place(uow, actor, acc, "hold", amount, cmd.reason, cmd.expires_on)
    uow.audit(actor, "account.hold", "account", number, amount=amount, reason=cmd.reason, hold_id=h.id)
    return _hold_read(h, number, acc.currency)


def release_hold(uow: UnitOfWork, actor: Actor, number: str, hold_id: int, reason: str) -> HoldRead:
    """Release a hold (freezes are lifted with `unfreeze`)."""
    actor.require(P.ACCOUNT_HOLD)
    acc = _load(uow, actor, number)
    h = uow.session.get(AccountHold, hold_id)
    if h is None or h.account_id != acc.id or h.status != "active" or h.kind != "hold":
        raise HoldNotFound(f"account {number} has no active hold {hold_id}")
    _release(uow, actor, acc, h, reason)
    return _hold_read(h, number, acc.currency)


def list_holds(uow: UnitOfWork, actor: Actor, number: str, *, active_only: bool = True) -> list[HoldRead]:
    """Holds and freezes on an account."""
    actor.require(P.ACCOUNT_READ)
    acc = _load(uow, actor, number)
    q = select(AccountHold).where(AccountHold.account_id == acc.id)
    if active_only:
        q = q.where(AccountHold.status == "active")
    return [
        _hold_read(h, number, acc.currency) for h in uow.session.execute(q.order_by(AccountHold.id)).scalars()
    ]


def expire_holds(uow: UnitOfWork, business_date: date) -> int:
    """End-of-day step: release holds and freezes whose expiry date has come (set-based per account)."""
    rows = uow.session.execute(
        select(AccountHold.id, AccountHold.account_id, AccountHold.amount, AccountHold.kind).where(
            AccountHold.status == "active",
            AccountHold.expires_on.is_not(None),
            AccountHold.expires_on <= business_date,
        )
    ).all()
    for r in rows:
        acc = uow.session.get(DepositAccount, r.account_id)
        h = uow.session.get(AccountHold, r.id)
        if acc is not None and h is not None:
            _release(uow, SYSTEM, acc, h, "expired")
            h.status = "expired"
    return len(rows)


def set_blocks(uow: UnitOfWork, actor: Actor, number: str, cmd: BlockRequest) -> AccountRead:
    """Set or lift debit-blocked (只收不付) and credit-blocked (只付不收)."""
    actor.require(P.ACCOUNT_FREEZE)
    acc = _load(uow, actor, number)
    ensure_open(acc)
    if cmd.debit_blocked is not None:
        acc.debit_blocked = cmd.debit_blocked
    if cmd.credit_blocked is not None:
        acc.credit_blocked = cmd.credit_blocked
    _sync_rules(uow, acc)
    uow.audit(
        actor,
        "account.blocks",
        "account",
        number,
        debit_blocked=acc.debit_blocked,
        credit_blocked=acc.credit_blocked,
        reason=cmd.reason,
    )
    return account_read(uow, acc)


def reactivate(uow: UnitOfWork, actor: Actor, number: str, reason: str) -> AccountRead:
    """Bring a dormant account back to active (the customer showed ID at the counter)."""
    actor.require(P.ACCOUNT_HOLD)
    acc = _load(uow, actor, number)
    if acc.status != "dormant":
        raise InvalidRequest(f"account {number} is {acc.status}, not dormant")
    acc.status = "active"
    _sync_rules(uow, acc)
    uow.audit(actor, "account.reactivate", "account", number, reason=reason)
    return account_read(uow, acc)
