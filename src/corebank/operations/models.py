"""Pending actions waiting for a second person (maker-checker)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Approval(Base):
    """An action made by one user that another user with `permission` must approve before it runs."""

    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | executed | rejected | failed
    permission: Mapped[str] = mapped_column(String(48))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"), index=True)
    summary: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict] = mapped_column(JSON)
    result: Mapped[dict | None] = mapped_column(JSON)
    maker: Mapped[str] = mapped_column(String(64))
    checker: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    business_date: Mapped[date]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class CalendarDay(Base):
    """A day of the business calendar that was loaded: a holiday, or a weekend made a working day (调休)."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(60), default="")
    loaded_by: Mapped[str] = mapped_column(String(64))
