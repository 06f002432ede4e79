"""`corebank channel monitor`: the channel monitor's summary (volume, success and error rates, latency
percentiles, response codes per channel and transaction type) and the standing alerts, as Rich tables."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from corebank.channels import monitoring
from corebank.channels.monitoring_schemas import ChannelAlertRead, ChannelMetrics, TxTypeStats
from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError

app = typer.Typer(
    help="The channel monitor: volume, success and error rates, latency and codes per channel; standing alerts.",
    invoke_without_command=True,
)


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def _row(t: Table, s: TxTypeStats) -> None:
    codes = " ".join(f"{c}×{n}" for c, n in sorted(s.codes.items(), key=lambda kv: -kv[1])[:6])
    t.add_row(
        s.channel,
        s.tx_type,
        str(s.requests),
        f"{s.success_rate:.2%}",
        f"{s.error_rate:.2%}",
        str(s.refused),
        _ms(s.p50_ms),
        _ms(s.p95_ms),
        _ms(s.p99_ms),
        codes,
    )


def show(summary: ChannelMetrics, alerts: list[ChannelAlertRead]) -> None:
    """Print the summary and the standing alerts."""
    t = Table(title=f"Channels, last {summary.minutes} minutes (since {summary.since:%Y-%m-%d %H:%M} UTC)")
    for col in (
        "channel",
        "transaction type",
        "requests",
        "success",
        "errors",
        "refused",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "codes",
    ):
        t.add_column(col)
    for s in summary.channels:
        _row(t, s)
        for item in summary.items:
            if item.channel == s.channel:
                _row(t, item)
        t.add_section()
    console.print(t)
    if not summary.items:
        console.print("no requests in the window")
    if alerts:
        a = Table(title="Standing alerts")
        for col in ("channel", "kind", "value", "threshold", "requests", "raised at"):
            a.add_column(col)
        for al in alerts:
            a.add_row(
                al.channel,
                al.kind,
                al.value,
                al.threshold,
                str(al.requests),
                f"{al.raised_at:%Y-%m-%d %H:%M:%S}",
            )
        console.print(a)
    else:
        console.print("no standing alerts")


@app.callback()
def monitor(
    minutes: Annotated[int, typer.Option(help="the window, in minutes")] = 60,
    channel: Annotated[str | None, typer.Option(help="one channel only")] = None,
    as_user: Annotated[
        str | None, typer.Option("--as-user", help="act as this staff user (their rights and branches)")
    ] = None,
) -> None:
    """Volume, success and error rates, latency percentiles and response codes per channel and transaction
    type over the last minutes, with the standing alerts."""
    try:
        bank = build_bank()
        actor = staff_actor(bank, as_user)
        summary = bank.run(monitoring.channel_metrics, actor, minutes, channel, readonly=True)
        alerts = bank.run(monitoring.list_alerts, actor, True, readonly=True)
    except CoreBankError as exc:
        refuse(exc)
    show(summary, alerts)
