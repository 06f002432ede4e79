"""Channel monitoring: what the REST summary, the console and the CLI show."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class TxTypeStats(BaseModel):
    """One channel and transaction type over the window. Every request is ok, refused or an error (see
    `monitoring.outcome`): the success rate is ok ÷ requests, the error rate errors ÷ requests. Latency
    percentiles are interpolated within the histogram's buckets, in milliseconds (None without requests)."""

    channel: str
    tx_type: str
    requests: int
    ok: int
    refused: int
    errors: int
    success_rate: float
    error_rate: float
    mean_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    codes: dict[str, int]


class ChannelMetrics(BaseModel):
    """Per channel and transaction type over the last `minutes` (whole minutes up to `until`), and each
    channel's totals (its transaction types together, `tx_type` "*")."""

    since: datetime
    until: datetime
    minutes: int
    channels: list[TxTypeStats]
    items: list[TxTypeStats]


class ChannelAlertRead(BaseModel):
    """An alert: a channel's error rate or p99 latency passed its threshold over the alert window."""

    id: int
    channel: str
    kind: str
    value: str
    threshold: str
    requests: int
    window_minutes: int
    raised_at: datetime
    cleared_at: datetime | None
    cleared_value: str | None
    active: bool


class FlushResult(BaseModel):
    """What one flush wrote and which alerts it raised or cleared ("channel:kind")."""

    rows: int
    raised: list[str]
    cleared: list[str]
