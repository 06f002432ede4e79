"""Collateral (抵押物/质押物) and guarantor (保证人) tables: the collateral register with every valuation kept, the
pledges that link collateral to loan applications and loans (many to many), and the guarantees. Amounts are integer
minor units in the collateral's (for pledges) or the application's (for guarantees) currency."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Collateral(Base):
    """One item of collateral. `value` and `valuation_date` are the current valuation (the latest row of
    `collateral_valuations`). The owner need not be the borrower (a third-party mortgage). `branch_code` is the
    branch that registered it and scopes who may work on it. `status`: active · released."""

    __tablename__ = "collaterals"
    __table_args__ = (Index("ix_collaterals_owner", "owner_customer_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    collateral_number: Mapped[str] = mapped_column(String(24), unique=True)
    # housing | commercial_property | vehicle | deposit_pledge | equipment | land_use_right
    type: Mapped[str] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(String(200))
    owner_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    currency: Mapped[str] = mapped_column(String(3))
    value: Mapped[int]
    valuation_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"), index=True)
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_on: Mapped[date]
    released_on: Mapped[date | None]


class CollateralValuation(Base):
    """Every valuation of a collateral, the first one made at registration; a revaluation adds a row."""

    __tablename__ = "collateral_valuations"
    __table_args__ = (Index("ix_collateral_valuations_collateral", "collateral_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collaterals.id"))
    value: Mapped[int]
    valuation_date: Mapped[date]
    valuer: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class CollateralPledge(Base):
    """A collateral securing a loan application and, once it is approved, the loan made from it. `pledged_amount`
    is how much of the collateral's value this loan may rely on; the active pledges on one collateral never add
    up to more than its value when made. `status`: active · released."""

    __tablename__ = "collateral_pledges"
    __table_args__ = (
        Index("ix_collateral_pledges_collateral", "collateral_id", "status"),
        Index("ix_collateral_pledges_application", "application_id"),
        Index("ix_collateral_pledges_loan", "loan_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collaterals.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("loan_applications.id"))
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"))
    pledged_amount: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_on: Mapped[date]
    released_on: Mapped[date | None]


class LoanGuarantor(Base):
    """A guarantee (保证) of a loan application and the loan made from it, by a customer other than the borrower.
    `kind`: joint_and_several (连带责任保证) · general (一般保证). `status`: active · released."""

    __tablename__ = "loan_guarantors"
    __table_args__ = (
        Index("ix_loan_guarantors_application", "application_id"),
        Index("ix_loan_guarantors_loan", "loan_id"),
        Index("ix_loan_guarantors_guarantor", "guarantor_customer_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("loan_applications.id"))
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"))
    guarantor_customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    guaranteed_amount: Mapped[int]
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_on: Mapped[date]
    released_on: Mapped[date | None]
