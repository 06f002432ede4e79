"""Channel monitoring (渠道监控): volume, success rate, latency and response codes by channel and transaction
type, as Prometheus metrics and as a summary for the console; an alert when a channel's error rate or p99
latency passes its threshold.

Every process that serves a channel (the web app, the ATM/POS switch) calls `observe` once per request. That
feeds the process's Prometheus metrics (`render`, appended to `/metrics`) and per-minute cells kept in memory;
a background `Flusher` writes the cells to `channel_stats` every few seconds (`flush`), so that the summary
read by any process (`channel_metrics`) sees every process's traffic: the table, plus what this process has
not flushed yet. Each flush then evaluates the alert window (`settings.channel_alert_*`).

Outcomes. Every request is ok, refused or an error:
- ISO 8583: "00" is ok; 91 (issuer inoperative) and 96 (system malfunction) are errors, the bank failing to
  serve; every other code (51 insufficient funds, 55 wrong PIN, 61 over limit, 94 duplicate ...) refuses a
  request the bank served correctly.
- HTTP: a status below 400 is ok; 5xx are errors, and so are 401 and 403 (a burst of them is an attack or a
  broken token service, which the monitor must show); other 4xx (a business refusal, bad input, not found)
  are refused.
The error rate is errors ÷ requests and the success rate ok ÷ requests; refusals are neither. A closed channel
answers 503 (REST) or 91 (ISO 8583): while it is closed its requests count as errors, on purpose, since the
channel is not serving.
"""

from __future__ import annotations

import bisect
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import Select, func, insert, select, update

from corebank.channels import CHANNELS
from corebank.channels.monitoring_models import (
    BOUNDS_MS,
    BUCKET_COLUMNS,
    ChannelAlert,
    ChannelStat,
    ChannelStatCode,
)
from corebank.channels.monitoring_schemas import ChannelAlertRead, ChannelMetrics, FlushResult, TxTypeStats
from corebank.db.base import table_of
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.security import SYSTEM, Actor, P

log = logging.getLogger("corebank.channels.monitoring")
T = TypeVar("T")

ISO_ERROR_CODES = frozenset({"91", "96"})
HTTP_ERROR_STATUSES = frozenset({401, 403})
FLUSH_SECONDS = 10.0
MAX_MINUTES = 7 * 24 * 60
# Cells kept in memory while the database cannot be reached; past this the oldest minutes are dropped.
MAX_CELLS = 100_000

REGISTRY = CollectorRegistry()
_REQUESTS = Counter(
    "corebank_channel_requests",
    "Channel requests by channel, transaction type and response code",
    ["channel", "tx_type", "code"],
    registry=REGISTRY,
)
_LATENCY = Histogram(
    "corebank_channel_request_seconds",
    "Channel request latency by channel and transaction type",
    ["channel", "tx_type"],
    buckets=tuple(b / 1000 for b in BOUNDS_MS),
    registry=REGISTRY,
)
_ALERT = Gauge(
    "corebank_channel_alert",
    "1 while an alert stands on the channel (kind error_rate or latency), else 0",
    ["channel", "kind"],
    registry=REGISTRY,
)

_stats = table_of(ChannelStat)
_codes = table_of(ChannelStatCode)
_alerts = table_of(ChannelAlert)
_SUMS = ("requests", "ok", "refused", "errors", "latency_us", *BUCKET_COLUMNS)


def outcome(code: str) -> str:
    """ "ok", "refused" or "error" for a response code: an ISO 8583 code (2 characters) or an HTTP status."""
    if code in ("00", "OK"):
        return "ok"
    if len(code) == 3 and code.isdigit():
        status = int(code)
        if status < 400:
            return "ok"
        return "error" if status >= 500 or status in HTTP_ERROR_STATUSES else "refused"
    return "error" if code in ISO_ERROR_CODES else "refused"


