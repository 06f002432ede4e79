"""A customer's payees (收款人): accounts they pay often, in this bank or at another bank.

A payee in this bank must name an open account with its holder's name (the same answer for a wrong number
and a wrong name, so the list cannot be used to find out who holds an account). The same account cannot be a
customer's payee twice. A removed payee is kept, marked deleted.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from corebank import accounts
from corebank.channels import me, registry
from corebank.channels.errors import NotYours
from corebank.channels.me_errors import PayeeAccountMismatch, PayeeBankCodeInvalid, PayeeExists
from corebank.channels.me_models import Payee
from corebank.channels.me_schemas import PayeeCreate, PayeeRead
from corebank.db.uow import UnitOfWork
from corebank.security import Actor

_BANK_CODE = re.compile(r"[0-9]{12}")


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def bank_code_of(uow: UnitOfWork, given: str | None) -> str:
    """The payee bank's CNAPS code: this bank's own when none is given; another bank's must be 12 digits."""
    code = (given or "").strip() or uow.settings.bank_code
    if not _BANK_CODE.fullmatch(code):
        raise PayeeBankCodeInvalid(f"bank code {code!r} is not 12 digits")
    return code


def payee_read(uow: UnitOfWork, p: Payee) -> PayeeRead:
    """A payee as the customer sees it."""
    return PayeeRead(
        payee_id=p.id,
        name=p.name,
        account_number=p.account_number,
        bank_code=p.bank_code,
        internal=p.bank_code == uow.settings.bank_code,
        nickname=p.nickname,
        created_at=p.created_at,
    )


def own_payee(uow: UnitOfWork, actor: Actor, payee_id: int) -> Payee:
    """The customer's own active payee; NotYours when there is none (or it is another's, or deleted)."""
    p = uow.session.get(Payee, payee_id)
    if p is None or p.customer_id != me.customer_of(actor) or p.status != "active":
        raise NotYours(f"you have no payee {payee_id}")
    return p


def list_payees(uow: UnitOfWork, actor: Actor) -> list[PayeeRead]:
    """The customer's payees, oldest first."""
    registry.require_open(uow, actor.channel, me.TRANSFER)
    rows = uow.session.execute(
        select(Payee)
        .where(Payee.customer_id == me.customer_of(actor), Payee.status == "active")
        .order_by(Payee.id)
    ).scalars()
    return [payee_read(uow, p) for p in rows]


def add_payee(uow: UnitOfWork, actor: Actor, cmd: PayeeCreate) -> PayeeRead:
    """Add a payee; an account already among the customer's payees is refused (PAYEE_EXISTS)."""
    registry.require_open(uow, actor.channel, me.TRANSFER)
    cid = me.customer_of(actor)
    bank_code = bank_code_of(uow, cmd.bank_code)
    name = " ".join(cmd.name.split())
    if bank_code == uow.settings.bank_code:
        try:
            acc = accounts.load_for_posting(uow, [cmd.account_number])[cmd.account_number]
        except accounts.AccountNotFound:
            raise PayeeAccountMismatch() from None
        if acc.status == "closed" or _name_key(acc.name) != _name_key(name):
            raise PayeeAccountMismatch()
    dup = uow.session.execute(
        select(Payee.id).where(
            Payee.customer_id == cid,
            Payee.status == "active",
            Payee.bank_code == bank_code,
            Payee.account_number == cmd.account_number,
        )
    ).first()
    if dup is not None:
        raise PayeeExists(f"account {cmd.account_number} is already your payee {dup[0]}")
    p = Payee(
        customer_id=cid,
        name=name,
        account_number=cmd.account_number,
        bank_code=bank_code,
        nickname=cmd.nickname.strip(),
        status="active",
        created_at=uow.now,
        deleted_at=None,
    )
    uow.session.add(p)
    uow.session.flush()
    uow.audit(actor, "payee.add", "payee", p.id, bank_code=bank_code, account=cmd.account_number)
    return payee_read(uow, p)


def delete_payee(uow: UnitOfWork, actor: Actor, payee_id: int) -> PayeeRead:
    """Remove a payee from the customer's list (kept, marked deleted)."""
    registry.require_open(uow, actor.channel, me.TRANSFER)
    p = own_payee(uow, actor, payee_id)
    p.status = "deleted"
    p.deleted_at = uow.now
    uow.session.flush()
    uow.audit(actor, "payee.delete", "payee", p.id)
    return payee_read(uow, p)
