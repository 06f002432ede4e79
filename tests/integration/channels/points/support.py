"""What the points tests share: a card purchase posted the way the ATM/POS switch posts it, the points
end-of-day steps run chunk by chunk as the runner does, a customer's own actor, and reads of lots and moves."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from corebank import accounts, customers, ledger
from corebank.bootstrap import Bank
from corebank.channels import points_jobs
from corebank.channels.points_models import PointsLot, PointsMove
from corebank.db.batch import BatchStep
from corebank.db.uow import UnitOfWork
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.security import Actor
from corebank.security.permissions import CUSTOMER_CHANNEL


def card_purchase(bank: Bank, account_number: str, amount: str) -> int:
    """A POS purchase as the switch books it (`pos.purchase`): Dr the card's account / Cr 2263 card payments
    due to merchants. Returns the entry id."""

    def work(uow: UnitOfWork) -> int:
        acc = accounts.load_for_posting(uow, [account_number])[account_number]
        money = Money.of(amount, acc.currency)
        entry = ledger.post(
            uow,
            EntryDraft(
                points_jobs.POS_PURCHASE_KIND,
                (
                    Leg.debit(acc.gl_code, acc.branch_code, money, acc.id, "POS purchase"),
                    Leg.credit(chart.CARD_MERCHANT_PAYABLE, acc.branch_code, money, None, "merchant"),
                ),
                memo="card purchase",
            ),
            by="atm-switch",
            channel="pos",
        )
        return entry.id

    return bank.run(work)


def reverse(bank: Bank, entry_id: int) -> None:
    """Reverse a posted entry (冲正), as a voided purchase is."""
    bank.run(lambda uow: ledger.reverse(uow, entry_id, memo="void", by="atm-switch", channel="pos"))


def run_steps(
    bank: Bank, day: date, steps: tuple[BatchStep, ...] = points_jobs.EOD_STEPS, size: int = 2
) -> int:
    """Run end-of-day steps for `day` the way the runner does, in chunks of `size` ids (small, so that the
    chunk boundaries are crossed). Returns the rows the steps reported."""
    rows = 0
    for step in steps:
        assert step.chunk is not None and step.upper_bound is not None
        top = bank.run(step.upper_bound, day, readonly=True)
        lo = 0
        while lo < top:
            rows += bank.run(step.chunk, day, lo, min(lo + size, top), eod=True)
            lo += size
    return rows


def customer_id(bank: Bank, number: str) -> int:
    return int(
        bank.run(lambda uow: customers.customer_ref(uow, number, must_be_active=False).id, readonly=True)
    )


def customer_actor(bank: Bank, number: str, channel: str = "internet") -> Actor:
    """The customer acting for themselves on an e-channel (as `CustomerDep` gives the routes)."""
    cid = customer_id(bank, number)
    return Actor(
        username=f"customer:c{cid}",
        user_id=None,
        roles=("customer",),
        branch_code="0001",
        channel=channel,
        permissions=CUSTOMER_CHANNEL,
        customer_id=cid,
        strength="sms",
    )


def lots(bank: Bank, number: str) -> list[dict[str, Any]]:
    """The customer's lots, oldest first."""
    cid = customer_id(bank, number)

    def read(uow: UnitOfWork) -> list[dict[str, Any]]:
        rows = uow.session.execute(
            select(PointsLot).where(PointsLot.customer_id == cid).order_by(PointsLot.id)
        )
        return [
            {
                "kind": r.source_kind,
                "ref": r.source_ref,
                "points": r.points,
                "remaining": r.remaining,
                "earned_on": r.earned_on,
                "expires_on": r.expires_on,
            }
            for r in rows.scalars()
        ]

    return bank.run(read, readonly=True)


def moves(bank: Bank, number: str) -> list[tuple[str, int]]:
    """The customer's moves, oldest first: (kind, signed points)."""
    cid = customer_id(bank, number)

    def read(uow: UnitOfWork) -> list[tuple[str, int]]:
        rows = uow.session.execute(
            select(PointsMove.kind, PointsMove.points)
            .where(PointsMove.customer_id == cid)
            .order_by(PointsMove.id)
        )
        return [(k, int(p)) for k, p in rows]

    return bank.run(read, readonly=True)