def percentile(buckets: list[int], q: float) -> float | None:
    """The q-quantile (0 < q < 1) in ms of a latency histogram (counts per bucket of BOUNDS_MS), interpolated
    linearly within its bucket, as Prometheus' histogram_quantile does; past the last bound, that bound."""
    total = sum(buckets)
    if total <= 0:
        return None
    rank = q * total
    seen = 0
    for i, count in enumerate(buckets):
        if count and seen + count >= rank:
            if i >= len(BOUNDS_MS):
                return float(BOUNDS_MS[-1])
            lower = BOUNDS_MS[i - 1] if i else 0
            return lower + (BOUNDS_MS[i] - lower) * (rank - seen) / count
        seen += count
    return float(BOUNDS_MS[-1])


@dataclass(slots=True)
class _Cell:
    """Counts for one channel, transaction type and minute (or a window of them, once merged)."""

    requests: int = 0
    ok: int = 0
    refused: int = 0
    errors: int = 0
    latency_us: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * (len(BOUNDS_MS) + 1))
    codes: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, code: str, seconds: float) -> None:
        self.requests += 1
        if kind == "ok":
            self.ok += 1
        elif kind == "error":
            self.errors += 1
        else:
            self.refused += 1
        self.latency_us += int(seconds * 1_000_000)
        self.buckets[bisect.bisect_left(BOUNDS_MS, seconds * 1000)] += 1
        self.codes[code] = self.codes.get(code, 0) + 1

    def merge(self, other: _Cell) -> None:
        """Add another cell."""
        self.requests += other.requests
        self.ok += other.ok
        self.refused += other.refused
        self.errors += other.errors
        self.latency_us += other.latency_us
        for i, n in enumerate(other.buckets):
            self.buckets[i] += n
        for code, n in other.codes.items():
            self.add_code(code, n)

    def merge_sums(self, row: Any) -> None:
        """Add a row of summed `channel_stats` columns (`_SUMS`)."""
        self.requests += int(row.requests)
        self.ok += int(row.ok)
        self.refused += int(row.refused)
        self.errors += int(row.errors)
        self.latency_us += int(row.latency_us)
        for i, name in enumerate(BUCKET_COLUMNS):
            self.buckets[i] += int(getattr(row, name))

    def add_code(self, code: str, n: int) -> None:
        self.codes[code] = self.codes.get(code, 0) + n

    def copy(self) -> _Cell:
        twin = _Cell()
        twin.merge(self)
        return twin


Key = tuple[str, str, datetime]  # channel, transaction type, minute (UTC)


@dataclass(slots=True)
class _Batch:
    """Cells taken from memory to be written as one batch; kept until a later flush sees them in the table."""

    id: str
    cells: dict[Key, _Cell]


_lock = threading.Lock()  # guards the cells and the batch in flight; held for microseconds
_flush_lock = threading.Lock()  # one flush at a time per process
_cells: dict[Key, _Cell] = {}
_inflight: list[_Batch] = []  # at most one


def _minute(at: datetime) -> datetime:
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.replace(second=0, microsecond=0)


def observe(channel: str, tx_type: str, code: str, seconds: float, *, at: datetime | None = None) -> None:
    """Count one request: its channel, transaction type, answer code (ISO 8583 code, or HTTP status as text)
    and latency in seconds. Cheap, thread-safe, never raises. `at` (default now) places it in its minute."""
    try:
        channel, tx_type, code = str(channel)[:16], str(tx_type)[:120], str(code)[:8]
        secs = max(float(seconds), 0.0)
        _REQUESTS.labels(channel, tx_type, code).inc()
        _LATENCY.labels(channel, tx_type).observe(secs)
        key = (channel, tx_type, _minute(at or datetime.now(UTC)))
        kind = outcome(code)
        with _lock:
            cell = _cells.get(key)
            if cell is None:
                if len(_cells) >= MAX_CELLS:
                    oldest = min(_cells, key=lambda k: k[2])
                    del _cells[oldest]
                cell = _cells[key] = _Cell()
            cell.count(kind, code, secs)
    except Exception:  # monitoring must never break the request it watches
        log.exception("channel monitoring could not count a request")


def render() -> bytes:
    """The channel metrics in Prometheus' text format (appended to the app's /metrics)."""
    try:
        return generate_latest(REGISTRY)
    except Exception:  # a broken scrape must not break /metrics' other half
        log.exception("channel metrics could not be rendered")
        return b""


# ---------------------------------------------------------------- flushing to channel_stats


