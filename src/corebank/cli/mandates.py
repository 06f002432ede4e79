"""`corebank mandate`, `corebank standing-order`, `corebank biller`: direct debits, standing orders, bill payment.

Each command calls one use case as the staff user of `--as-user`; a refusal prints its stable code and leaves
with exit status 2. Money-moving commands (`mandate collect`, `biller pay`) send an idempotency key: a fresh one
unless `--key` is given, printed so that a retry with the same key returns the first answer."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from corebank.cli.common import console
from corebank.cli.loans import AsUser, Key, call, cmd_of, idempotency_key, or_blank, show_pairs
from corebank.payments import billers, mandates, standing_orders
from corebank.payments.mandate_schemas import (
    BillerCreate,
    BillerRead,
    BillPaymentCreate,
    CollectionCreate,
    DirectDebitRead,
    MandateCreate,
    MandateRead,
    MandateRevoke,
    StandingOrderCreate,
    StandingOrderRead,
)

mandate_app = typer.Typer(help="Direct debit mandates (代扣) and their collections.", no_args_is_help=True)
standing_order_app = typer.Typer(help="Standing orders run by end of day.", no_args_is_help=True)
biller_app = typer.Typer(help="Registered billers and bill payment.", no_args_is_help=True)

MandateId = Annotated[int, typer.Argument(help="the mandate's id")]
OrderId = Annotated[int, typer.Argument(help="the standing order's id")]
Currency = Annotated[str, typer.Option("--currency", help="ISO 4217 currency")]
Limit = Annotated[int, typer.Option("--limit", help="at most this many, newest first")]


# ---------------------------------------------------------------------------------------------- mandates


def _show_mandate(m: MandateRead) -> None:
    creditor = f"biller {m.biller_code} ({m.creditor_account})" if m.biller_code else m.creditor_account
    show_pairs(
        f"Mandate {m.mandate_id} {m.mandate_ref}",
        [
            ("status", m.status),
            ("customer", m.customer_number),
            ("debtor account", m.debtor_account),
            ("creditor", creditor),
            ("creditor reference", or_blank(m.creditor_reference)),
            ("limit per debit", f"{m.limit_per_debit} {m.currency}"),
            ("limit per month", f"{m.limit_per_month} {m.currency}"),
            (
                "collected this month",
                f"{m.month_collected} {m.currency} (month of {or_blank(m.month_start)})",
            ),
            ("valid", f"{m.start_date} to {m.expiry_date}"),
            ("revoked", f"{m.revoked_at} by {m.revoked_by}: {m.revoke_reason}" if m.revoked_at else "-"),
            ("signed by", m.created_by),
        ],
    )


def _debits_table(title: str, debits: list[DirectDebitRead]) -> None:
    t = Table(title=title)
    for col in (
        "debit",
        "due",
        "amount",
        "status",
        "attempts",
        "next attempt",
        "error",
        "entry",
        "reference",
    ):
        t.add_column(col, justify="right" if col in ("amount", "attempts") else "left")
    for d in debits:
        t.add_row(
            str(d.debit_id),
            str(d.due_date),
            f"{d.amount} {d.currency}",
            d.status,
            str(d.attempts),
            or_blank(d.next_attempt_date),
            or_blank(d.last_error),
            or_blank(d.entry_id),
            or_blank(d.creditor_reference),
        )
    console.print(t)


@mandate_app.command("create")
def mandate_create(
    customer: Annotated[str, typer.Option("--customer", help="the customer's number")],
    account: Annotated[str, typer.Option("--account", help="the customer's account to debit")],
    per_debit: Annotated[str, typer.Option("--per-debit", help='limit per debit, e.g. "500.00"')],
    per_month: Annotated[str, typer.Option("--per-month", help="limit per calendar month")],
    expiry: Annotated[
        str, typer.Option("--expiry", help="the last day a debit may be collected, YYYY-MM-DD")
    ],
    biller: Annotated[str | None, typer.Option("--biller", help="the creditor: a biller code")] = None,
    creditor_account: Annotated[
        str | None, typer.Option("--creditor-account", help="the creditor: an account in this bank")
    ] = None,
    reference: Annotated[str, typer.Option("--reference", help="the customer's number at the creditor")] = "",
    start: Annotated[
        str | None, typer.Option("--start", help="first day, YYYY-MM-DD (default today)")
    ] = None,
    ref: Annotated[
        str | None, typer.Option("--ref", help="the mandate reference (default: assigned)")
    ] = None,
    currency: Currency = "CNY",
    as_user: AsUser = None,
) -> None:
    """Sign a direct debit mandate (签约代扣) for a customer's account; prints its id."""
    cmd = cmd_of(
        MandateCreate,
        customer_number=customer,
        debtor_account=account,
        biller_code=biller,
        creditor_account=creditor_account,
        creditor_reference=reference,
        limit_per_debit=per_debit,
        limit_per_month=per_month,
        currency=currency,
        start_date=start,
        expiry_date=expiry,
        mandate_ref=ref,
    )
    _bank, m = call(as_user, mandates.create_mandate, cmd)
    console.print(f"mandate [bold]{m.mandate_id}[/bold] ({m.mandate_ref}) signed")
    _show_mandate(m)


