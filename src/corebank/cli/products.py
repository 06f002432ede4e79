"""`corebank product`: the product factory from the command line (list, show, create, activate, retire, rates,
propose-rates, approve-rates; base-rates, set-base-rate). Rate changes need two people: one proposes, another
approves; a base-rate fixing (the LPR) is posted by one product manager."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from corebank import products
from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError, InvalidRequest

app = typer.Typer(help="Deposit products and their rates (product factory).", no_args_is_help=True)
AsUser = Annotated[str | None, typer.Option("--as", help="act as this staff user (their rights)")]
RequiredUser = Annotated[
    str, typer.Option("--as", help="the staff user who acts (maker-checker needs a person)")
]


def _show(p: products.ProductRead) -> None:
    t = Table(title=f"{p.code} — {p.name} {p.name_zh}".rstrip(), show_header=False)
    t.add_column("parameter", style="bold")
    t.add_column("value")
    rows = [
        ("status", p.status),
        ("kind", p.kind),
        ("currency", p.currency),
        ("GL", p.gl_code),
        ("customer types", ", ".join(p.customer_types)),
        ("terms", ", ".join(p.terms) or "-"),
        ("minimum opening", p.min_opening_amount),
        ("minimum balance", p.min_balance),
        ("minimum withdrawal", p.min_withdrawal),
        ("partial withdrawals", str(p.max_partial_withdrawals)),
        ("early withdrawal", p.early_withdrawal),
        ("rollover", ", ".join(p.rollover_options) or "-"),
        ("channels", ", ".join(p.channels)),
        ("account classes", ", ".join(map(str, p.account_classes))),
        ("interest", p.interest_method),
        ("demand rate from", p.demand_product_code or "-"),
        ("fees", ", ".join(f"{k} {v}" for k, v in p.fees.items()) or "-"),
    ]
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)


@app.command("list")
def product_list(as_user: AsUser = None) -> None:
    """Every product with its kind, currency, terms and status."""
    bank = build_bank()
    try:
        rows = bank.run(products.list_products, staff_actor(bank, as_user), readonly=True)
    except CoreBankError as exc:
        refuse(exc)
    t = Table(title="Products")
    for col in ("code", "name", "kind", "currency", "terms", "min opening", "status"):
        t.add_column(col)
    for p in rows:
        t.add_row(p.code, p.name, p.kind, p.currency, " ".join(p.terms), p.min_opening_amount, p.status)
    console.print(t)


@app.command("show")
def show(code: str, as_user: AsUser = None) -> None:
    """One product with all its parameters."""
    bank = build_bank()
    try:
        _show(bank.run(products.get_product, staff_actor(bank, as_user), code, readonly=True))
    except CoreBankError as exc:
        refuse(exc)


@app.command("create")
def create(
    file: Annotated[Path, typer.Option("--file", help="product definition as JSON (the REST body)")],
    as_user: AsUser = None,
) -> None:
    """Define a product from a JSON file; it starts as a draft."""
    try:
        try:
            cmd = products.ProductCreate.model_validate(json.loads(file.read_text(encoding="utf-8")))
        except (OSError, ValueError, ValidationError) as exc:
            raise InvalidRequest(f"{file}: {exc}") from None
        bank = build_bank()
        p = bank.run(products.create_product, staff_actor(bank, as_user), cmd)
    except CoreBankError as exc:
        refuse(exc)
    console.print(f"product {p.code} created as a [bold]{p.status}[/bold]")


@app.command("activate")
def activate(code: str, as_user: AsUser = None) -> None:
    """Put a draft product on sale (every term it offers needs a rate)."""
    bank = build_bank()
    try:
        p = bank.run(products.activate_product, staff_actor(bank, as_user), code)
    except CoreBankError as exc:
        refuse(exc)
    console.print(f"product {p.code} is {p.status}")


@app.command("retire")
def retire(code: str, as_user: AsUser = None) -> None:
    """Stop selling a product; the accounts it has keep working."""
    bank = build_bank()
    try:
        p = bank.run(products.retire_product, staff_actor(bank, as_user), code)
    except CoreBankError as exc:
        refuse(exc)
    console.print(f"product {p.code} is {p.status}: it sells no more and serves its accounts")


@app.command("rates")
def rates(
    code: str,
    term: Annotated[str | None, typer.Option(help="only this term, e.g. 12M")] = None,
    as_user: AsUser = None,
) -> None:
    """The product's rate history, newest effective date first."""
    bank = build_bank()
    try:
        rows = bank.run(products.list_rates, staff_actor(bank, as_user), code, term, readonly=True)
    except CoreBankError as exc:
        refuse(exc)
    t = Table(title=f"Rates of {code} (percent a year)")
    for col in ("effective", "term", "rate %", "from amount", "made by", "approved by"):
        t.add_column(col)
    for r in rows:
        t.add_row(
            r.effective_date.isoformat(),
            r.term,
            r.annual_rate,
            r.min_amount,
            r.created_by,
            r.approved_by or "",
        )
    console.print(t)