def _written(uow: UnitOfWork, batch_id: str) -> bool:
    return (
        uow.conn.execute(select(_stats.c.id).where(_stats.c.batch == batch_id).limit(1)).first() is not None
    )


def _claim(uow: UnitOfWork) -> _Batch | None:
    """The batch to write now: the one in flight if the table does not hold it yet (its transaction failed),
    else a new one of the cells counted since. A batch found written is dropped from memory."""
    with _lock:
        batch = _inflight[0] if _inflight else None
    if batch is not None and _written(uow, batch.id):
        with _lock:
            if _inflight and _inflight[0] is batch:
                _inflight.clear()
        batch = None
    with _lock:
        if _inflight:
            return _inflight[0]
        if not _cells:
            return None
        batch = _Batch(uuid.uuid4().hex, dict(_cells))
        _cells.clear()
        _inflight.append(batch)
        return batch


def flush(uow: UnitOfWork, *, now: datetime | None = None) -> FlushResult:
    """Write the cells counted in memory to `channel_stats` (one batch, written once even when the
    transaction is retried), then evaluate the alerts over the window ending at `now` (default now)."""
    with _flush_lock:
        batch = _claim(uow)
        rows = 0
        if batch is not None:
            source = f"{socket.gethostname()}:{os.getpid()}"[:64]
            cells = sorted(batch.cells.items())
            uow.conn.execute(
                insert(_stats),
                [
                    {
                        "batch": batch.id,
                        "source": source,
                        "channel": ch,
                        "tx_type": tx,
                        "minute": minute,
                        "requests": c.requests,
                        "ok": c.ok,
                        "refused": c.refused,
                        "errors": c.errors,
                        "latency_us": c.latency_us,
                        **dict(zip(BUCKET_COLUMNS, c.buckets, strict=True)),
                        "flushed_at": uow.now,
                    }
                    for (ch, tx, minute), c in cells
                ],
            )
            codes = [
                {"batch": batch.id, "channel": ch, "tx_type": tx, "minute": minute, "code": code, "count": n}
                for (ch, tx, minute), c in cells
                for code, n in sorted(c.codes.items())
            ]
            if codes:
                uow.conn.execute(insert(_codes), codes)
            rows = len(cells)
    raised, cleared = evaluate_alerts(uow, now or uow.now)
    return FlushResult(rows=rows, raised=raised, cleared=cleared)


def _unflushed(uow: UnitOfWork) -> list[tuple[Key, _Cell]]:
    """This process's counts that the table does not hold yet (copies)."""
    with _lock:
        found = [(k, c.copy()) for k, c in _cells.items()]
        batch = _inflight[0] if _inflight else None
        held = [(k, c.copy()) for k, c in batch.cells.items()] if batch else []
    if batch is not None and not _written(uow, batch.id):
        found.extend(held)
    return found


# ---------------------------------------------------------------- alerts


def _sums(by: tuple[str, ...], since: datetime, until: datetime, channel: str | None = None) -> Select[Any]:
    """The window's `channel_stats` summed in SQL per `by` columns."""
    q = (
        select(*(_stats.c[k] for k in by), *(func.sum(_stats.c[k]).label(k) for k in _SUMS))
        .where(_stats.c.minute >= since, _stats.c.minute <= until)
        .group_by(*(_stats.c[k] for k in by))
    )
    return q if channel is None else q.where(_stats.c.channel == channel)


def _window_by_channel(uow: UnitOfWork, since: datetime, until: datetime) -> dict[str, _Cell]:
    per_channel: dict[str, _Cell] = {}
    for r in uow.conn.execute(_sums(("channel",), since, until)):
        per_channel.setdefault(r.channel, _Cell()).merge_sums(r)
    return per_channel