@mandate_app.command("list")
def mandate_list(
    customer: Annotated[str | None, typer.Option("--customer", help="one customer's")] = None,
    account: Annotated[str | None, typer.Option("--account", help="one debtor account's")] = None,
    status: Annotated[str | None, typer.Option("--status", help="active · revoked · expired")] = None,
    limit: Limit = 100,
    as_user: AsUser = None,
) -> None:
    """Mandates in the staff user's branches, newest first."""
    _bank, found = call(
        as_user,
        lambda uow, actor: mandates.list_mandates(
            uow, actor, customer_number=customer, account=account, status=status, limit=limit
        ),
        readonly=True,
    )
    t = Table(title="Mandates")
    for col in ("id", "ref", "status", "debtor", "creditor", "per debit", "per month", "expiry"):
        t.add_column(col)
    for m in found:
        t.add_row(
            str(m.mandate_id),
            m.mandate_ref,
            m.status,
            m.debtor_account,
            m.biller_code or m.creditor_account,
            m.limit_per_debit,
            m.limit_per_month,
            str(m.expiry_date),
        )
    console.print(t)


@mandate_app.command("show")
def mandate_show(mandate_id: MandateId, as_user: AsUser = None) -> None:
    """A mandate and its direct debits."""
    _bank, m = call(as_user, mandates.get_mandate, mandate_id, readonly=True)
    _show_mandate(m)
    _bank, debits = call(as_user, mandates.list_debits, mandate_id, readonly=True)
    _debits_table("Direct debits", debits)


@mandate_app.command("revoke")
def mandate_revoke(
    mandate_id: MandateId,
    reason: Annotated[str, typer.Option("--reason", help="why the customer revokes it")] = "",
    as_user: AsUser = None,
) -> None:
    """Revoke a mandate (解约): nothing more is collected under it."""
    _bank, m = call(as_user, mandates.revoke_mandate, mandate_id, cmd_of(MandateRevoke, reason=reason))
    console.print(f"mandate {m.mandate_id} ({m.mandate_ref}) revoked")


@mandate_app.command("collect")
def mandate_collect(
    mandate_id: MandateId,
    amount: Annotated[str, typer.Option("--amount", help='amount to collect, e.g. "120.50"')],
    reference: Annotated[
        str | None, typer.Option("--reference", help="the bill's reference (default: the mandate's)")
    ] = None,
    key: Key = None,
    as_user: AsUser = None,
) -> None:
    """Collect under a mandate now; prints the debit (collected, or failed with its reason and retry date)."""
    k = idempotency_key(key)
    cmd = cmd_of(CollectionCreate, amount=amount, creditor_reference=reference)
    _bank, d = call(as_user, mandates.collect, mandate_id, cmd, k)
    console.print(f"idempotency key {k}")
    if d.status == "collected":
        console.print(f"debit {d.debit_id}: collected {d.amount} {d.currency} (entry {d.entry_id})")
    else:
        retry = f", retry on {d.next_attempt_date}" if d.next_attempt_date else ""
        console.print(f"debit {d.debit_id}: [red]{d.status}[/red] {d.last_error}{retry}")


