"""Customers (ECIF): one customer, one number, all channels. ID numbers and phones are encrypted at rest."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Customer(Base):
    """An individual or corporate customer."""

    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("id_type", "id_hash"), Index("ix_customers_name", "name"))
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    type: Mapped[str] = mapped_column(String(16))  # individual | corporate
    name: Mapped[str] = mapped_column(String(120))
    id_type: Mapped[str] = mapped_column(String(24))
    id_cipher: Mapped[str] = mapped_column(String(200))
    id_hash: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(32))
    phone_cipher: Mapped[str | None] = mapped_column(String(200))
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(32))
    birth_date: Mapped[date | None]
    gender: Mapped[str | None] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(200), default="")
    occupation: Mapped[str] = mapped_column(String(60), default="")
    legal_representative: Mapped[str] = mapped_column(String(60), default="")
    risk_level: Mapped[str] = mapped_column(String(8), default="low")
    # Service tier for channel limits and fees: standard | gold | vip (VIP fees are waived by default).
    tier: Mapped[str] = mapped_column(String(16), default="standard", server_default="standard")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | blocked | deceased | closed
    home_branch: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CustomerChange(Base):
    """The history of a customer's data: who changed what, when (old and new values, personal data masked)."""

    __tablename__ = "customer_changes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime]
    changes: Mapped[dict] = mapped_column(JSON)