def evaluate_alerts(uow: UnitOfWork, now: datetime) -> tuple[list[str], list[str]]:
    """Over the last `channel_alert_window_minutes` up to `now`, per channel with at least
    `channel_alert_min_requests` requests: raise an alert (once) when the error rate passes
    `channel_alert_error_rate` or p99 latency `channel_alert_p99_ms`, and clear a standing one that is back
    under. A channel with too few requests in the window keeps its alerts as they are: there is no evidence
    either way. Returns the alerts raised and cleared ("channel:kind")."""
    s = uow.settings
    window = max(int(s.channel_alert_window_minutes), 1)
    until = _minute(now)
    since = until - timedelta(minutes=window - 1)
    error_limit = Decimal(str(s.channel_alert_error_rate))
    p99_limit = Decimal(int(s.channel_alert_p99_ms))
    standing = {
        (a.channel, a.kind): a
        for a in uow.conn.execute(
            select(_alerts.c.id, _alerts.c.channel, _alerts.c.kind).where(_alerts.c.active_key.is_not(None))
        )
    }
    raised: list[str] = []
    cleared: list[str] = []
    for channel, cell in sorted(_window_by_channel(uow, since, until).items()):
        if cell.requests < int(s.channel_alert_min_requests):
            continue
        rate = (Decimal(cell.errors) / Decimal(cell.requests)).quantize(Decimal("0.0001"))
        p99 = Decimal(f"{percentile(cell.buckets, 0.99) or 0:.1f}")
        for kind, value, limit in (("error_rate", rate, error_limit), ("latency", p99, p99_limit)):
            active = standing.get((channel, kind))
            if value > limit and active is None:
                _raise_alert(uow, channel, kind, value, limit, cell.requests, window)
                raised.append(f"{channel}:{kind}")
            elif value <= limit and active is not None:
                uow.conn.execute(
                    update(_alerts)
                    .where(_alerts.c.id == active.id, _alerts.c.active_key.is_not(None))
                    .values(cleared_at=uow.now, cleared_value=str(value), active_key=None)
                )
                uow.audit(SYSTEM, "channel.alert_cleared", "channel", channel, kind=kind, value=str(value))
                uow.publish(
                    Event("ChannelAlertCleared", "channel", channel, {"kind": kind, "value": str(value)})
                )
                log.info("channel %s %s alert cleared (%s)", channel, kind, value)
                cleared.append(f"{channel}:{kind}")
    for channel, kind in standing:
        if f"{channel}:{kind}" not in cleared:
            _ALERT.labels(channel, kind).set(1)
    for key in raised:
        _ALERT.labels(*key.split(":", 1)).set(1)
    for key in cleared:
        _ALERT.labels(*key.split(":", 1)).set(0)
    return raised, cleared


def _raise_alert(
    uow: UnitOfWork, channel: str, kind: str, value: Decimal, limit: Decimal, requests: int, window: int
) -> None:
    uow.conn.execute(
        insert(_alerts).values(
            channel=channel,
            kind=kind,
            value=str(value),
            threshold=str(limit),
            requests=requests,
            window_minutes=window,
            raised_at=uow.now,
            cleared_at=None,
            cleared_value=None,
            active_key=f"{channel}:{kind}",
        )
    )
    detail = {"kind": kind, "value": str(value), "threshold": str(limit), "requests": requests}
    uow.audit(SYSTEM, "channel.alert_raised", "channel", channel, window_minutes=window, **detail)
    uow.publish(Event("ChannelAlertRaised", "channel", channel, {**detail, "window_minutes": window}))
    log.warning(
        "channel %s alert: %s %s over the last %d minutes (threshold %s, %d requests)",
        channel,
        kind,
        value,
        window,
        limit,
        requests,
    )


def list_alerts(
    uow: UnitOfWork, actor: Actor, active: bool | None = None, limit: int = 100
) -> list[ChannelAlertRead]:
    """Alerts newest first: standing ones only (`active` true), cleared ones only (false), or both (None)."""
    actor.require(P.CHANNEL_READ)
    limit = max(1, min(limit, int(uow.settings.page_size_max)))
    q = select(_alerts).order_by(_alerts.c.id.desc()).limit(limit)
    if active is True:
        q = q.where(_alerts.c.active_key.is_not(None))
    elif active is False:
        q = q.where(_alerts.c.active_key.is_(None))
    return [
        ChannelAlertRead(
            id=r.id,
            channel=r.channel,
            kind=r.kind,
            value=r.value,
            threshold=r.threshold,
            requests=r.requests,
            window_minutes=r.window_minutes,
            raised_at=_utc(r.raised_at),
            cleared_at=_utc(r.cleared_at) if r.cleared_at else None,
            cleared_value=r.cleared_value,
            active=r.active_key is not None,
        )
        for r in uow.conn.execute(q)
    ]


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


