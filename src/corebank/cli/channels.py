"""`corebank channel`: the channel registry (open and close channels or transaction types), the limit table and
the fee table. Refusals print their stable code and leave with exit status 2."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from corebank.channels import CHANNELS, limits, registry
from corebank.channels.limit_schemas import LimitRuleRead, LimitRuleSet
from corebank.channels.registry_schemas import ChannelRead
from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError
from corebank.products import fee_schedule
from corebank.products.fee_schemas import FeeQuoteAsk, FeeRuleRead, FeeRuleSet

app = typer.Typer(help="Channels: the registry, limits and fees.", no_args_is_help=True)
T = TypeVar("T")
AsUser = Annotated[
    str | None, typer.Option("--as-user", help="act as this staff user (their rights and branches)")
]
Code = Annotated[str, typer.Argument(help="the channel: " + " | ".join(CHANNELS))]
TxTypeOpt = Annotated[
    str | None, typer.Option("--tx-type", help="only this transaction type (default: the whole channel)")
]


def _call(as_user: str | None, fn: Callable[..., T], *args: Any, readonly: bool = False, **kw: Any) -> T:
    try:
        bank = build_bank()
        return bank.run(fn, staff_actor(bank, as_user), *args, readonly=readonly, **kw)
    except CoreBankError as exc:
        refuse(exc)


def _show_channels(rows: list[ChannelRead], title: str) -> None:
    t = Table(title=title)
    for col in ("channel", "kind", "status", "closed types", "closed by", "reason"):
        t.add_column(col)
    for c in rows:
        closed_types = ", ".join(x.tx_type for x in c.closed_types) or "-"
        who = c.closed.closed_by if c.closed else "-"
        reason = c.closed.reason if c.closed else "; ".join(x.reason for x in c.closed_types if x.reason)
        t.add_row(c.code, "e-channel" if c.e_channel else "", c.status, closed_types, who, reason or "-")
    console.print(t)
    for c in rows:
        if c.note:
            console.print(f"[yellow]note[/yellow] {c.code}: {c.note}")


@app.command("list")
def list_channels(as_user: AsUser = None) -> None:
    """Every channel, open or closed, and the transaction types closed on it."""
    _show_channels(_call(as_user, registry.list_channels, readonly=True), "Channels")


@app.command("close")
def close(
    code: Code,
    tx_type: TxTypeOpt = None,
    reason: Annotated[
        str, typer.Option("--reason", help="why (kept in the registry and the audit trail)")
    ] = "",
    as_user: AsUser = None,
) -> None:
    """Close a channel, or one transaction type on it, at once for every request."""
    c = _call(as_user, registry.close_channel, code, tx_type, reason)
    _show_channels([c], f"Channel {c.code}")


@app.command("open")
def open_(
    code: Code,
    tx_type: TxTypeOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="why")] = "",
    as_user: AsUser = None,
) -> None:
    """Open a channel, or one transaction type on it, again."""
    c = _call(as_user, registry.open_channel, code, tx_type, reason)
    _show_channels([c], f"Channel {c.code}")


def _show_limits(rows: list[LimitRuleRead], title: str) -> None:
    t = Table(title=title)
    for col in (
        "channel",
        "type",
        "tier",
        "class",
        "strength",
        "single",
        "daily",
        "yearly",
        "count/day",
        "by",
    ):
        t.add_column(col)
    for r in rows:
        t.add_row(
            r.channel,
            r.tx_type,
            r.tier,
            str(r.account_class or "*"),
            r.strength,
            r.single or "-",
            r.daily or "-",
            r.yearly or "-",
            str(r.count) if r.count is not None else "-",
            r.updated_by,
        )
    console.print(t)


@app.command("limits")
def list_limits(
    channel: Annotated[str | None, typer.Option("--channel", help="only this channel's")] = None,
    as_user: AsUser = None,
) -> None:
    """The bank's channel limit table (per field the most specific matching row wins)."""
    _show_limits(_call(as_user, limits.list_limit_rules, channel, readonly=True), "Channel limits")


