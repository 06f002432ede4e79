"""`corebank loan` for credit and risk staff, on the same `loan` group as cli/loans.py: the officer's five-tier
classification (五级分类) and its history, the collections queue (催收) and collection steps with promises to pay,
restructuring (重组), write-off (核销) and recoveries after it, the loan book by aging and class, and scorecards.

Imported by cli/main.py for its commands. Refusals print their stable code and leave with exit status 2;
restructure, write-off and recover send an idempotency key (a fresh one unless `--key` is given, printed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from corebank.cli.common import console, refuse
from corebank.cli.loans import (
    AsUser,
    Key,
    Loan,
    app,
    call,
    cmd_of,
    idempotency_key,
    or_blank,
    show_pairs,
    write_file,
)
from corebank.kernel.errors import InvalidRequest
from corebank.loans import portfolio as book
from corebank.loans import scorecards, workouts
from corebank.loans.scoring import DEFAULT_SCORECARD, scorecard_from_dict
from corebank.loans.workout_schemas import (
    ClassificationChange,
    CollectionActionCreate,
    CollectionActionRead,
    Recovery,
    Restructuring,
    WriteOff,
)

WORKOUTS = "Workouts: classification, collections, restructuring, write-off"
BOOK = "The loan book and scorecards"
Reason = Annotated[str, typer.Option("--reason", help="why (kept in the loan's history and the audit trail)")]

scorecard_app = typer.Typer(help="Credit scorecards: show the active version, publish a new one.")
app.add_typer(scorecard_app, name="scorecard", rich_help_panel=BOOK, no_args_is_help=True)


# ---------------------------------------------------------------------------------------------- classification


@app.command("classify", rich_help_panel=WORKOUTS)
def classify(
    loan: Loan,
    classification: Annotated[
        str,
        typer.Option(
            "--as",
            help="normal · special_mention · substandard · doubtful · loss (not better than "
            "the floor end of day gives; the floor itself clears the officer's class)",
        ),
    ],
    reason: Reason,
    as_user: AsUser = None,
) -> None:
    """Classify a loan worse than its days-past-due floor (五级分类), with a reason."""
    cmd = cmd_of(ClassificationChange, classification=classification, reason=reason)
    _bank, c = call(as_user, workouts.classify, loan, cmd)
    show_pairs(
        f"Loan {c.loan_number} classified {c.classification}",
        [
            ("classification", c.classification),
            ("floor (days past due)", f"{c.classification_floor} ({c.days_past_due})"),
            ("officer's class", or_blank(c.officer_classification)),
            ("reason", c.classification_reason),
        ],
    )


@app.command("classifications", rich_help_panel=WORKOUTS)
def classifications(loan: Loan, as_user: AsUser = None) -> None:
    """Every change of the loan's class, by end of day or by an officer, oldest first."""
    _bank, rows = call(as_user, workouts.classification_history, loan, readonly=True)
    t = Table(title=f"Loan {loan}: classification history")
    for col in ("on", "from", "to", "dpd", "by", "reason"):
        t.add_column(col, justify="right" if col == "dpd" else "left")
    for r in rows:
        t.add_row(
            r.changed_on.isoformat(), r.from_class, r.to_class, str(r.days_past_due), r.changed_by, r.reason
        )
    console.print(t)
    if not rows:
        console.print("no change of class yet")


# ---------------------------------------------------------------------------------------------- collections


def _step(a: CollectionActionRead | None) -> str:
    if a is None:
        return "-"
    if a.action == "promise":
        return f"promise {a.promise_amount} by {a.promise_date} ({a.promise_status})"
    return f"{a.action} {a.created_on}"


@app.command("collections", rich_help_panel=WORKOUTS)
def collections(
    loan: Annotated[
        str | None, typer.Option("--loan", help="instead of the queue, the steps taken on this loan")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="at most this many (up to 200)")] = 50,
    cursor: Annotated[str | None, typer.Option("--cursor", help="the next page the last one named")] = None,
    as_user: AsUser = None,
) -> None:
    """The collections queue (催收队列), or with --loan the steps taken on one loan.

    The queue: overdue loans in the staff user's branches, the longest overdue first, with the last step and
    any open promise to pay."""
    if loan is not None:
        _bank, steps = call(as_user, workouts.collection_actions, loan, readonly=True)
        t = Table(title=f"Loan {loan}: collection steps")
        for col in ("id", "on", "by", "action", "promise", "note"):
            t.add_column(col, justify="right" if col == "id" else "left")
        for a in steps:
            promise = (
                f"{a.promise_amount} by {a.promise_date} ({a.promise_status})" if a.promise_date else "-"
            )
            t.add_row(str(a.id), a.created_on.isoformat(), a.created_by, a.action, promise, a.note)
        console.print(t)
        if not steps:
            console.print("no collection step yet")
        return
    _bank, page = call(as_user, workouts.collections_queue, cursor, limit, readonly=True)
    t = Table(title="Collections queue")
    for col in ("loan", "customer", "overdue since", "dpd", "overdue", "outstanding", "class", "last step",
                "open promise"):  # fmt: skip
        t.add_column(col, justify="right" if col in ("dpd", "overdue", "outstanding") else "left")
    for x in page.items:
        t.add_row(
            x.loan_number,
            x.customer_number,
            or_blank(x.overdue_since),
            str(x.days_past_due),
            f"{x.overdue_total} {x.currency}",
            x.outstanding_principal,
            x.classification,
            _step(x.last_action),
            _step(x.open_promise),
        )
    console.print(t)
    if not page.items:
        console.print("nothing is overdue")
    if page.next_cursor:
        console.print(f"more: --cursor {page.next_cursor}")