# ---------------------------------------------------------------------------------------------- standing orders


def _show_order(o: StandingOrderRead) -> None:
    payee = f"{o.to_account} at {o.to_bank_code}" if o.to_bank_code else o.to_account
    show_pairs(
        f"Standing order {o.order_id}",
        [
            ("status", o.status),
            ("from", o.from_account),
            ("to", f"{payee} {o.to_name}".strip()),
            ("amount", f"{o.amount} {o.currency}"),
            ("schedule", f"{o.frequency}, day {o.day}"),
            ("dates", f"{o.start_date} to {or_blank(o.end_date, 'no end')}"),
            ("next run", or_blank(o.next_run_date)),
            ("failures in a row", str(o.failures)),
            ("last error", or_blank(o.last_error)),
            ("memo", or_blank(o.memo)),
            ("set up by", o.created_by),
        ],
    )
    if o.runs:
        t = Table(title="Runs")
        for col in ("date", "status", "amount", "entry", "interbank payment", "error"):
            t.add_column(col)
        for r in o.runs:
            t.add_row(
                str(r.run_date),
                r.status,
                r.amount,
                or_blank(r.entry_id),
                or_blank(r.interbank_payment_id),
                or_blank(r.error),
            )
        console.print(t)


@standing_order_app.command("create")
def order_create(
    from_account: Annotated[str, typer.Option("--from", help="the paying account")],
    to_account: Annotated[str, typer.Option("--to", help="the payee's account")],
    amount: Annotated[str, typer.Option("--amount", help='amount each run, e.g. "1500.00"')],
    frequency: Annotated[str, typer.Option("--frequency", help="monthly · weekly")] = "monthly",
    day: Annotated[
        int | None, typer.Option("--day", help="day of the month 1-31, or weekday 1 (Monday)-7")
    ] = None,
    bank_code: Annotated[
        str | None, typer.Option("--bank", help="the payee's bank code (12 digits) when at another bank")
    ] = None,
    name: Annotated[str, typer.Option("--name", help="the payee's name")] = "",
    start: Annotated[str | None, typer.Option("--start", help="YYYY-MM-DD (default today)")] = None,
    end: Annotated[str | None, typer.Option("--end", help="the last day it may run, YYYY-MM-DD")] = None,
    memo: Annotated[str, typer.Option("--memo", help="shown on both statements")] = "",
    currency: Currency = "CNY",
    as_user: AsUser = None,
) -> None:
    """Set up a standing order (定期转账); end of day makes its runs."""
    cmd = cmd_of(
        StandingOrderCreate,
        from_account=from_account,
        to_account=to_account,
        to_bank_code=bank_code,
        to_name=name,
        amount=amount,
        currency=currency,
        frequency=frequency,
        day=day,
        start_date=start,
        end_date=end,
        memo=memo,
    )
    _bank, o = call(as_user, standing_orders.create_standing_order, cmd)
    console.print(f"standing order [bold]{o.order_id}[/bold] set up; first run {o.next_run_date}")
    _show_order(o)


@standing_order_app.command("list")
def order_list(
    account: Annotated[str | None, typer.Option("--account", help="one paying account's")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="active · ended · cancelled · suspended")
    ] = None,
    limit: Limit = 100,
    as_user: AsUser = None,
) -> None:
    """Standing orders in the staff user's branches, newest first."""
    _bank, found = call(
        as_user,
        lambda uow, actor: standing_orders.list_standing_orders(
            uow, actor, account=account, status=status, limit=limit
        ),
        readonly=True,
    )
    t = Table(title="Standing orders")
    for col in ("id", "status", "from", "to", "amount", "schedule", "next run"):
        t.add_column(col)
    for o in found:
        t.add_row(
            str(o.order_id),
            o.status,
            o.from_account,
            f"{o.to_account}{' @' + o.to_bank_code if o.to_bank_code else ''}",
            f"{o.amount} {o.currency}",
            f"{o.frequency} {o.day}",
            or_blank(o.next_run_date),
        )
    console.print(t)