@app.command("set-limit")
def set_limit(
    channel: Annotated[str, typer.Argument(help="the channel")],
    tx_type: Annotated[str, typer.Argument(help="the transaction type")],
    single: Annotated[str | None, typer.Option("--single", help="most per transaction")] = None,
    daily: Annotated[str | None, typer.Option("--daily", help="most per business day")] = None,
    yearly: Annotated[str | None, typer.Option("--yearly", help="most per calendar year")] = None,
    count: Annotated[int | None, typer.Option("--count", help="most transactions per business day")] = None,
    tier: Annotated[str, typer.Option("--tier", help="* | standard | gold | vip")] = "*",
    account_class: Annotated[int, typer.Option("--class", help="0 (any) | 1 | 2 | 3")] = 0,
    strength: Annotated[str, typer.Option("--strength", help="* | password | sms | totp | signed")] = "*",
    currency: Annotated[str | None, typer.Option("--currency", help="default: the base currency")] = None,
    as_user: AsUser = None,
) -> None:
    """Set one row of the limit table (a value left out is not set on this row; none at all removes it)."""
    cmd = LimitRuleSet(
        channel=channel,
        tx_type=tx_type,
        tier=tier,
        account_class=account_class,
        strength=strength,
        currency=currency,
        single=single,
        daily=daily,
        yearly=yearly,
        count=count,
    )
    r = _call(as_user, limits.set_limit_rule, cmd)
    if r is None:
        console.print(f"limit row for {channel}/{tx_type} removed")
    else:
        _show_limits([r], f"Limit {channel}/{tx_type}")


def _show_fees(rows: list[FeeRuleRead], title: str) -> None:
    t = Table(title=title)
    for col in ("id", "type", "channel", "tier", "branch", "up to", "fixed", "rate", "cap", "active"):
        t.add_column(col)
    for r in rows:
        t.add_row(
            str(r.id),
            r.tx_type,
            r.channel,
            r.tier,
            r.branch_code,
            r.band_upto or "no bound",
            r.fixed_fee,
            r.rate,
            r.cap or "-",
            "yes" if r.active else "no",
        )
    console.print(t)


@app.command("fees")
def list_fees(
    tx_type: Annotated[str | None, typer.Option("--tx-type", help="only this transaction type's")] = None,
    as_user: AsUser = None,
) -> None:
    """The fee table."""
    _show_fees(_call(as_user, fee_schedule.list_fee_rules, tx_type, readonly=True), "Fees")


@app.command("set-fee")
def set_fee(
    tx_type: Annotated[str, typer.Argument(help="the transaction type, e.g. interbank")],
    channel: Annotated[str, typer.Option("--channel", help="a channel or *")] = "*",
    tier: Annotated[str, typer.Option("--tier", help="* | standard | gold | vip")] = "*",
    branch: Annotated[str, typer.Option("--branch", help="a branch code or *")] = "*",
    band_upto: Annotated[
        str | None, typer.Option("--upto", help="the band's upper bound (none: no bound)")
    ] = None,
    fixed: Annotated[str, typer.Option("--fixed", help="the fixed fee")] = "0",
    rate: Annotated[str, typer.Option("--rate", help="a fraction of the amount: 0.002 % is 0.00002")] = "0",
    cap: Annotated[str | None, typer.Option("--cap", help="the most the fee may be")] = None,
    inactive: Annotated[bool, typer.Option("--inactive", help="deactivate this band")] = False,
    currency: Annotated[str | None, typer.Option("--currency", help="default: the base currency")] = None,
    as_user: AsUser = None,
) -> None:
    """Set one band of a fee rule, effective for the next transaction."""
    cmd = FeeRuleSet(
        tx_type=tx_type,
        channel=channel,
        tier=tier,
        branch_code=branch,
        band_upto=band_upto,
        fixed_fee=fixed,
        rate=rate,
        cap=cap,
        currency=currency,
        active=not inactive,
    )
    _show_fees([_call(as_user, fee_schedule.set_fee_rule, cmd)], f"Fee {tx_type}")


@app.command("quote")
def quote(
    tx_type: Annotated[str, typer.Argument(help="the transaction type, e.g. interbank")],
    amount: Annotated[str, typer.Argument(help="the amount, e.g. 20000.00")],
    channel: Annotated[str, typer.Option("--channel")] = "counter",
    tier: Annotated[str, typer.Option("--tier")] = "standard",
    branch: Annotated[str, typer.Option("--branch")] = "0001",
    currency: Annotated[str | None, typer.Option("--currency")] = None,
    as_user: AsUser = None,
) -> None:
    """What a transaction would cost."""
    ask = FeeQuoteAsk(
        tx_type=tx_type, channel=channel, tier=tier, branch_code=branch, amount=amount, currency=currency
    )
    q = _call(as_user, fee_schedule.quote_fee, ask, readonly=True)
    console.print(
        f"{q.tx_type} of {q.amount} {q.currency} on {q.channel} ({q.tier}, branch {q.branch_code}): "
        f"fee {q.fee} {q.currency}"
    )
