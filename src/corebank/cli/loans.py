"""`corebank loan`: loans from the command line. Applications (apply, score, approve, reject, applications),
servicing (disburse, repay, prepay), reading (show, list, schedule) and the loan statement as CSV or PDF.

Each command calls one loan use case as the staff user of `--as-user`; a refusal prints its stable code and
leaves with exit status 2. Money-moving commands send an idempotency key: a fresh one unless `--key` is given,
printed so that a retry with the same key returns the first answer and posts nothing twice."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table

from corebank import bootstrap
from corebank.cli.common import build_bank, console, refuse, staff_actor
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.loans import applications, servicing, statement
from corebank.loans.export import schedule_csv, stored_schedule_as_preview, write_schedule_pdf
from corebank.loans.schemas import (
    ApplicationCreate,
    ApplicationRead,
    ApprovalTerms,
    Disbursement,
    LoanRead,
    PrepaymentRequest,
    Rejection,
    RepaymentRead,
    RepaymentRequest,
)

app = typer.Typer(
    help="Loans: applications, approval, disbursement, repayment, schedules and statements.",
    no_args_is_help=True,
)
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
AsUser = Annotated[
    str | None, typer.Option("--as-user", help="act as this staff user (their rights and branches)")
]
Key = Annotated[
    str | None, typer.Option("--key", help="idempotency key (default: a new one); reuse it to retry safely")
]
Loan = Annotated[str, typer.Argument(help="the loan number")]
ApplicationId = Annotated[int, typer.Argument(help="the application's id")]


def cmd_of(model: type[M], **fields: Any) -> M:
    """The request `model` from the options, or a refusal naming what is wrong (INVALID_REQUEST)."""
    try:
        return model(**fields)
    except ValidationError as exc:
        wrong = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        refuse(InvalidRequest(wrong))


def call(
    as_user: str | None, fn: Callable[..., T], *args: Any, readonly: bool = False
) -> tuple[bootstrap.Bank, T]:
    """Run one loan use case as `as_user` in its own transaction; a refusal ends the command."""
    try:
        bank = build_bank()
        return bank, bank.run(fn, staff_actor(bank, as_user), *args, readonly=readonly)
    except CoreBankError as exc:
        refuse(exc)


def idempotency_key(key: str | None) -> str:
    return key or f"cli-{uuid.uuid4().hex}"


def show_pairs(title: str, rows: list[tuple[str, str]]) -> None:
    t = Table(title=title, show_header=False)
    t.add_column("field", style="bold")
    t.add_column("value")
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)


def or_blank(value: object, blank: str = "-") -> str:
    return blank if value is None or value == "" else str(value)


# ---------------------------------------------------------------------------------------------- applications


def _show_application(a: ApplicationRead) -> None:
    cur = a.currency
    rows = [
        ("application", str(a.application_id)),
        ("status", a.status),
        ("customer", f"{a.customer_number} {a.customer_name}"),
        ("product", a.product_code),
        ("amount", f"{a.amount} {cur}"),
        ("term", f"{a.term_months} months"),
        ("method", a.method),
        ("purpose", a.purpose),
        ("monthly income", a.monthly_income),
        ("monthly debt payments", a.monthly_debt_payments),
        ("employment", f"{a.employment}, {a.employment_years} years"),
        ("repayment account", or_blank(a.repay_account)),
        ("branch", a.branch_code),
        ("prepared by", a.created_by),
    ]
    if a.score is not None:
        rows += [
            ("score", str(a.score)),
            ("rating", or_blank(a.rating)),
            ("probability of default", or_blank(a.pd)),
            ("scorecard", or_blank(a.scorecard)),
        ]
    if a.decided_by:
        rows.append(("decided by", a.decided_by))
    if a.approved_amount is not None:
        rows += [
            ("approved amount", f"{a.approved_amount} {cur}"),
            ("approved term", f"{a.approved_term_months} months"),
            ("approved rate", f"{a.approved_rate} %"),
            ("approved method", or_blank(a.approved_method)),
        ]
    if a.decision_reason:
        rows.append(("reason", a.decision_reason))
    if a.loan_number:
        rows.append(("loan number", a.loan_number))
    show_pairs(f"Loan application {a.application_id}", rows)
    if a.factors:
        t = Table(title="Score, factor by factor")
        for col in ("factor", "value", "band", "points"):
            t.add_column(col, justify="right" if col == "points" else "left")
        for f in a.factors:
            t.add_row(f.name, f.value, f.band, str(f.points))
        console.print(t)


@app.command("apply")
def apply(
    customer: Annotated[str, typer.Option("--customer", help="the borrower's customer number")],
    product: Annotated[str, typer.Option("--product", help="loan product code, e.g. PERSONAL_LOAN_CNY")],
    amount: Annotated[str, typer.Option("--amount", help='amount asked, e.g. "100000.00"')],
    term: Annotated[int, typer.Option("--term", help="term in months")],
    method: Annotated[
        str,
        typer.Option(
            "--method", help="equal_installment · equal_principal · interest_only · bullet (repayment method)"
        ),
    ],
    income: Annotated[str, typer.Option("--income", help="monthly income")],
    employment: Annotated[
        str,
        typer.Option(
            "--employment",
            help="civil_servant · state_enterprise · private_enterprise · retired · self_employed · unemployed",
        ),
    ],
    debts: Annotated[str, typer.Option("--debts", help="monthly payments on other debts")] = "0.00",
    years: Annotated[int, typer.Option("--years", help="years in this employment")] = 0,
    purpose: Annotated[str, typer.Option("--purpose", help="what the money is for")] = "not stated",
    account: Annotated[
        str | None,
        typer.Option("--account", help="the borrower's demand account to disburse into and repay from"),
    ] = None,
    document: Annotated[
        list[str] | None, typer.Option("--document", help="a document received, e.g. id_card; repeat")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Take a loan application (贷款申请) at the staff user's branch; prints its application id."""
    cmd = cmd_of(
        ApplicationCreate,
        customer_number=customer,
        product_code=product,
        amount=amount,
        term_months=term,
        method=method,
        purpose=purpose,
        monthly_income=income,
        monthly_debt_payments=debts,
        employment=employment,
        employment_years=years,
        documents=document or [],
        repay_account=account,
    )
    _bank, a = call(as_user, applications.create_application, cmd)
    console.print(f"application {a.application_id} submitted")
    _show_application(a)


