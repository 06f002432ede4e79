"""`corebank points`: Points (积分): a customer's points, the earning rules, adjustments.

Refusals print their stable code and leave with exit status 2."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from corebank.channels import points
from corebank.channels.points_schemas import AdjustmentCreate, PointsAccountRead
from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError

app = typer.Typer(help="Points (积分).", no_args_is_help=True)
T = TypeVar("T")
AsUser = Annotated[
    str | None, typer.Option("--as-user", help="act as this staff user (their rights and branches)")
]


def _call(as_user: str | None, fn: Callable[..., T], *args: Any, readonly: bool = False, **kw: Any) -> T:
    try:
        bank = build_bank()
        return bank.run(fn, staff_actor(bank, as_user), *args, readonly=readonly, **kw)
    except CoreBankError as exc:
        refuse(exc)


def _show(view: PointsAccountRead) -> None:
    console.print(
        f"customer {view.customer_number}: [bold]{view.balance}[/bold] points "
        f"(worth {view.cash_value} {view.currency})"
    )
    if view.expiring_soon:
        soon = ", ".join(f"{e.points} on {e.expires_on}" for e in view.expiring_soon)
        console.print(f"expiring within {view.expiring_within_days} days: {soon}")
    t = Table(title="Moves, newest first")
    for col in ("id", "date", "kind", "points", "ref", "memo"):
        t.add_column(col)
    for m in view.history:
        t.add_row(str(m.id), m.business_date.isoformat(), m.kind, f"{m.points:+d}", m.ref, m.memo)
    console.print(t)


@app.command("show")
def show(
    customer: Annotated[str, typer.Argument(help="the customer number")],
    limit: Annotated[int, typer.Option(help="moves to list")] = 20,
    as_user: AsUser = None,
) -> None:
    """A customer's points: balance, what expires soon, the latest moves."""
    _show(_call(as_user, points.customer_points, customer, limit=limit, readonly=True))


@app.command("rules")
def rules(as_user: AsUser = None) -> None:
    """The earning rules (active rules of a kind add up)."""
    t = Table(title="Points rules")
    for col in ("code", "kind", "rate", "active", "updated by", "updated at"):
        t.add_column(col)
    for r in _call(as_user, points.list_rules, readonly=True):
        at = f"{r.updated_at:%Y-%m-%d %H:%M}" if r.updated_at else "-"
        t.add_row(r.code, r.kind, r.rate, "yes" if r.active else "no", r.updated_by, at)
    console.print(t)


@app.command("adjust")
def adjust(
    customer: Annotated[str, typer.Argument(help="the customer number")],
    points_: Annotated[int, typer.Argument(metavar="POINTS", help="points to add, or take away if negative")],
    reason: Annotated[str, typer.Option(help="why (kept in the audit trail)")],
    as_user: AsUser = None,
) -> None:
    """Add points to a customer or take them away (negative POINTS, after `--`: `adjust --reason R C -- -100`)."""
    done = _call(as_user, points.adjust, customer, AdjustmentCreate(points=points_, reason=reason))
    console.print(
        f"[green]adjusted[/green] {done.points:+d} points; customer {done.customer_number} holds {done.balance}"
    )
