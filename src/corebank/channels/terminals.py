"""ATM and POS terminals: the registry the ISO 8583 switch checks, each terminal's TDES PIN key (kept encrypted
with the field cipher), and the cash inside each ATM as a sub-ledger account under GL 1005 (库存现金-自助设备),
loaded from and unloaded to the branch vault (加钞 / 清机)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from corebank import ledger, tellers
from corebank.channels.card_errors import (
    TerminalExists,
    TerminalKeyInvalid,
    TerminalNotAtm,
    TerminalNotFound,
)
from corebank.channels.card_models import AtmTerminal
from corebank.channels.terminal_schemas import TerminalCash, TerminalCreate, TerminalInfo, TerminalRead
from corebank.db import idempotency
from corebank.db.base import table_of
from corebank.db.fastsql import FastSQL
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import minor_to_text, positive_amount
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import Actor, P, cipher_for

CURRENCY = "CNY"
CASH_LOAD_KIND = "atm.cash_load"
CASH_UNLOAD_KIND = "atm.cash_unload"
_t = table_of(AtmTerminal)


def parse_pin_key(text: str) -> bytes:
    """A double- or triple-length TDES key from 32 or 48 hex characters; TERMINAL_KEY_INVALID otherwise, and
    for a double-length key whose halves are equal (that is single DES)."""
    text = text.strip()
    if len(text) not in (32, 48):
        raise TerminalKeyInvalid()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise TerminalKeyInvalid() from None
    if key[:8] == key[8:16]:
        raise TerminalKeyInvalid("the key's first two halves are equal: that is single DES")
    return key


def _read(row: AtmTerminal, balance: int | None) -> TerminalRead:
    return TerminalRead(
        terminal_id=row.terminal_id,
        kind=row.kind,
        branch_code=row.branch_code,
        location=row.location,
        merchant_name=row.merchant_name,
        status=row.status,
        signed_on=row.signed_on,
        last_seen_at=row.last_seen_at,
        currency=row.currency,
        cash_balance=None if balance is None else minor_to_text(balance, row.currency),
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _balances(uow: UnitOfWork, rows: list[AtmTerminal]) -> dict[int, int]:
    ids = [r.cash_account_id for r in rows if r.cash_account_id is not None]
    return {k: v.balance for k, v in ledger.balances(uow, ids).items()}


def add_terminal(uow: UnitOfWork, actor: Actor, cmd: TerminalCreate) -> TerminalRead:
    """Register an ATM or POS terminal with its PIN key; an ATM gets its own cash account under GL 1005 in
    its branch."""
    actor.require(P.CHANNEL_ADMIN)
    actor.require_branch(cmd.branch_code)
    key = parse_pin_key(cmd.pin_key)
    tid = cmd.terminal_id.upper()
    if uow.conn.execute(select(_t.c.id).where(_t.c.terminal_id == tid)).first():
        raise TerminalExists(f"terminal {tid} is already registered")
    if cmd.branch_code not in {b["code"] for b in ledger.list_branches(uow)}:
        raise InvalidRequest(f"no branch {cmd.branch_code}")
    cash_id = None
    if cmd.kind == "atm":
        cash_id = ledger.open_account(
            uow, gl_code=chart.ATM_CASH, branch_code=cmd.branch_code, currency=CURRENCY
        )
    row = AtmTerminal(
        terminal_id=tid,
        kind=cmd.kind,
        branch_code=cmd.branch_code,
        location=cmd.location,
        merchant_name=cmd.merchant_name,
        pin_key_cipher=cipher_for(uow.settings).encrypt(key.hex().upper()),
        cash_account_id=cash_id,
        currency=CURRENCY,
        status="active",
        signed_on=False,
        last_seen_at=None,
        created_by=actor.username,
        created_at=uow.now,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.audit(
        actor, "terminal.add", "terminal", tid, kind=cmd.kind, branch=cmd.branch_code, location=cmd.location
    )
    return _read(row, 0 if cash_id is not None else None)


def list_terminals(uow: UnitOfWork, actor: Actor) -> list[TerminalRead]:
    """The terminals of the actor's branches, with the cash in each ATM."""
    actor.require(P.CHANNEL_READ)
    q = select(AtmTerminal).order_by(AtmTerminal.terminal_id)
    if actor.branches is not None:
        q = q.where(AtmTerminal.branch_code.in_(actor.branches))
    rows = list(uow.session.execute(q).scalars())
    bal = _balances(uow, rows)
    return [_read(r, bal.get(r.cash_account_id) if r.cash_account_id else None) for r in rows]


def _load(uow: UnitOfWork, actor: Actor, terminal_id: str) -> AtmTerminal:
    row = uow.session.execute(
        select(AtmTerminal).where(AtmTerminal.terminal_id == terminal_id.upper())
    ).scalar()
    if row is None:
        raise TerminalNotFound(f"no terminal {terminal_id}")
    actor.require_branch(row.branch_code)
    return row


def terminal_detail(uow: UnitOfWork, actor: Actor, terminal_id: str) -> TerminalRead:
    """One terminal, with the cash in it if it is an ATM."""
    actor.require(P.CHANNEL_READ)
    row = _load(uow, actor, terminal_id)
    return _read(row, _balances(uow, [row]).get(row.cash_account_id) if row.cash_account_id else None)