@app.command("score")
def score(application_id: ApplicationId, as_user: AsUser = None) -> None:
    """Score the application with its product's scorecard: score, rating, probability of default and each
    factor's points."""
    _bank, a = call(as_user, applications.score_application, application_id)
    console.print(f"application {a.application_id} scored {a.score}, rated {a.rating}")
    _show_application(a)


@app.command("approve")
def approve(
    application_id: ApplicationId,
    amount: Annotated[str | None, typer.Option("--amount", help="grant this amount instead")] = None,
    term: Annotated[int | None, typer.Option("--term", help="grant this term (months) instead")] = None,
    rate: Annotated[str | None, typer.Option("--rate", help='contract rate in percent, e.g. "4.90"')] = None,
    method: Annotated[
        str | None, typer.Option("--method", help="grant this repayment method instead")
    ] = None,
    account: Annotated[str | None, typer.Option("--account", help="the borrower's repayment account")] = None,
    reason: Annotated[str, typer.Option("--reason", help="a note on the decision")] = "",
    as_user: AsUser = None,
) -> None:
    """Approve a scored application (not by who prepared it), as asked or with changed terms, and make the loan
    contract; prints its loan number."""
    cmd = cmd_of(
        ApprovalTerms,
        amount=amount,
        term_months=term,
        annual_rate=rate,
        method=method,
        repay_account=account,
        reason=reason,
    )
    _bank, a = call(as_user, applications.approve_application, application_id, cmd)
    console.print(f"application {a.application_id} approved: loan [bold]{a.loan_number}[/bold]")
    _show_application(a)


