"""`corebank collateral`: collateral (抵押物/质押物) and guarantors (保证人) from the command line. Register and
revalue collateral, read it, pledge it to a loan application, add a guarantor, read what secures an application,
and release a collateral (解押).

Each command calls one use case of corebank.loans.collateral as the staff user of `--as-user`; a refusal prints
its stable code and leaves with exit status 2."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from corebank.cli.common import console
from corebank.cli.loans import ApplicationId, AsUser, call, cmd_of, or_blank, show_pairs
from corebank.loans import collateral
from corebank.loans.collateral_schemas import (
    COLLATERAL_TYPES,
    CollateralCreate,
    CollateralRead,
    CollateralRevalue,
    GuarantorCreate,
    PledgeCreate,
    PledgeRead,
)

app = typer.Typer(
    help="Collateral and guarantors of loans: register, revalue, pledge, guarantee, release.",
    no_args_is_help=True,
)
Number = Annotated[str, typer.Argument(help="the collateral number")]
IN_HOUSE = "the bank"  # the valuer when none is named: the bank's own valuation


def _show(c: CollateralRead) -> list[tuple[str, str]]:
    cur = c.currency
    return [
        ("status", c.status),
        ("type", c.type),
        ("description", c.description),
        ("owner", f"{c.owner_customer_number} {c.owner_name}"),
        ("value", f"{c.value} {cur}"),
        ("valued on", c.valuation_date.isoformat()),
        ("pledged", c.pledged),
        ("available", c.available),
        ("branch", c.branch_code),
        ("registered", f"{c.registered_on} by {c.registered_by}"),
        ("released on", or_blank(c.released_on)),
    ]


def _pledge_table(title: str, pledges: list[PledgeRead]) -> None:
    t = Table(title=title)
    for col in (
        "pledge",
        "collateral",
        "type",
        "application",
        "loan",
        "amount",
        "status",
        "since",
        "released",
    ):
        t.add_column(col, justify="right" if col in ("pledge", "amount") else "left")
    for p in pledges:
        t.add_row(
            str(p.id),
            p.collateral_number,
            p.collateral_type,
            f"{or_blank(p.application_id)} ({or_blank(p.application_status)})",
            f"{or_blank(p.loan_number)} ({or_blank(p.loan_status)})" if p.loan_number else "-",
            f"{p.pledged_amount} {p.currency}",
            p.status,
            p.created_on.isoformat(),
            or_blank(p.released_on),
        )
    console.print(t)


@app.command("register")
def register(
    kind: Annotated[str, typer.Option("--type", help=" · ".join(COLLATERAL_TYPES))],
    owner: Annotated[
        str, typer.Option("--owner", help="the owner's customer number (not always the borrower)")
    ],
    value: Annotated[str, typer.Option("--value", help='its valuation, e.g. "1500000.00"')],
    valued_on: Annotated[str, typer.Option("--valued-on", help="the valuation's date, YYYY-MM-DD")],
    description: Annotated[
        str | None,
        typer.Option("--description", help="what it is: address, plate, serial (default: the type)"),
    ] = None,
    valuer: Annotated[str, typer.Option("--valuer", help="who valued it, e.g. an appraisal firm")] = IN_HOUSE,
    currency: Annotated[str, typer.Option("--currency", help="the currency of the valuation")] = "CNY",
    note: Annotated[str, typer.Option("--note", help="a note on the valuation")] = "",
    as_user: AsUser = None,
) -> None:
    """Register a collateral at the staff user's branch with its first valuation; prints its number."""
    cmd = cmd_of(
        CollateralCreate,
        type=kind,
        description=description or kind.replace("_", " "),
        owner_customer_number=owner,
        currency=currency,
        value=value,
        valuation_date=valued_on,
        valuer=valuer,
        note=note,
    )
    _bank, c = call(as_user, collateral.register_collateral, cmd)
    console.print(f"collateral [bold]{c.collateral_number}[/bold] registered")
    show_pairs(f"Collateral {c.collateral_number}", _show(c))


@app.command("revalue")
def revalue(
    number: Number,
    value: Annotated[str, typer.Option("--value", help="the new valuation")],
    valued_on: Annotated[
        str, typer.Option("--valued-on", help="its date, YYYY-MM-DD: not before the current one's")
    ],
    valuer: Annotated[str, typer.Option("--valuer", help="who valued it")] = IN_HOUSE,
    note: Annotated[str, typer.Option("--note", help="a note on the valuation")] = "",
    as_user: AsUser = None,
) -> None:
    """Record a new valuation; the history keeps every one. A value below what is pledged shrinks the cover."""
    cmd = cmd_of(CollateralRevalue, value=value, valuation_date=valued_on, valuer=valuer, note=note)
    _bank, c = call(as_user, collateral.revalue_collateral, number, cmd)
    console.print(f"collateral {c.collateral_number} revalued at {c.value} {c.currency}")
    show_pairs(f"Collateral {c.collateral_number}", _show(c))


