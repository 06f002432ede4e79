"""Products are data: a bank adds kinds and changes parameters without a release."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base


class Product(Base):
    """A deposit (later also loan) product. Amounts are minor units of `currency`."""

    __tablename__ = "products"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(32))  # demand_deposit | ...
    currency: Mapped[str] = mapped_column(String(3))
    gl_code: Mapped[str] = mapped_column(ForeignKey("gl_accounts.code"))
    customer_types: Mapped[str] = mapped_column(String(32), default="individual,corporate")
    min_opening_amount: Mapped[int] = mapped_column(default=0)
    allow_overdraft: Mapped[bool] = mapped_column(Boolean, default=False)
    overdraft_limit: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