@app.command("reject")
def reject(
    application_id: ApplicationId,
    reason: Annotated[str, typer.Option("--reason", help="the reason the customer will be told")],
    as_user: AsUser = None,
) -> None:
    """Reject an application with a reason."""
    _bank, a = call(
        as_user, applications.reject_application, application_id, cmd_of(Rejection, reason=reason)
    )
    console.print(f"application {a.application_id} rejected: {a.decision_reason}")


@app.command("applications")
def applications_list(
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="submitted · scored · approved · rejected · cancelled (scored: the queue)"
        ),
    ] = None,
    customer: Annotated[str | None, typer.Option("--customer", help="one customer's")] = None,
    limit: Annotated[int, typer.Option("--limit", help="at most this many, newest first")] = 50,
    as_user: AsUser = None,
) -> None:
    """Applications in the staff user's branches, newest first."""
    _bank, page = call(
        as_user,
        lambda uow, actor: applications.list_applications(
            uow, actor, status=status, customer_number=customer, limit=limit
        ),
        readonly=True,
    )
    t = Table(title="Loan applications")
    for col in ("id", "submitted", "customer", "product", "amount", "term", "status", "rating", "loan"):
        t.add_column(col, justify="right" if col in ("id", "amount", "term") else "left")
    for a in page.items:
        t.add_row(
            str(a.application_id),
            a.submitted_on.isoformat(),
            f"{a.customer_number} {a.customer_name}",
            a.product_code,
            a.amount,
            str(a.term_months),
            a.status,
            or_blank(a.rating),
            or_blank(a.loan_number),
        )
    console.print(t)
    if page.next_cursor:
        console.print(f"more than {limit}: raise --limit or filter by --status / --customer")


# ---------------------------------------------------------------------------------------------- servicing


def _show_repayment(r: RepaymentRead, key: str) -> None:
    show_pairs(
        f"Loan {r.loan_number}: {r.kind.replace('_', ' ')} {r.amount}",
        [
            ("booked on", r.booked_on.isoformat()),
            ("amount", r.amount),
            ("penalty", r.penalty),
            ("interest", r.interest),
            ("principal", r.principal),
            ("fee", r.fee),
            ("outstanding principal", r.outstanding_principal),
            ("status", r.status),
            ("next due date", or_blank(r.next_due_date)),
            ("schedule version", str(r.schedule_version)),
            ("journal entry", or_blank(r.entry_id)),
            ("idempotency key", key),
        ],
    )


@app.command("disburse")
def disburse(
    loan: Loan,
    amount: Annotated[
        str | None, typer.Option("--amount", help="a tranche (default: all of the rest)")
    ] = None,
    to_account: Annotated[
        str | None, typer.Option("--to-account", help="the borrower's account (default: the contract's)")
    ] = None,
    key: Key = None,
    as_user: AsUser = None,
) -> None:
    """Disburse the loan (放款), whole or a tranche, into the borrower's account; the schedule is made."""
    k = idempotency_key(key)
    cmd = cmd_of(Disbursement, amount=amount, to_account=to_account)
    _bank, d = call(as_user, servicing.disburse, loan, cmd, k)
    show_pairs(
        f"Loan {d.loan_number} disbursed {d.amount}",
        [
            ("to account", d.to_account),
            ("disbursed so far", d.disbursed_amount),
            ("outstanding principal", d.outstanding_principal),
            ("status", d.status),
            ("schedule version", str(d.schedule_version)),
            ("journal entry", str(d.entry_id)),
            ("idempotency key", k),
        ],
    )


@app.command("repay")
def repay(
    loan: Loan,
    amount: Annotated[str, typer.Option("--amount", help="what is paid now, at most what is due")],
    from_account: Annotated[
        str | None, typer.Option("--from-account", help="the borrower's account to debit")
    ] = None,
    cash: Annotated[bool, typer.Option("--cash", help="cash into the staff user's till")] = False,
    key: Key = None,
    as_user: AsUser = None,
) -> None:
    """Repay what is due at the counter: penalty, overdue interest, overdue principal, then the installment
    due next. More than is due is refused (prepay instead)."""
    k = idempotency_key(key)
    cmd = cmd_of(RepaymentRequest, amount=amount, from_account=from_account, cash=cash)
    _bank, r = call(as_user, servicing.repay, loan, cmd, k)
    _show_repayment(r, k)


