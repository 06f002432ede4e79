"""The loan statement (贷款对账单) for a period, as JSON, CSV or PDF: the loan's header, the outstanding principal at
the opening and the close of the period, every disbursement and repayment (with its split into penalty,
interest, principal, fee and recovery) in date order with the principal after it, and the totals.

The principal figures come from the ledger: the loan's own account under GL 1301 is its outstanding principal,
and each of its journal lines carries the balance after it. Disbursements and repayments are read from the
loan's tables and matched to their journal entries; any other movement of principal (a write-off, a correction)
appears under the journal entry's own kind, so the lines always add up to the closing balance. A statement
that does not add up is withheld (STATEMENT_OUT_OF_BALANCE), never issued wrong.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from corebank import customers, ledger, products
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.kernel.money import minor_to_text
from corebank.loans.export import METHOD_NAMES
from corebank.loans.models import Loan, LoanDisbursement, LoanRepayment
from corebank.loans.statement_pdf import write_statement_pdf as write_statement_pdf
from corebank.loans.statement_schemas import LoanStatement, LoanStatementMovement, LoanStatementTotals
from corebank.loans.store import find_loan
from corebank.security import Actor, P

# The loan account's journal lines are read this many at a time.
CHUNK = 1000
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
CSV_COLUMNS = (
    "record",
    "loan_number",
    "date",
    "type",
    "description",
    "account",
    "disbursed",
    "repaid",
    "penalty",
    "interest",
    "principal",
    "fee",
    "recovery",
    "principal_change",
    "principal_balance",
    "currency",
)
# A cell starting with one of these is a formula to a spreadsheet: such text is prefixed with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_DESCRIBE = {
    "counter": "Repayment",
    "auto_debit": "Automatic debit",
    "prepayment": "Prepayment",
    "recovery": "Recovery after write-off",
}


class InvalidStatementPeriod(InvalidRequest):
    code = "INVALID_PERIOD"
    title = "The statement period is not valid"


class LoanStatementOutOfBalance(CoreBankError):
    """The movements do not add up to the ledger's principal: the statement is withheld rather than issued
    wrong."""

    code = "STATEMENT_OUT_OF_BALANCE"
    status = 500
    title = "The statement does not add up; it was not issued"


def parse_day(name: str, text: str | None) -> date | None:
    """A period end from a request: YYYY-MM-DD, or None when not given (INVALID_PERIOD when not a date)."""
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidStatementPeriod(f"{name} must be a date YYYY-MM-DD; got {text!r}") from None


# ---------------------------------------------------------------------------------------------------- reading


@dataclass(slots=True)
class _Move:
    """A movement being assembled, in minor units; `change` is the signed change of principal."""

    booked_on: date
    kind: str
    description: str
    account: str | None
    entry_id: int | None
    order: int
    disbursed: int = 0
    repaid: int = 0
    penalty: int = 0
    interest: int = 0
    principal: int = 0
    fee: int = 0
    recovery: int = 0
    change: int = 0
    balance: int = 0
    other: bool = False  # neither lent nor repaid: a write-off, a correction
    checked_balance: int | None = None  # the ledger's balance after this movement, when it moved principal


@dataclass(slots=True)
class _Line:
    booking_date: date
    amount: int = 0
    balance_after: int | None = None
    kind: str = ""
    memo: str = ""
    claimed: bool = False
    line_ids: list[int] = field(default_factory=list)


def _principal_at(uow: UnitOfWork, loan: Loan, day: date) -> int:
    """The outstanding principal at the close of `day`: the balance after the loan account's last line
    booked on or before it (0 before the first)."""
    last = ledger.account_lines(uow, loan.id, to_date=day, limit=1)
    if not last:
        return 0
    if last[0]["balance_after"] is None:
        raise LoanStatementOutOfBalance(
            f"line {last[0]['line_id']} of loan {loan.loan_number} carries no balance"
        )
    return int(last[0]["balance_after"])


def _ledger_lines(uow: UnitOfWork, loan: Loan, d0: date, d1: date) -> Iterator[dict[str, Any]]:
    after: int | None = None
    while True:
        chunk = ledger.account_lines(
            uow, loan.id, from_date=d0, to_date=d1, ascending=True, after_id=after, limit=CHUNK
        )
        yield from chunk
        if len(chunk) < CHUNK:
            return
        after = chunk[-1]["line_id"]


def _by_entry(uow: UnitOfWork, loan: Loan, d0: date, d1: date) -> dict[int, _Line]:
    """The loan account's journal lines in the period, summed per journal entry (oldest first)."""
    out: dict[int, _Line] = {}
    for ln in _ledger_lines(uow, loan, d0, d1):
        got = out.setdefault(
            ln["entry_id"], _Line(ln["booking_date"], kind=ln["kind"], memo=ln["memo"] or "")
        )
        got.amount += int(ln["amount"])
        got.balance_after = ln["balance_after"]
        got.line_ids.append(ln["line_id"])
    return out