@standing_order_app.command("show")
def order_show(order_id: OrderId, as_user: AsUser = None) -> None:
    """A standing order and its runs."""
    _bank, o = call(as_user, standing_orders.get_standing_order, order_id, readonly=True)
    _show_order(o)


@standing_order_app.command("cancel")
def order_cancel(order_id: OrderId, as_user: AsUser = None) -> None:
    """Cancel a standing order: it runs no more."""
    _bank, o = call(as_user, standing_orders.cancel_standing_order, order_id)
    console.print(f"standing order {o.order_id} cancelled")


# ---------------------------------------------------------------------------------------------- billers


def _billers_table(found: list[BillerRead]) -> None:
    t = Table(title="Billers")
    for col in ("code", "name", "category", "settlement account", "reference rule", "amounts", "status"):
        t.add_column(col)
    for b in found:
        rule = b.reference_pattern + ("" if b.check_digit == "none" else f" + {b.check_digit}")
        t.add_row(
            b.code,
            b.name,
            b.category,
            b.settlement_account,
            rule,
            f"{b.min_amount} to {or_blank(b.max_amount, 'any')} {b.currency}",
            b.status,
        )
    console.print(t)


@biller_app.command("add")
def biller_add(
    code: Annotated[str, typer.Argument(help="the biller's code, e.g. CITY_POWER")],
    name: Annotated[str, typer.Option("--name", help="the biller's name")],
    category: Annotated[str, typer.Option("--category", help="utilities · telecom · other")],
    account: Annotated[str, typer.Option("--account", help="its settlement account in this bank")],
    pattern: Annotated[
        str, typer.Option("--pattern", help="regular expression a whole bill reference must match")
    ],
    check_digit: Annotated[str, typer.Option("--check-digit", help="none · luhn · mod97")] = "none",
    min_amount: Annotated[str, typer.Option("--min", help="smallest payment")] = "0.01",
    max_amount: Annotated[str | None, typer.Option("--max", help="largest payment")] = None,
    currency: Currency = "CNY",
    as_user: AsUser = None,
) -> None:
    """Register a biller whose payments credit its settlement account."""
    cmd = cmd_of(
        BillerCreate,
        code=code,
        name=name,
        category=category,
        settlement_account=account,
        currency=currency,
        reference_pattern=pattern,
        check_digit=check_digit,
        min_amount=min_amount,
        max_amount=max_amount,
    )
    _bank, b = call(as_user, billers.register_biller, cmd)
    console.print(f"biller {b.code} registered")
    _billers_table([b])


@biller_app.command("list")
def biller_list(
    category: Annotated[str | None, typer.Option("--category", help="utilities · telecom · other")] = None,
    as_user: AsUser = None,
) -> None:
    """The registered billers."""
    _bank, found = call(as_user, billers.list_billers, category, readonly=True)
    _billers_table(found)


@biller_app.command("pay")
def biller_pay(
    code: Annotated[str, typer.Argument(help="the biller's code")],
    from_account: Annotated[str, typer.Option("--from", help="the paying account")],
    reference: Annotated[str, typer.Option("--reference", help="the customer's number at the biller")],
    amount: Annotated[str, typer.Option("--amount", help='e.g. "86.40"')],
    currency: Currency = "CNY",
    key: Key = None,
    as_user: AsUser = None,
) -> None:
    """Pay a bill (缴费) to a registered biller."""
    k = idempotency_key(key)
    cmd = cmd_of(
        BillPaymentCreate,
        from_account=from_account,
        biller_code=code,
        reference=reference,
        amount=amount,
        currency=currency,
    )
    _bank, p = call(as_user, billers.pay_bill, cmd, k)
    console.print(f"idempotency key {k}")
    console.print(
        f"paid {p.amount} {p.currency} to {p.biller_name} for {p.reference} (entry {p.entry_id}); "
        f"{p.from_account} now holds {p.from_balance_after}"
    )