@app.command("prepay")
def prepay(
    loan: Loan,
    full: Annotated[bool, typer.Option("--full", help="repay everything and close the loan")] = False,
    amount: Annotated[str | None, typer.Option("--amount", help="principal to repay early")] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode", help="shorten_term (keep the installment) · lower_installment (keep the term)"
        ),
    ] = "shorten_term",
    from_account: Annotated[
        str | None, typer.Option("--from-account", help="the borrower's account to debit")
    ] = None,
    cash: Annotated[bool, typer.Option("--cash", help="cash into the staff user's till")] = False,
    key: Key = None,
    as_user: AsUser = None,
) -> None:
    """Repay early (提前还款): --full, or --amount of principal with the interest accrued and the product's fee."""
    k = idempotency_key(key)
    cmd = cmd_of(PrepaymentRequest, full=full, amount=amount, mode=mode, from_account=from_account, cash=cash)
    _bank, r = call(as_user, servicing.prepay, loan, cmd, k)
    _show_repayment(r, k)


# ---------------------------------------------------------------------------------------------- reading


def _show_loan(x: LoanRead) -> None:
    cur = x.currency
    show_pairs(
        f"Loan {x.loan_number}",
        [
            ("status", x.status),
            ("customer", x.customer_number),
            ("product", x.product_code),
            ("contract amount", f"{x.contract_amount} {cur}"),
            ("disbursed", x.disbursed_amount),
            ("outstanding principal", x.outstanding_principal),
            ("rate", f"{x.annual_rate} % ({x.rate_type})"),
            ("method", x.method),
            ("term", f"{x.term_months} months"),
            ("repayment account", x.repay_account),
            ("contracted on", x.contracted_on.isoformat()),
            ("first disbursed on", or_blank(x.first_disbursed_on)),
            ("maturity", or_blank(x.maturity_date)),
            ("next due date", or_blank(x.next_due_date)),
            ("next payment", x.next_payment),
            ("accrued interest", x.accrued_interest),
            ("overdue principal", x.overdue_principal),
            ("overdue interest", x.overdue_interest),
            ("penalty owed", x.penalty_owed),
            ("days past due", str(x.days_past_due)),
            ("classification", x.classification),
            ("provision", x.provision),
            ("restructured", "yes" if x.restructured else "no"),
            ("schedule version", str(x.schedule_version)),
            ("branch", x.branch_code),
        ],
    )


@app.command("show")
def show(loan: Loan, as_user: AsUser = None) -> None:
    """One loan: balances, what is due next, anything overdue, classification."""
    _bank, x = call(as_user, servicing.get_loan, loan, readonly=True)
    _show_loan(x)


@app.command("list")
def loan_list(
    customer: Annotated[str | None, typer.Option("--customer", help="one customer's loans")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="only loans with something overdue")] = False,
    status: Annotated[
        str | None, typer.Option("--status", help="contracted · active · closed · written_off")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="at most this many")] = 50,
    as_user: AsUser = None,
) -> None:
    """Loans in the staff user's branches, oldest first; --overdue is the collections view."""
    _bank, page = call(
        as_user,
        lambda uow, actor: servicing.list_loans(
            uow, actor, customer_number=customer, status=status, overdue=overdue or None, limit=limit
        ),
        readonly=True,
    )
    t = Table(title="Overdue loans" if overdue else "Loans")
    cols = (
        "loan",
        "customer",
        "product",
        "outstanding",
        "rate %",
        "next due",
        "overdue",
        "dpd",
        "class",
        "status",
    )
    for col in cols:
        t.add_column(col, justify="right" if col in ("outstanding", "rate %", "overdue", "dpd") else "left")
    for x in page.items:
        t.add_row(
            x.loan_number,
            x.customer_number,
            x.product_code,
            x.outstanding_principal,
            x.annual_rate,
            or_blank(x.next_due_date),
            x.overdue_principal,
            str(x.days_past_due),
            x.classification,
            x.status,
        )
    console.print(t)
    if page.next_cursor:
        console.print(f"more than {limit}: raise --limit or filter")


