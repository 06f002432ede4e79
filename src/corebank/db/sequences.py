"""Gap-tolerant named counters for customer, account and voucher numbers (never reused)."""

from __future__ import annotations

from sqlalchemy import String, insert, update
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base
from corebank.db.uow import UnitOfWork


class NumberSequence(Base):
    """The last number handed out under a name, e.g. `customer` or `voucher:0001:2026-11-22`."""

    __tablename__ = "number_sequences"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last: Mapped[int]


def next_number(uow: UnitOfWork, name: str, start: int = 1) -> int:
    """Take the next number under `name` in this transaction (one conditional statement, race-free)."""
    stmt = (
        update(NumberSequence)
        .where(NumberSequence.name == name)
        .values(last=NumberSequence.last + 1)
        .returning(NumberSequence.last)
    )
    value = uow.conn.execute(stmt).scalar()
    if value is None:
        uow.conn.execute(insert(NumberSequence).values(name=name, last=start))
        return start
    return int(value)
