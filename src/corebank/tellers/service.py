"""Teller cash: vaults, tills opened per business day, cash between vault and till, till balancing (轧账),
and voucher serial numbers for counter transactions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from corebank import ledger
from corebank.db import idempotency
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidAmount
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import Actor, P
from corebank.tellers.errors import (
    NotYourTill,
    TillAlreadyOpen,
    TillClosed,
    TillNotFound,
    TillNotOpen,
    VaultNotFound,
)
from corebank.tellers.models import Till, Vault
from corebank.tellers.schemas import CashMove, TillClose, TillOpen, TillRead, VaultRead


@dataclass(frozen=True, slots=True)
class TillRef:
    """The till a counter transaction draws on or pays into."""

    id: int
    ledger_account_id: int
    branch_code: str
    currency: str


def voucher_number(uow: UnitOfWork, branch_code: str) -> str:
    """The next voucher serial (凭证号) of a branch for the business date: BBBB-YYYYMMDD-NNNNNN."""
    bd = uow.business_date
    n = next_number(uow, f"voucher:{branch_code}:{bd:%Y%m%d}")
    return f"{branch_code}-{bd:%Y%m%d}-{n:06d}"


def open_vault(uow: UnitOfWork, branch_code: str, currency: str) -> int:
    """Give a branch a vault in `currency` (its cash is a sub-ledger account under vault cash)."""
    existing = uow.session.execute(
        select(Vault.id).where(Vault.branch_code == branch_code, Vault.currency == currency)
    ).scalar()
    if existing:
        return int(existing)
    acc = ledger.open_account(uow, gl_code=chart.VAULT_CASH, branch_code=branch_code, currency=currency)
    v = Vault(branch_code=branch_code, currency=currency, ledger_account_id=acc)
    uow.session.add(v)
    uow.session.flush()
    return v.id


def _vault(uow: UnitOfWork, branch_code: str, currency: str) -> Vault:
    v = uow.session.execute(
        select(Vault).where(Vault.branch_code == branch_code, Vault.currency == currency)
    ).scalar()
    if v is None:
        raise VaultNotFound(f"branch {branch_code} has no {currency} vault")
    return v


def vault_balance(uow: UnitOfWork, actor: Actor, branch_code: str, currency: str = "CNY") -> VaultRead:
    """The cash in a branch's vault."""
    actor.require(P.CASH_OPERATE)
    actor.require_branch(branch_code)
    v = _vault(uow, branch_code, currency)
    bal = ledger.balances(uow, [v.ledger_account_id])[v.ledger_account_id]
    return VaultRead(branch_code=branch_code, currency=currency, balance=minor_to_text(bal.balance, currency))


def _read(uow: UnitOfWork, t: Till) -> TillRead:
    bal = ledger.balances(uow, [t.ledger_account_id])[t.ledger_account_id].balance
    return TillRead(
        id=t.id,
        username=t.username,
        branch_code=t.branch_code,
        business_date=t.business_date,
        currency=t.currency,
        status=t.status,
        balance=minor_to_text(bal, t.currency),
        counted=None if t.counted is None else minor_to_text(t.counted, t.currency),
        difference=None if t.difference is None else minor_to_text(t.difference, t.currency),
        opened_at=t.opened_at,
        closed_at=t.closed_at,
    )


def open_till(uow: UnitOfWork, actor: Actor, cmd: TillOpen) -> TillRead:
    """Open the caller's till for the business date, optionally taking opening cash from the vault."""
    actor.require(P.CASH_OPERATE)
    bd = uow.business_date
    if uow.session.execute(
        select(Till.id).where(
            Till.username == actor.username, Till.business_date == bd, Till.currency == cmd.currency
        )
    ).first():
        raise TillAlreadyOpen(f"{actor.username} already has a {cmd.currency} till for {bd}")
    _vault(uow, actor.branch_code, cmd.currency)
    acc = ledger.open_account(
        uow, gl_code=chart.TELLER_CASH, branch_code=actor.branch_code, currency=cmd.currency
    )
    till = Till(
        username=actor.username,
        branch_code=actor.branch_code,
        business_date=bd,
        currency=cmd.currency,
        ledger_account_id=acc,
        status="open",
        opened_at=uow.now,
        closed_at=None,
        counted=None,
        difference=None,
    )
    uow.session.add(till)
    uow.session.flush()
    uow.audit(actor, "till.open", "till", till.id, business_date=str(bd))
    if cmd.opening_cash:
        _move_vault_cash(uow, actor, till, positive_amount(cmd.opening_cash, cmd.currency), to_till=True)
    return _read(uow, till)


def _own_open_till(uow: UnitOfWork, actor: Actor, till_id: int) -> Till:
    till = uow.session.get(Till, till_id)
    if till is None:
        raise TillNotFound(f"no till {till_id}")
    actor.require_branch(till.branch_code)
    if till.username != actor.username:
        raise NotYourTill(f"till {till_id} belongs to {till.username}")
    if till.status != "open" or till.business_date != uow.business_date:
        raise TillClosed(f"till {till_id} is {till.status} (business date {till.business_date})")
    return till