def _claim(lines: dict[int, _Line], move: _Move, expected_change: int, loan_number: str) -> None:
    """Match a disbursement or repayment to its journal entry's lines on the loan account: the principal they
    moved must be what the loan's own record says."""
    moved = 0
    if move.entry_id is not None and move.entry_id in lines:
        got = lines[move.entry_id]
        got.claimed = True
        moved = got.amount
        move.checked_balance = got.balance_after
    if moved != expected_change:
        raise LoanStatementOutOfBalance(
            f"loan {loan_number}: entry {move.entry_id} moved principal by {moved} minor units, the loan's "
            f"{move.kind} on {move.booked_on} says {expected_change}"
        )
    move.change = expected_change


def _movements(uow: UnitOfWork, loan: Loan, d0: date, d1: date) -> list[_Move]:
    lines = _by_entry(uow, loan, d0, d1)
    moves: list[_Move] = []
    first = uow.session.execute(
        select(func.min(LoanDisbursement.id)).where(LoanDisbursement.loan_id == loan.id)
    ).scalar()
    for d in uow.session.execute(
        select(LoanDisbursement)
        .where(
            LoanDisbursement.loan_id == loan.id,
            LoanDisbursement.disbursed_on >= d0,
            LoanDisbursement.disbursed_on <= d1,
        )
        .order_by(LoanDisbursement.id)
    ).scalars():
        what = "Disbursement" if d.id == first else "Disbursement, tranche"
        move = _Move(
            d.disbursed_on, "disbursement", what, d.account_number, d.entry_id, d.id, disbursed=d.amount
        )
        _claim(lines, move, d.amount, loan.loan_number)
        moves.append(move)
    for r in uow.session.execute(
        select(LoanRepayment)
        .where(LoanRepayment.loan_id == loan.id, LoanRepayment.booked_on >= d0, LoanRepayment.booked_on <= d1)
        .order_by(LoanRepayment.id)
    ).scalars():
        move = _Move(
            r.booked_on,
            r.kind,
            _DESCRIBE.get(r.kind, r.kind.replace("_", " ").capitalize()),
            r.account_number,
            r.entry_id,
            r.id,
            repaid=r.amount,
            penalty=r.penalty,
            interest=r.interest,
            principal=r.principal,
            fee=r.fee,
            recovery=r.recovery,
        )
        _claim(lines, move, -r.principal, loan.loan_number)
        moves.append(move)
    for entry_id, got in lines.items():
        if got.claimed:
            continue
        text = got.memo.strip() or got.kind.replace("_", " ")
        text = text[:1].upper() + text[1:]
        move = _Move(
            got.booking_date, got.kind, text, None, entry_id, got.line_ids[0], change=got.amount, other=True
        )
        move.checked_balance = got.balance_after
        moves.append(move)
    # Ledger order: by day, then by journal entry; a record without an entry goes last in its day.
    moves.sort(key=lambda m: (m.booked_on, m.entry_id if m.entry_id is not None else 1 << 62, m.order))
    return moves


