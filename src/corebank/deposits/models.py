"""Deposit interest tables: each demand account's interest product (积数), and each product's accrual."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base


class InterestAccumulator(Base):
    """A demand account's daily-balance product (积数) since its last settlement: the sum of its closing
    balances, one per day, in minor units. End of day adds each day once (`accrued_through` guards it)."""

    __tablename__ = "interest_accumulators"
    __table_args__ = (Index("ix_interest_accumulators_product", "product_code", "branch_code"),)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_accounts.id"), primary_key=True, autoincrement=False
    )
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    branch_code: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3))
    accumulated: Mapped[int] = mapped_column(default=0)
    accrued_through: Mapped[date]  # the last day whose closing balance is in `accumulated`
    settled_through: Mapped[date | None]  # the last settlement date (or closing) that paid it out


class ProductAccrual(Base):
    """Interest accrued in aggregate for one demand product in one branch and currency since the last
    settlement (accrual accounting: Dr interest expense, Cr interest payable, each day). `accrued_micro`
    is exact to a millionth of the minor unit; `booked` is what the ledger holds (whole minor units), so
    the sub-cent remainder is carried to the next day, never dropped. `settled` is what settlement paid."""

    __tablename__ = "product_accruals"
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"), primary_key=True)
    branch_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    accrued_micro: Mapped[int] = mapped_column(default=0)
    booked: Mapped[int] = mapped_column(default=0)
    settled: Mapped[int] = mapped_column(default=0)
    accrued_through: Mapped[date | None]
    period_start: Mapped[date | None]