def _move_vault_cash(uow: UnitOfWork, actor: Actor, till: Till, amount: Money, *, to_till: bool) -> str:
    vault = _vault(uow, till.branch_code, till.currency)
    till_leg = (Leg.debit if to_till else Leg.credit)(
        chart.TELLER_CASH, till.branch_code, amount, till.ledger_account_id
    )
    vault_leg = (Leg.credit if to_till else Leg.debit)(
        chart.VAULT_CASH, till.branch_code, amount, vault.ledger_account_id
    )
    voucher = voucher_number(uow, till.branch_code)
    kind = "vault_to_till" if to_till else "till_to_vault"
    entry = ledger.post(
        uow,
        EntryDraft(kind, (till_leg, vault_leg), memo=kind.replace("_", " "), reference=voucher),
        by=actor.username,
    )
    uow.audit(actor, f"till.{kind}", "till", till.id, amount=amount.text(), entry=entry.id, voucher=voucher)
    return voucher


def _vault_exchange(
    uow: UnitOfWork, actor: Actor, till_id: int, cmd: CashMove, key: str | None, *, to_till: bool
) -> TillRead:
    actor.require(P.CASH_OPERATE)

    def work() -> dict[str, Any]:
        till = _own_open_till(uow, actor, till_id)
        _move_vault_cash(uow, actor, till, positive_amount(cmd.amount, till.currency), to_till=to_till)
        return _read(uow, till).model_dump(mode="json")

    scope = f"till.{'take' if to_till else 'return'}:{actor.username}"
    return TillRead(**idempotency.once(uow, scope, key, {"till": till_id, **cmd.model_dump()}, work))


def take_from_vault(
    uow: UnitOfWork, actor: Actor, till_id: int, cmd: CashMove, idempotency_key: str | None
) -> TillRead:
    """Receive cash from the branch vault into the caller's till."""
    return _vault_exchange(uow, actor, till_id, cmd, idempotency_key, to_till=True)


def return_to_vault(
    uow: UnitOfWork, actor: Actor, till_id: int, cmd: CashMove, idempotency_key: str | None
) -> TillRead:
    """Hand cash from the caller's till back to the vault."""
    return _vault_exchange(uow, actor, till_id, cmd, idempotency_key, to_till=False)


def current_till(uow: UnitOfWork, username: str, currency: str) -> TillRef:
    """The open till of teller `username` for today in `currency`."""
    row = uow.conn.execute(
        select(Till.id, Till.ledger_account_id, Till.branch_code, Till.currency).where(
            Till.username == username,
            Till.business_date == uow.business_date,
            Till.currency == currency,
            Till.status == "open",
        )
    ).first()
    if row is None:
        raise TillNotOpen(f"{username} has no open {currency} till for {uow.business_date}")
    return TillRef(row.id, row.ledger_account_id, row.branch_code, row.currency)


def close_till(uow: UnitOfWork, actor: Actor, till_id: int, cmd: TillClose) -> TillRead:
    """Balance the till (轧账): counted cash against the system. A difference posts to cash over (长款) or
    cash short (短款) pending review; then the counted cash goes back to the vault and the till closes."""
    actor.require(P.CASH_OPERATE)
    till = _own_open_till(uow, actor, till_id)
    counted = Money.of(cmd.counted, till.currency)
    if counted.amount < 0:
        raise InvalidAmount("counted cash cannot be negative")
    system = ledger.balances(uow, [till.ledger_account_id])[till.ledger_account_id].balance
    diff = counted.to_minor() - system
    if diff:
        amount = Money.from_minor(abs(diff), till.currency)
        if diff > 0:
            legs = (
                Leg.debit(chart.TELLER_CASH, till.branch_code, amount, till.ledger_account_id),
                Leg.credit(chart.CASH_OVER, till.branch_code, amount),
            )
        else:
            legs = (
                Leg.debit(chart.CASH_SHORT, till.branch_code, amount),
                Leg.credit(chart.TELLER_CASH, till.branch_code, amount, till.ledger_account_id),
            )
        entry = ledger.post(
            uow,
            EntryDraft(
                "till_difference",
                legs,
                memo="till over" if diff > 0 else "till short",
                reference=voucher_number(uow, till.branch_code),
            ),
            by=actor.username,
        )
        uow.publish(
            Event("TillDifferenceFound", "till", str(till.id), {"difference": diff, "entry": entry.id})
        )
    if counted.is_positive():
        _move_vault_cash(uow, actor, till, counted, to_till=False)
    ledger.close_account(uow, till.ledger_account_id)
    till.status, till.closed_at, till.counted, till.difference = "closed", uow.now, counted.to_minor(), diff
    uow.audit(actor, "till.close", "till", till.id, counted=counted.text(), difference=diff)
    return _read(uow, till)


def get_till(uow: UnitOfWork, actor: Actor, till_id: int) -> TillRead:
    """One till, within the caller's branch scope."""
    actor.require(P.CASH_OPERATE)
    till = uow.session.get(Till, till_id)
    if till is None:
        raise TillNotFound(f"no till {till_id}")
    actor.require_branch(till.branch_code)
    return _read(uow, till)


def list_tills(uow: UnitOfWork, actor: Actor, branch_code: str | None = None) -> list[TillRead]:
    """The tills of the business date in a branch (default: the caller's)."""
    actor.require(P.CASH_OPERATE)
    branch = branch_code or actor.branch_code
    actor.require_branch(branch)
    rows = (
        uow.session.execute(
            select(Till)
            .where(Till.branch_code == branch, Till.business_date == uow.business_date)
            .order_by(Till.id)
        )
        .scalars()
        .all()
    )
    return [_read(uow, t) for t in rows]


def vault_account(uow: UnitOfWork, branch_code: str, currency: str) -> int:
    """The ledger account id of a branch's vault."""
    return _vault(uow, branch_code, currency).ledger_account_id