@app.command("collect", rich_help_panel=WORKOUTS)
def collect(
    loan: Loan,
    action: Annotated[str, typer.Option("--action", help="call · sms · letter · visit · promise · legal")],
    note: Annotated[str, typer.Option("--note", help="what was said or done")] = "",
    promise_amount: Annotated[
        str | None, typer.Option("--promise-amount", help="a promise: the amount promised")
    ] = None,
    promise_date: Annotated[
        str | None,
        typer.Option("--promise-date", help="a promise: the day to pay by, after today (YYYY-MM-DD)"),
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Record a collection step on an overdue loan: call, sms, letter, visit, legal, or a promise to pay.

    A promise to pay (还款承诺) names --promise-amount and a --promise-date after today."""
    cmd = cmd_of(
        CollectionActionCreate,
        action=action,
        note=note,
        promise_amount=promise_amount,
        promise_date=promise_date,
    )
    _bank, a = call(as_user, workouts.add_collection_action, loan, cmd)
    rows = [
        ("step", str(a.id)),
        ("action", a.action),
        ("on", a.created_on.isoformat()),
        ("note", or_blank(a.note)),
    ]
    if a.action == "promise":
        rows += [
            ("promised", or_blank(a.promise_amount)),
            ("by", or_blank(a.promise_date)),
            ("status", or_blank(a.promise_status)),
        ]
    console.print(f"{a.action} recorded on loan {a.loan_number}: step {a.id}")
    show_pairs("Collection step", rows)


# ---------------------------------------------------------------------------------------------- workouts


@app.command("restructure", rich_help_panel=WORKOUTS)
def restructure(
    loan: Loan,
    term: Annotated[int, typer.Option("--term", help="the new term in months, from a month after today")],
    reason: Reason,
    rate: Annotated[
        str | None, typer.Option("--rate", help="a new contract rate in percent (default: the rate in force)")
    ] = None,
    key: Key = None,
    as_user: AsUser = None,
) -> None:
    """Restructure a troubled loan (贷款重组) over a new term.

    Overdue interest and penalty are capitalised, the principal is rescheduled over --term months from a month
    after today, and the loan is classified special mention at least."""
    k = idempotency_key(key)
    cmd = cmd_of(Restructuring, term_months=term, annual_rate=rate, reason=reason)
    _bank, r = call(as_user, workouts.restructure, loan, cmd, k)
    show_pairs(
        f"Loan {r.loan_number} restructured",
        [
            ("capitalised interest", r.capitalised_interest),
            ("capitalised penalty", r.capitalised_penalty),
            ("outstanding principal", r.outstanding_principal),
            ("rate", f"{r.annual_rate} %"),
            ("term", f"{r.term_months} months"),
            ("next due date", or_blank(r.next_due_date)),
            ("next payment", r.next_payment),
            ("maturity", or_blank(r.maturity_date)),
            ("classification", r.classification),
            ("schedule version", str(r.schedule_version)),
            ("journal entry", or_blank(r.entry_id)),
            ("idempotency key", k),
        ],
    )


@app.command("write-off", rich_help_panel=WORKOUTS)
def write_off(loan: Loan, reason: Reason, key: Key = None, as_user: AsUser = None) -> None:
    """Write off (核销) a doubtful or loss loan against its provision; it stops accruing."""
    k = idempotency_key(key)
    _bank, w = call(as_user, workouts.write_off, loan, cmd_of(WriteOff, reason=reason), k)
    show_pairs(
        f"Loan {w.loan_number} written off {w.written_off_amount}",
        [
            ("written off on", w.written_off_on.isoformat()),
            ("principal written off", w.written_off_amount),
            ("provision used", w.provision_used),
            ("provision topped up", w.provision_topped_up),
            ("interest reversed", w.interest_reversed),
            ("status", w.status),
            ("journal entry", or_blank(w.entry_id)),
            ("idempotency key", k),
        ],
    )


@app.command("recover", rich_help_panel=WORKOUTS)
def recover(
    loan: Loan,
    amount: Annotated[
        str, typer.Option("--amount", help="what was collected, at most what is left written off")
    ],
    from_account: Annotated[
        str | None, typer.Option("--from-account", help="the borrower's account to debit")
    ] = None,
    cash: Annotated[bool, typer.Option("--cash", help="cash into the staff user's till")] = False,
    key: Key = None,
    as_user: AsUser = None,
) -> None:
    """Book money recovered on a written-off loan (核销后收回)."""
    k = idempotency_key(key)
    cmd = cmd_of(Recovery, amount=amount, from_account=from_account, cash=cash)
    _bank, r = call(as_user, workouts.recover, loan, cmd, k)
    show_pairs(
        f"Loan {r.loan_number}: recovery {r.amount}",
        [
            ("booked on", r.booked_on.isoformat()),
            ("from", r.source),
            ("recovered so far", r.recovered_amount),
            ("written off", r.written_off_amount),
            ("status", r.status),
            ("journal entry", str(r.entry_id)),
            ("idempotency key", k),
        ],
    )


# ---------------------------------------------------------------------------------------------- the loan book


def _book_table(title: str, rows: list[book.PortfolioRow]) -> None:
    t = Table(title=title)
    t.add_column("group")
    for col in ("loans", "outstanding", "overdue principal", "overdue interest", "penalty", "provision"):
        t.add_column(col, justify="right")
    for r in rows:
        t.add_row(
            r.group,
            str(r.loans),
            r.outstanding_principal,
            r.overdue_principal,
            r.overdue_interest,
            r.penalty_owed,
            r.provision,
        )
    console.print(t)


@app.command("portfolio", rich_help_panel=BOOK)
def loan_portfolio(
    branch: Annotated[
        str | None, typer.Option("--branch", help="one branch (needed by staff scoped to their branches)")
    ] = None,
    currency: Annotated[str, typer.Option("--currency", help="loans in this currency")] = "CNY",
    out: Annotated[Path | None, typer.Option("--out", help="also write it to FILE.csv")] = None,
    as_user: AsUser = None,
) -> None:
    """The loan book by aging bucket (账龄) and five-tier class, with the NPL ratio and provision coverage."""
    if out is not None and out.suffix.lower() != ".csv":
        refuse(InvalidRequest(f"--out {out}: name a .csv file"))
    _bank, r = call(
        as_user,
        lambda uow, actor: book.portfolio(uow, actor, branch_code=branch, currency=currency),
        readonly=True,
    )
    scope = f"branch {r.branch_code}" if r.branch_code else "the whole bank"
    _book_table(f"Loan book of {scope} on {r.as_of} ({r.currency}): aging", r.aging)
    _book_table("By classification", r.classification)
    show_pairs(
        "Summary",
        [
            ("outstanding", r.total_outstanding),
            ("non-performing", r.non_performing),
            ("NPL ratio", f"{r.npl_ratio} %"),
            ("provision", r.provision),
            ("provision coverage", f"{r.provision_coverage} %"),
        ],
    )
    if out is not None:
        csv_bytes = book.portfolio_csv(r)
        write_file(out, lambda f: f.write(csv_bytes))
        console.print(f"portfolio written to {out}")


@scorecard_app.command("show")
def scorecard_show(
    code: Annotated[str, typer.Argument(help="the scorecard's code")] = DEFAULT_SCORECARD.code,
    as_user: AsUser = None,
) -> None:
    """The active version of a scorecard: its factors with their bands and points, and its ratings with PD."""
    _bank, definition = call(as_user, scorecards.get_scorecard, code, readonly=True)
    card = scorecard_from_dict(definition)
    t = Table(title=f"Scorecard {card.code} v{card.version}: base {card.base_points} points")
    for col in ("factor", "kind", "band", "points"):
        t.add_column(col, justify="right" if col == "points" else "left")
    for f in card.factors:
        for i, b in enumerate(f.bands):
            t.add_row(f.name if i == 0 else "", f.kind if i == 0 else "", b.describe(), str(b.points))
    console.print(t)
    ratings = Table(title="Ratings")
    for col in ("from score", "rating", "probability of default"):
        ratings.add_column(col, justify="left" if col == "rating" else "right")
    for rb in card.ratings:
        ratings.add_row(str(rb.min_score), rb.rating, str(rb.pd))
    console.print(ratings)


@scorecard_app.command("publish")
def scorecard_publish(
    file: Annotated[
        Path, typer.Argument(help="the scorecard as JSON: code, version, base_points, factors, ratings")
    ],
    as_user: AsUser = None,
) -> None:
    """Publish a new version of a scorecard (it becomes the active one; the old version is kept)."""
    try:
        definition: Any = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        refuse(InvalidRequest(f"{file}: {exc}"))
    if not isinstance(definition, dict):
        refuse(InvalidRequest(f"{file}: a scorecard is a JSON object"))
    _bank, done = call(as_user, scorecards.publish_scorecard, definition)
    console.print(f"scorecard {done['code']} v{done['version']} is {done['status']}")
