"""Channel monitoring: metrics and alerts (the console's summary of every channel), and the background flusher
of this process's counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from corebank.channels import monitoring
from corebank.channels.monitoring_schemas import ChannelAlertRead, ChannelMetrics
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/channels", tags=["channels"])


@router.get(
    "/metrics",
    response_model=ChannelMetrics,
    summary="Volume, success and error rates, latency percentiles and response codes per channel and "
    "transaction type over the last minutes",
)
def metrics(
    bank: BankDep,
    actor: Annotated[Actor, Depends(requires(P.CHANNEL_READ))],
    minutes: Annotated[int, Query(ge=1, le=monitoring.MAX_MINUTES)] = 60,
    channel: str | None = None,
) -> ChannelMetrics:
    return bank.run(monitoring.channel_metrics, actor, minutes, channel, readonly=True)


@router.get(
    "/alerts",
    response_model=list[ChannelAlertRead],
    summary="Channel alerts, newest first (active=true: the standing ones)",
)
def alerts(
    bank: BankDep,
    actor: Annotated[Actor, Depends(requires(P.CHANNEL_READ))],
    active: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ChannelAlertRead]:
    return bank.run(monitoring.list_alerts, actor, active, limit, readonly=True)


def start_channel_flusher(app: Any, bank: Any) -> monitoring.Flusher:
    """Start the background flusher of this process's channel counts (`corebank serve`'s workers), kept on
    `app.state.channel_flusher` and stopped with the app."""
    flusher = monitoring.Flusher(bank).start()
    app.state.channel_flusher = flusher
    app.router.on_shutdown.append(flusher.stop)
    return flusher
