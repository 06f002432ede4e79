"""Points (积分): rules, earnings (lots), and every move of a customer's points."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class PointsRule(Base):
    """An earning rule. `kind` card_spend: points per yuan of card spending; holding: points per 10,000 yuan of
    a month's average daily deposits. `rate` is a decimal string. Until a rule of a code is written here, the
    settings' defaults stand for it (`points_per_yuan_spent`, `points_per_10k_holding`)."""

    __tablename__ = "points_rules"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # card_spend | holding
    rate: Mapped[str] = mapped_column(String(24))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class PointsLot(Base):
    """Points earned at once from one source: what is left of them (`remaining`) and the day they expire.
    One lot per customer, source kind and source reference, so the same spending or month is never earned
    twice. Redemptions take the lots that expire first."""

    __tablename__ = "points_lots"
    __table_args__ = (
        UniqueConstraint("customer_id", "source_kind", "source_ref"),
        Index("ix_points_lots_customer_expiry", "customer_id", "expires_on"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    earned_on: Mapped[date]
    points: Mapped[int]
    remaining: Mapped[int]
    expires_on: Mapped[date]  # good through this date; the end of day that closes it expires what is left
    source_kind: Mapped[str] = mapped_column(String(16))  # card_spend | holding | adjust
    source_ref: Mapped[str] = mapped_column(String(40))  # the business date, the month, or the adjustment
    created_at: Mapped[datetime]


class PointsMove(Base):
    """One move of a customer's points, signed: earn (+), redeem (-), expire (-), adjust (+ or -)."""

    __tablename__ = "points_moves"
    __table_args__ = (Index("ix_points_moves_customer", "customer_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(16))  # earn | redeem | expire | adjust
    points: Mapped[int]
    business_date: Mapped[date]
    at: Mapped[datetime]
    ref: Mapped[str] = mapped_column(String(60))
    by: Mapped[str] = mapped_column(String(64))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("points_lots.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))  # a redemption's posting
    memo: Mapped[str] = mapped_column(String(200), default="")