@app.command("show")
def show(number: Number, as_user: AsUser = None) -> None:
    """A collateral, its valuation history, and the applications and loans it secures or secured."""
    _bank, c = call(as_user, collateral.get_collateral, number, readonly=True)
    show_pairs(f"Collateral {c.collateral_number}", _show(c))
    t = Table(title="Valuations")
    for col in ("valued on", "value", "valuer", "by", "note"):
        t.add_column(col, justify="right" if col == "value" else "left")
    for v in c.valuations:
        t.add_row(v.valuation_date.isoformat(), v.value, v.valuer, v.created_by, v.note)
    console.print(t)
    if c.pledges:
        _pledge_table("Pledges", c.pledges)


@app.command("list")
def collateral_list(
    owner: Annotated[str | None, typer.Option("--owner", help="one owner's (customer number)")] = None,
    limit: Annotated[int, typer.Option("--limit", help="at most this many (up to 200)")] = 50,
    as_user: AsUser = None,
) -> None:
    """Collateral in the staff user's branches, oldest first."""
    _bank, page = call(
        as_user,
        lambda uow, actor: collateral.list_collateral(uow, actor, owner, limit=limit),
        readonly=True,
    )
    t = Table(title="Collateral")
    for col in ("number", "type", "owner", "value", "valued on", "pledged", "available", "status"):
        t.add_column(col, justify="right" if col in ("value", "pledged", "available") else "left")
    for c in page.items:
        t.add_row(
            c.collateral_number,
            c.type,
            f"{c.owner_customer_number} {c.owner_name}",
            f"{c.value} {c.currency}",
            c.valuation_date.isoformat(),
            c.pledged,
            c.available,
            c.status,
        )
    console.print(t)
    if not page.items:
        console.print("no collateral")
    if page.next_cursor:
        console.print(f"more than {limit}: raise --limit or filter by --owner")


@app.command("pledge")
def pledge(
    application_id: ApplicationId,
    number: Number,
    amount: Annotated[
        str | None, typer.Option("--amount", help="pledge this much of its value (default: all of it)")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Pledge a collateral to a submitted or scored loan application."""
    cmd = cmd_of(PledgeCreate, collateral_number=number, pledged_amount=amount)
    _bank, p = call(as_user, collateral.pledge, application_id, cmd)
    console.print(
        f"collateral {p.collateral_number} pledged to application {p.application_id} "
        f"for {p.pledged_amount} {p.currency} (pledge {p.id})"
    )


@app.command("guarantor")
def guarantor(
    application_id: ApplicationId,
    customer: Annotated[str, typer.Option("--customer", help="the guarantor's customer number")],
    amount: Annotated[
        str, typer.Option("--amount", help="the amount guaranteed, at most the amount applied for")
    ],
    kind: Annotated[
        str, typer.Option("--kind", help="joint_and_several (连带责任保证) · general (一般保证)")
    ] = "joint_and_several",
    as_user: AsUser = None,
) -> None:
    """Add a guarantor (保证人) to a submitted or scored loan application."""
    cmd = cmd_of(GuarantorCreate, customer_number=customer, guaranteed_amount=amount, kind=kind)
    _bank, g = call(as_user, collateral.add_guarantor, application_id, cmd)
    console.print(
        f"{g.customer_number} {g.name} guarantees application {g.application_id} for {g.guaranteed_amount} "
        f"{g.currency} ({g.kind.replace('_', ' ')}, guarantor {g.id})"
    )


@app.command("security")
def security(application_id: ApplicationId, as_user: AsUser = None) -> None:
    """What secures a loan application: its pledges and guarantors, and the cover at the product's LTV caps."""
    _bank, s = call(as_user, collateral.application_security, application_id, readonly=True)
    cur = s.currency
    show_pairs(
        f"Security of application {s.application_id}",
        [
            ("amount applied for", f"{s.amount} {cur}"),
            ("collateral pledged", s.collateral_value),
            ("lendable at the LTV caps", s.lendable_value),
            ("guaranteed", s.guaranteed),
        ],
    )
    if s.pledges:
        _pledge_table("Pledges", s.pledges)
    if s.guarantors:
        t = Table(title="Guarantors")
        for col in ("id", "customer", "amount", "kind", "status"):
            t.add_column(col, justify="right" if col in ("id", "amount") else "left")
        for g in s.guarantors:
            t.add_row(str(g.id), f"{g.customer_number} {g.name}", g.guaranteed_amount, g.kind, g.status)
        console.print(t)


@app.command("release")
def release(number: Number, as_user: AsUser = None) -> None:
    """Release a collateral (解押) and its remaining pledges; refused while it secures a live loan."""
    _bank, c = call(as_user, collateral.release_collateral, number)
    console.print(f"collateral {c.collateral_number} released on {c.released_on}")