def loan_statement(
    uow: UnitOfWork,
    actor: Actor,
    loan_number: str,
    date_from: date | None = None,
    date_to: date | None = None,
) -> LoanStatement:
    """The statement of `loan_number` from `date_from` (default: the first disbursement, or the contract date)
    to `date_to` (default: the business date), both included, if the loan is in the actor's branch scope. The
    reading is recorded in the audit trail. Refused with INVALID_PERIOD when the period ends before it starts,
    STATEMENT_OUT_OF_BALANCE when the movements do not add up to the ledger's principal."""
    actor.require(P.LOAN_READ)
    loan = find_loan(uow, actor, loan_number)
    d0 = date_from or loan.first_disbursed_on or loan.contracted_on
    d1 = date_to or uow.business_date
    if d0 > d1:
        raise InvalidStatementPeriod(f"from {d0} is after to {d1}")
    cur = loan.currency

    def text(minor: int) -> str:
        return minor_to_text(minor, cur)

    opening = _principal_at(uow, loan, d0 - timedelta(days=1))
    closing = _principal_at(uow, loan, d1)
    moves = _movements(uow, loan, d0, d1)
    running = opening
    for m in moves:
        running += m.change
        if m.checked_balance is not None and m.checked_balance != running:
            raise LoanStatementOutOfBalance(
                f"loan {loan_number}, entry {m.entry_id}: running principal {text(running)} but the ledger "
                f"says {text(m.checked_balance)}"
            )
        m.balance = running
    if running != closing:
        raise LoanStatementOutOfBalance(
            f"loan {loan_number}: the movements of {d0} to {d1} end at {text(running)}, the ledger's principal "
            f"is {text(closing)}"
        )
    totals = LoanStatementTotals(
        movements=len(moves),
        disbursed=text(sum(m.disbursed for m in moves)),
        repaid=text(sum(m.repaid for m in moves)),
        penalty=text(sum(m.penalty for m in moves)),
        interest=text(sum(m.interest for m in moves)),
        principal=text(sum(m.principal for m in moves)),
        fee=text(sum(m.fee for m in moves)),
        recovery=text(sum(m.recovery for m in moves)),
        other_principal=text(sum(m.change for m in moves if m.other)),
    )
    number, name = customers.customer_names(uow, [loan.customer_id])[loan.customer_id]
    uow.audit(actor, "loan.statement", "loan", loan_number, from_date=str(d0), to_date=str(d1))
    return LoanStatement(
        loan_number=loan.loan_number,
        borrower_number=number,
        borrower_name=name,
        product_code=loan.product_code,
        product_name=products.loan_product(uow, loan.product_code).name,
        branch_code=loan.branch_code,
        currency=cur,
        contract_amount=text(loan.contract_amount),
        disbursed_amount=text(loan.disbursed_amount),
        annual_rate=loan.annual_rate,
        method=loan.method,
        term_months=loan.term_months,
        status=loan.status,
        classification=loan.classification,
        maturity_date=loan.maturity_date,
        date_from=d0,
        date_to=d1,
        opening_principal=text(opening),
        closing_principal=text(closing),
        movements=[
            LoanStatementMovement(
                booked_on=m.booked_on,
                kind=m.kind,
                description=m.description,
                account=m.account,
                disbursed=text(m.disbursed),
                repaid=text(m.repaid),
                penalty=text(m.penalty),
                interest=text(m.interest),
                principal=text(m.principal),
                fee=text(m.fee),
                recovery=text(m.recovery),
                principal_change=text(m.change),
                principal_balance=text(m.balance),
                entry_id=m.entry_id,
            )
            for m in moves
        ],
        totals=totals,
        business_date=uow.business_date,
        generated_at=uow.now,
        generated_by=actor.username,
    )


# ---------------------------------------------------------------------------------------------------- CSV


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def statement_csv(st: LoanStatement) -> bytes:
    """The statement as CSV, UTF-8 with a byte-order mark so that Excel reads the Chinese right. Rows, told
    apart by `record`: `loan` (one per header field: the field in `type`, its value in `description`),
    `opening`, one `line` per movement with its split and the principal after it, `totals`, `closing`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    cur, num = st.currency, st.loan_number
    blank = ("",) * 9
    w.writerow(CSV_COLUMNS)
    zh, en = METHOD_NAMES.get(st.method, ("", st.method))
    header = (
        ("borrower_number", st.borrower_number),
        ("borrower_name", st.borrower_name),
        ("product", f"{st.product_code} {st.product_name}".strip()),
        ("branch", st.branch_code),
        ("contract_amount", st.contract_amount),
        ("disbursed_amount", st.disbursed_amount),
        ("annual_rate", f"{st.annual_rate} %"),
        ("method", f"{st.method} ({zh} {en})" if zh else st.method),
        ("term_months", str(st.term_months)),
        ("maturity_date", st.maturity_date.isoformat() if st.maturity_date else ""),
        ("status", st.status),
        ("classification", st.classification),
        ("period", f"{st.date_from} to {st.date_to}"),
        ("issued", f"{st.generated_at:%Y-%m-%d %H:%M} UTC by {st.generated_by}"),
    )
    for key, value in header:
        w.writerow(("loan", num, "", key, _cell(value), "", *blank, cur))
    w.writerow(
        ("opening", num, st.date_from, "", "Opening principal", "", *blank[:-1], st.opening_principal, cur)
    )
    for m in st.movements:
        w.writerow(
            (
                "line",
                num,
                m.booked_on,
                m.kind,
                _cell(m.description),
                _cell(m.account or ""),
                m.disbursed,
                m.repaid,
                m.penalty,
                m.interest,
                m.principal,
                m.fee,
                m.recovery,
                m.principal_change,
                m.principal_balance,
                cur,
            )
        )
    t = st.totals
    w.writerow(
        (
            "totals",
            num,
            "",
            "",
            t.movements_text(),
            "",
            t.disbursed,
            t.repaid,
            t.penalty,
            t.interest,
            t.principal,
            t.fee,
            t.recovery,
            t.other_principal,
            "",
            cur,
        )
    )
    w.writerow(
        ("closing", num, st.date_to, "", "Closing principal", "", *blank[:-1], st.closing_principal, cur)
    )
    return buf.getvalue().encode("utf-8-sig")
