"""Products are data: a bank adds kinds and changes parameters without a release."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Product(Base):
    """A deposit (later also loan) product. Amounts are minor units of `currency`."""

    __tablename__ = "products"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(32))  # demand_deposit | time_deposit | notice_deposit
    currency: Mapped[str] = mapped_column(String(3))
    gl_code: Mapped[str] = mapped_column(ForeignKey("gl_accounts.code"))
    customer_types: Mapped[str] = mapped_column(String(32), default="individual,corporate")
    min_opening_amount: Mapped[int] = mapped_column(default=0)
    allow_overdraft: Mapped[bool] = mapped_column(Boolean, default=False)
    overdraft_limit: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")  # draft | active | retired
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # The deposit terms (product factory). Terms are codes: "3M" ... "60M" for time deposits, "1D"/"7D" for
    # notice deposits; a demand product has none (its rate table uses the term "demand").
    terms: Mapped[list] = mapped_column(JSON, default=list)
    min_balance: Mapped[int] = mapped_column(default=0, server_default="0")
    min_withdrawal: Mapped[int] = mapped_column(default=0, server_default="0")
    max_partial_withdrawals: Mapped[int] = mapped_column(default=0, server_default="0")
    early_withdrawal: Mapped[str] = mapped_column(
        String(16), default="demand_rate", server_default="demand_rate"
    )
    rollover_options: Mapped[str] = mapped_column(String(80), default="", server_default="")
    channels: Mapped[str] = mapped_column(String(80), default="counter", server_default="counter")
    account_classes: Mapped[str] = mapped_column(String(16), default="1,2,3", server_default="1,2,3")
    fees: Mapped[dict] = mapped_column(JSON, default=dict)
    # none | quarterly (demand: daily product, settled on settlement_day of settlement_months) | at_withdrawal
    interest_method: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    settlement_months: Mapped[str] = mapped_column(String(40), default="3,6,9,12", server_default="3,6,9,12")
    settlement_day: Mapped[int] = mapped_column(default=20, server_default="20")
    # Whose "demand rate" applies to early withdrawals, money left past maturity and notice shortfalls.
    demand_product_code: Mapped[str | None] = mapped_column(String(32))


class ProductRate(Base):
    """One annual rate of a product for a term (and a balance tier), from its effective date on. Rates are
    never edited: a change is a new row with a later effective date, so the history stays."""

    __tablename__ = "product_rates"
    __table_args__ = (
        UniqueConstraint("product_code", "term", "min_amount", "effective_date"),
        Index("ix_product_rates_lookup", "product_code", "term", "effective_date"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    term: Mapped[str] = mapped_column(String(8))  # demand | 1D | 7D | 3M | 6M | 12M | 24M | 36M | 60M
    min_amount: Mapped[int] = mapped_column(
        default=0
    )  # tier: applies to amounts of at least this (minor units)
    # Percent a year as a decimal string ("1.35" = 1.35 %): exact, and portable across SQLite and PostgreSQL.
    annual_rate: Mapped[str] = mapped_column(String(12))
    effective_date: Mapped[date]
    created_by: Mapped[str] = mapped_column(String(64))
    approved_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class BaseRate(Base):
    """A published base rate a floating-rate loan is priced over (the LPR, 贷款市场报价利率), from its effective
    date on. Like product rates, never edited: a new fixing is a new row."""

    __tablename__ = "base_rates"
    __table_args__ = (UniqueConstraint("code", "effective_date"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(16))  # LPR1Y | LPR5Y
    annual_rate: Mapped[str] = mapped_column(String(12))  # percent
    effective_date: Mapped[date]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