# ---------------------------------------------------------------- the summary


def _stats_of(channel: str, tx_type: str, c: _Cell) -> TxTypeStats:
    n = c.requests

    def ms(q: float) -> float | None:
        v = percentile(c.buckets, q)
        return None if v is None else round(v, 1)

    return TxTypeStats(
        channel=channel,
        tx_type=tx_type,
        requests=n,
        ok=c.ok,
        refused=c.refused,
        errors=c.errors,
        success_rate=round(c.ok / n, 4) if n else 0.0,
        error_rate=round(c.errors / n, 4) if n else 0.0,
        mean_ms=round(c.latency_us / n / 1000, 1) if n else None,
        p50_ms=ms(0.50),
        p95_ms=ms(0.95),
        p99_ms=ms(0.99),
        codes=dict(sorted(c.codes.items())),
    )


def channel_metrics(
    uow: UnitOfWork,
    actor: Actor,
    minutes: int = 60,
    channel: str | None = None,
    *,
    now: datetime | None = None,
) -> ChannelMetrics:
    """Volume, success and error rates, latency percentiles and response codes per channel and transaction
    type over the last `minutes` (up to `now`, default now): every process's flushed counts plus this
    process's counts not flushed yet."""
    actor.require(P.CHANNEL_READ)
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidRequest(f"minutes must be between 1 and {MAX_MINUTES}")
    if channel is not None and channel not in CHANNELS:
        raise InvalidRequest(f"unknown channel {channel!r}; channels are {', '.join(CHANNELS)}")
    at = now or uow.now
    until = _minute(at)
    since = until - timedelta(minutes=minutes - 1)
    cells: dict[tuple[str, str], _Cell] = {}
    for r in uow.conn.execute(_sums(("channel", "tx_type"), since, until, channel)):
        cells.setdefault((r.channel, r.tx_type), _Cell()).merge_sums(r)
    codes = (
        select(_codes.c.channel, _codes.c.tx_type, _codes.c.code, func.sum(_codes.c.count))
        .where(_codes.c.minute >= since, _codes.c.minute <= until)
        .group_by(_codes.c.channel, _codes.c.tx_type, _codes.c.code)
    )
    if channel is not None:
        codes = codes.where(_codes.c.channel == channel)
    for ch, tx, code, n in uow.conn.execute(codes):
        cells.setdefault((ch, tx), _Cell()).add_code(code, int(n))
    for (ch, tx, minute), cell in _unflushed(uow):
        if since <= minute <= until and (channel is None or ch == channel):
            cells.setdefault((ch, tx), _Cell()).merge(cell)
    totals: dict[str, _Cell] = {}
    for (ch, _tx), cell in cells.items():
        totals.setdefault(ch, _Cell()).merge(cell)
    return ChannelMetrics(
        since=since,
        until=_utc(at),
        minutes=minutes,
        channels=[_stats_of(ch, "*", c) for ch, c in sorted(totals.items())],
        items=[_stats_of(ch, tx, c) for (ch, tx), c in sorted(cells.items())],
    )


# ---------------------------------------------------------------- the background flusher


class Runs(Protocol):
    """What the flusher needs of the bank: running a command in its own transaction."""

    def run(
        self, fn: Callable[..., T], *args: Any, readonly: bool = False, eod: bool = False, **kwargs: Any
    ) -> T: ...


class Flusher:
    """A background thread that flushes this process's channel counts every `interval` seconds (and once
    more when stopped). The web app and the ATM switch each start one."""

    def __init__(self, bank: Runs, interval: float = FLUSH_SECONDS):
        self.bank, self.interval = bank, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="channel-monitor-flusher", daemon=True)

    def start(self) -> Flusher:
        """Start the loop; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the loop, flushing what is left, and wait for it briefly."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def flush_now(self) -> FlushResult | None:
        """One flush in its own transaction; a failure is logged and retried at the next tick (the counts
        stay in memory)."""
        try:
            return self.bank.run(flush)
        except Exception:
            log.warning("channel monitoring could not flush its counts; will retry", exc_info=True)
            return None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush_now()
        self.flush_now()
