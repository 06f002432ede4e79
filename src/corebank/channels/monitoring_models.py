"""Channel monitoring: per-minute statistics by channel and transaction type, their response codes, and alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId

# Latency buckets (upper bounds, ms) fit for 1 ms to 5 s; one more bucket holds anything slower.
BOUNDS_MS: tuple[int, ...] = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000)
BUCKET_COLUMNS: tuple[str, ...] = (*(f"ms_{b}" for b in BOUNDS_MS), "ms_slower")


class ChannelStat(Base):
    """What one process counted for one channel, transaction type and minute, written by one flush (`batch`).

    Every process that serves a channel (the web app, the ATM switch) counts in memory and appends its rows
    here; readers add up the rows of a window in SQL. A batch is written once: the unique key lets a flush
    that is retried (or raced) find that its batch is already in the table instead of counting it twice.
    The `ms_*` columns count requests per latency bucket, not cumulatively: `ms_5` is (2 ms, 5 ms]."""

    __tablename__ = "channel_stats"
    __table_args__ = (UniqueConstraint("batch", "channel", "tx_type", "minute"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(64))  # host:pid of the process that counted
    channel: Mapped[str] = mapped_column(String(16))
    tx_type: Mapped[str] = mapped_column(String(120))
    minute: Mapped[datetime] = mapped_column(index=True)  # UTC, the start of the minute
    requests: Mapped[int]
    ok: Mapped[int]
    refused: Mapped[int]
    errors: Mapped[int]
    latency_us: Mapped[int]  # the sum of latencies in microseconds (for the mean)
    ms_1: Mapped[int]
    ms_2: Mapped[int]
    ms_5: Mapped[int]
    ms_10: Mapped[int]
    ms_20: Mapped[int]
    ms_50: Mapped[int]
    ms_100: Mapped[int]
    ms_200: Mapped[int]
    ms_500: Mapped[int]
    ms_1000: Mapped[int]
    ms_2000: Mapped[int]
    ms_5000: Mapped[int]
    ms_slower: Mapped[int]
    flushed_at: Mapped[datetime]


class ChannelStatCode(Base):
    """The answers by response code behind a `channel_stats` row (same batch, channel, type and minute)."""

    __tablename__ = "channel_stat_codes"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    tx_type: Mapped[str] = mapped_column(String(120))
    minute: Mapped[datetime] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(String(8))
    count: Mapped[int]


class ChannelAlert(Base):
    """An alert on a channel: its error rate (`kind` error_rate) or p99 latency (`kind` latency) over the alert
    window crossed the threshold. Raised once; cleared when the channel is back under. `active_key` is
    "channel:kind" while the alert stands and NULL after, so a channel has one standing alert of a kind even
    when two processes evaluate at once (a unique column both SQLite and PostgreSQL enforce the same way)."""

    __tablename__ = "channel_alerts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))  # error_rate | latency
    value: Mapped[str] = mapped_column(String(24))  # the error rate (0.0000) or p99 in ms when raised
    threshold: Mapped[str] = mapped_column(String(24))
    requests: Mapped[int]  # requests in the window when raised
    window_minutes: Mapped[int]
    raised_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None]
    cleared_value: Mapped[str | None] = mapped_column(String(24))
    active_key: Mapped[str | None] = mapped_column(String(40), unique=True)