def _rate_line(text: str) -> products.RateLine:
    """TERM=RATE or TERM=RATE@MIN_AMOUNT, e.g. 12M=1.55 or 7D=1.50@500000.00."""
    term, sep, rest = text.partition("=")
    if not sep or not term.strip() or not rest.strip():
        raise InvalidRequest(f"--rate {text!r}: write TERM=RATE, e.g. 12M=1.55 (or TERM=RATE@MIN_AMOUNT)")
    rate, _at, tier = rest.partition("@")
    return products.RateLine(term=term.strip(), annual_rate=rate.strip(), min_amount=tier.strip() or "0")


@app.command("propose-rates")
def propose_rates(
    code: str,
    effective: Annotated[str, typer.Option("--effective", help="effective date, YYYY-MM-DD")],
    rate: Annotated[list[str], typer.Option("--rate", help="TERM=RATE (percent), repeat per term")],
    as_user: RequiredUser,
) -> None:
    """Propose new rates from a date; another product manager approves them (approve-rates)."""
    try:
        try:
            day = date.fromisoformat(effective)
        except ValueError:
            raise InvalidRequest(f"--effective {effective!r} is not a date (YYYY-MM-DD)") from None
        cmd = products.RateChange(effective_date=day, rates=[_rate_line(r) for r in rate])
        bank = build_bank()
        pending = bank.run(products.propose_rates, staff_actor(bank, as_user), code, cmd)
    except CoreBankError as exc:
        refuse(exc)
    console.print(
        f"approval {pending.approval_id} is waiting for a second product manager: {pending.summary}"
    )


@app.command("approve-rates")
def approve_rates(approval_id: int, as_user: RequiredUser) -> None:
    """Approve a proposed rate change (not by its maker); the rates are posted at once."""
    bank = build_bank()
    try:
        done = bank.run(products.approve_rate_change, staff_actor(bank, as_user), approval_id)
    except CoreBankError as exc:
        refuse(exc)
    console.print(f"approval {done.id} {done.status} by {done.checker}: {done.summary}")


# ---------------------------------------------------------------------------------------------- base rates
StaffUser = Annotated[
    str | None, typer.Option("--as-user", "--as", help="act as this staff user (their rights)")
]


def _base_rate_table(title: str, rows: list[dict[str, str]]) -> None:
    t = Table(title=title)
    for col in ("code", "effective", "rate %", "set by"):
        t.add_column(col, justify="right" if col == "rate %" else "left")
    for r in rows:
        t.add_row(r["code"], r["effective_date"], r["annual_rate"], r["created_by"])
    console.print(t)


@app.command("base-rates")
def base_rates(as_user: StaffUser = None) -> None:
    """Every fixing of the base rates floating loans are priced over (LPR1Y, LPR5Y ...), newest first per code."""
    bank = build_bank()
    try:
        rows = bank.run(products.list_base_rates, staff_actor(bank, as_user), readonly=True)
    except CoreBankError as exc:
        refuse(exc)
    _base_rate_table("Base rates (percent a year)", rows)


@app.command("set-base-rate")
def set_base_rate(
    code: Annotated[str, typer.Argument(help="the base rate, e.g. LPR1Y")],
    rate: Annotated[str, typer.Option("--rate", help='percent a year, e.g. "3.00"')],
    effective: Annotated[str, typer.Option("--from", help="effective date, YYYY-MM-DD: today or later")],
    as_user: StaffUser = None,
) -> None:
    """Post a new fixing of a base rate (a new LPR, 贷款市场报价利率); floating loans take it when they reprice."""
    try:
        try:
            day = date.fromisoformat(effective)
        except ValueError:
            raise InvalidRequest(f"--from {effective!r} is not a date (YYYY-MM-DD)") from None
        bank = build_bank()
        actor = staff_actor(bank, as_user)
        bank.run(products.set_base_rate, actor, code, rate, day)
        rows = bank.run(products.list_base_rates, actor, readonly=True)
    except CoreBankError as exc:
        refuse(exc)
    fixings = [r for r in rows if r["code"] == code]
    posted = next(r["annual_rate"] for r in fixings if r["effective_date"] == day.isoformat())
    console.print(f"{code} is {posted} % from {day}")
    _base_rate_table(f"Fixings of {code}", fixings)