_GET = FastSQL("""
    SELECT terminal_id, kind, branch_code, status, pin_key_cipher, cash_account_id, currency, signed_on,
           merchant_name
      FROM atm_terminals WHERE terminal_id = :terminal_id
""")


def get_terminal(uow: UnitOfWork, terminal_id: str) -> TerminalInfo | None:
    """What the switch needs of a terminal (its clear PIN key included), or None if it is not registered."""
    cursor = _GET.execute(uow, {"terminal_id": terminal_id})
    r = cursor.fetchone()
    cursor.close()
    if r is None:
        return None
    tid, kind, branch_code, status, key_cipher, cash_account_id, currency, signed_on, merchant_name = r
    return TerminalInfo(
        terminal_id=tid,
        kind=kind,
        branch_code=branch_code,
        status=status,
        pin_key=bytes.fromhex(cipher_for(uow.settings).decrypt(key_cipher)),
        cash_account_id=cash_account_id,
        currency=currency,
        signed_on=bool(signed_on),
        merchant_name=merchant_name,
    )


def mark_signed_on(uow: UnitOfWork, terminal_id: str, signed_on: bool) -> None:
    """Record a terminal's sign-on (0800 network code 001) or sign-off (002), and that it was seen now."""
    uow.conn.execute(
        update(_t).where(_t.c.terminal_id == terminal_id).values(signed_on=signed_on, last_seen_at=uow.now)
    )


def mark_seen(uow: UnitOfWork, terminal_id: str) -> None:
    """Record that a terminal was heard from now (an echo, a transaction)."""
    uow.conn.execute(update(_t).where(_t.c.terminal_id == terminal_id).values(last_seen_at=uow.now))


def set_status(uow: UnitOfWork, actor: Actor, terminal_id: str, status: str) -> TerminalRead:
    """Disable a terminal (the switch then refuses it) or enable it again."""
    actor.require(P.CHANNEL_ADMIN)
    if status not in ("active", "disabled"):
        raise InvalidRequest("a terminal is active or disabled")
    row = _load(uow, actor, terminal_id)
    row.status = status
    uow.session.flush()
    uow.audit(actor, f"terminal.{'enable' if status == 'active' else 'disable'}", "terminal", row.terminal_id)
    return _read(row, _balances(uow, [row]).get(row.cash_account_id) if row.cash_account_id else None)


def move_cash(
    uow: UnitOfWork, actor: Actor, terminal_id: str, cmd: TerminalCash, idempotency_key: str | None
) -> TerminalRead:
    """Load cash from the branch vault into an ATM (Dr 1005 the ATM / Cr 1001 the vault), or unload it back
    (the reverse). Idempotent: a retry with the same key returns the first answer and posts nothing."""
    actor.require(P.CASH_OPERATE)
    body = {"terminal": terminal_id.upper(), **cmd.model_dump()}

    def work() -> dict[str, Any]:
        row = _load(uow, actor, terminal_id)
        if row.kind != "atm" or row.cash_account_id is None:
            raise TerminalNotAtm(f"terminal {row.terminal_id} is a {row.kind}; only an ATM holds cash")
        amount = positive_amount(cmd.amount, row.currency)
        vault = tellers.vault_account(uow, row.branch_code, row.currency)
        load = cmd.direction == "load"
        atm_leg = (Leg.debit if load else Leg.credit)(
            chart.ATM_CASH, row.branch_code, amount, row.cash_account_id, f"ATM {row.terminal_id}"
        )
        vault_leg = (Leg.credit if load else Leg.debit)(
            chart.VAULT_CASH, row.branch_code, amount, vault, "branch vault"
        )
        kind = CASH_LOAD_KIND if load else CASH_UNLOAD_KIND
        entry = ledger.post(
            uow,
            EntryDraft(
                kind,
                (atm_leg, vault_leg) if load else (vault_leg, atm_leg),
                memo=f"{'load' if load else 'unload'} ATM {row.terminal_id}",
                reference=tellers.voucher_number(uow, row.branch_code),
            ),
            by=actor.username,
            channel=actor.channel,
        )
        uow.audit(
            actor,
            f"terminal.cash_{cmd.direction}",
            "terminal",
            row.terminal_id,
            amount=amount.text(),
            entry=entry.id,
        )
        return _read(row, _balances(uow, [row])[row.cash_account_id]).model_dump(mode="json")

    scope = f"atm.cash:{actor.username}"
    return TerminalRead(**idempotency.once(uow, scope, idempotency_key, body, work))


def load_cash(
    uow: UnitOfWork, actor: Actor, terminal_id: str, amount: str, idempotency_key: str | None
) -> TerminalRead:
    """Load `amount` of cash from the branch vault into an ATM (idempotent)."""
    return move_cash(uow, actor, terminal_id, TerminalCash(amount=amount, direction="load"), idempotency_key)


def unload_cash(
    uow: UnitOfWork, actor: Actor, terminal_id: str, amount: str, idempotency_key: str | None
) -> TerminalRead:
    """Take `amount` of cash out of an ATM back into the branch vault (idempotent)."""
    return move_cash(
        uow, actor, terminal_id, TerminalCash(amount=amount, direction="unload"), idempotency_key
    )