def _file_kind(out: Path) -> str:
    kind = out.suffix.lower().lstrip(".")
    if kind not in ("csv", "pdf"):
        refuse(InvalidRequest(f"--out {out}: name a .csv or a .pdf file"))
    return kind


def write_file(out: Path, body: Callable[[Any], None]) -> None:
    """Write the file through a `.part` beside it, so a failure never leaves half a file under its name."""
    part = out.with_name(out.name + ".part")
    try:
        with part.open("wb") as f:
            body(f)
        part.replace(out)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        raise


@app.command("schedule")
def schedule(
    loan: Loan,
    version: Annotated[int | None, typer.Option("--version", help="a version from its history")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write it to FILE.csv or FILE.pdf")] = None,
    as_user: AsUser = None,
) -> None:
    """The loan's repayment schedule (还款计划表), the current version or --version N; printed, or written
    to --out as CSV or PDF."""
    kind = _file_kind(out) if out else None
    bank, s = call(as_user, servicing.get_schedule, loan, version, readonly=True)
    if out is not None:
        preview = stored_schedule_as_preview(s)
        if kind == "csv":
            write_file(out, lambda f: f.write(schedule_csv(preview).encode("utf-8")))
        else:
            write_file(out, lambda f: write_schedule_pdf(preview, f, bank.settings.bank_name))
        console.print(f"schedule v{s.version} of loan {s.loan_number}: {len(s.lines)} periods -> {out}")
        return
    t = Table(
        title=f"Loan {s.loan_number}: schedule v{s.version} ({s.reason}, {s.status}) — {s.principal} {s.currency} "
        f"at {s.annual_rate} %, {s.method}; versions {', '.join(map(str, s.versions))}"
    )
    for col in ("period", "due date", "payment", "principal", "interest", "paid principal", "paid interest"):
        t.add_column(col, justify="left" if col == "due date" else "right")
    t.add_column("status")
    for ln in s.lines:
        t.add_row(
            str(ln.period),
            ln.due_date.isoformat(),
            ln.payment,
            ln.principal,
            ln.interest,
            ln.paid_principal,
            ln.paid_interest,
            ln.status,
        )
    console.print(t)


@app.command("statement")
def loan_statement(
    loan: Loan,
    out: Annotated[Path, typer.Option("--out", help="file to write: FILE.csv or FILE.pdf")],
    start: Annotated[
        str | None, typer.Option("--from", help="first day, YYYY-MM-DD (default: the first disbursement)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="last day, YYYY-MM-DD (default: the business date)")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Write the loan's statement (贷款对账单) for a period to --out as CSV or PDF: opening and closing principal,
    every disbursement and repayment with its split and the principal after it, and the totals."""
    kind = _file_kind(out)
    try:
        date_from = statement.parse_day("--from", start)
        date_to = statement.parse_day("--to", end)
    except CoreBankError as exc:
        refuse(exc)
    bank, st = call(as_user, statement.loan_statement, loan, date_from, date_to)
    if kind == "csv":
        write_file(out, lambda f: f.write(statement.statement_csv(st)))
    else:
        write_file(out, lambda f: statement.write_statement_pdf(st, f, bank.settings.bank_name))
    t = st.totals
    show_pairs(
        f"Loan {st.loan_number} statement, {st.date_from} to {st.date_to} ({st.currency})",
        [
            ("borrower", f"{st.borrower_number} {st.borrower_name}"),
            ("opening principal", st.opening_principal),
            ("disbursed", t.disbursed),
            ("repaid", f"{t.repaid} ({t.movements} movements)"),
            ("  penalty", t.penalty),
            ("  interest", t.interest),
            ("  principal", t.principal),
            ("  fee", t.fee),
            ("  recovery", t.recovery),
            ("closing principal", st.closing_principal),
        ],
    )
    console.print(f"statement written to {out}")
