"""End-of-day runs and their steps: what ran, how far, with what outcome (resumable after a crash)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base


class EodRun(Base):
    """The close of one business date. `owner` holds the lease of the process running it (host:pid:token);
    a second start is refused while the lease is alive, and takes over a dead one."""

    __tablename__ = "eod_runs"
    business_date: Mapped[date] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # running | done | failed
    owner: Mapped[str] = mapped_column(String(120))
    heartbeat_at: Mapped[datetime]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    started_by: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(2000), default="")


class EodStep(Base):
    """One step of a run: its chunk cursor advances in the same transaction as the chunk's work."""

    __tablename__ = "eod_steps"
    business_date: Mapped[date] = mapped_column(ForeignKey("eod_runs.business_date"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # pending | running | done | failed
    cursor: Mapped[int | None]  # the last id done by a chunked step
    rows: Mapped[int] = mapped_column(default=0)
    chunks: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    detail: Mapped[str] = mapped_column(String(2000), default="")
