"""The loan statement (贷款对账单) as a PDF (reportlab): A4 landscape, the loan's header, a table of every movement
with its split and the principal after it, drawn row by row straight onto the canvas with a new page (and the
column titles again) whenever one fills, and a summary of the totals. The pages, the table and the fonts
(Chinese borrower names and titles in STSong-Light) are the kernel's table writer; this module brings the
loan's head, rows and summary."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics

from corebank.kernel.pdf import Column, TablePage, fit, font_for
from corebank.loans.export import METHOD_NAMES
from corebank.loans.statement_schemas import LoanStatement

_AMOUNT_W = 66.0
COLUMNS = (  # wide, so the page is landscape
    Column("Date", 56.0),
    Column("Description"),  # what the others leave
    *(
        Column(title, _AMOUNT_W, right=True)
        for title in (
            "Disbursed",
            "Repaid",
            "Penalty",
            "Interest",
            "Principal",
            "Fee",
            "Recovery",
            "Principal after",
        )
    ),
)


def _nonzero(text: str) -> str:
    """An amount cell: blank for zero, so a row shows only what moved."""
    return "" if Decimal(text) == 0 else text


def _head(st: LoanStatement, bank_name: str, page: TablePage) -> float:
    """The full loan header on the first page, a short one after; the baseline the table (or text) starts at."""
    top, left, right = page.top, page.margin, page.width - page.margin
    period = f"{st.date_from} to {st.date_to}"
    if page.number > 1:
        page.text(left, top - 10, fit(bank_name, font_for(bank_name, True), 10, 300), 10, True)
        page.right(right, top - 10, f"Loan {st.loan_number}, {period}", 9, bold=True)
        page.line(top - 16)
        return top - 30
    page.text(left, top - 14, fit(bank_name, font_for(bank_name, True), 14, 420), 14, True)
    title = "LOAN STATEMENT"
    page.right(right, top - 14, title, 12, bold=True)
    gap = pdfmetrics.stringWidth(title, "Helvetica-Bold", 12) + 6
    page.right(right - gap, top - 14, "贷款对账单", 12)
    page.line(top - 20)
    zh, en = METHOD_NAMES.get(st.method, ("", st.method))
    cur = st.currency
    columns = (
        (
            ("Loan number", st.loan_number),
            ("Borrower", st.borrower_name),
            ("Borrower number", st.borrower_number),
            ("Product", f"{st.product_code} {st.product_name}".strip()),
            ("Branch", st.branch_code),
        ),
        (
            ("Contract amount", f"{st.contract_amount} {cur}"),
            ("Disbursed", f"{st.disbursed_amount} {cur}"),
            ("Rate", f"{st.annual_rate} % a year"),
            ("Method", en),
            ("Term", f"{st.term_months} months, to {st.maturity_date or '-'}"),
        ),
        (
            ("Period", period),
            ("Opening principal", f"{st.opening_principal} {cur}"),
            ("Closing principal", f"{st.closing_principal} {cur}"),
            ("Status", f"{st.status}, {st.classification.replace('_', ' ')}"),
            ("Issued", f"{st.generated_at:%Y-%m-%d %H:%M} UTC by {st.generated_by}"),
        ),
    )
    width = (page.width - 2 * page.margin) / 3
    for col, rows in enumerate(columns):
        x, y = left + col * width, top - 36
        for label, value in rows:
            page.text(x, y, label, 8.5)
            shown = fit(value, font_for(value, True), 8.5, width - 92)
            page.text(x + 82, y, shown, 8.5, bold=True)
            if label == "Method" and zh:
                w = pdfmetrics.stringWidth(shown, font_for(shown, True), 8.5)
                page.text(x + 86 + w, y, zh, 8.5)
            y -= 12
    return top - 36 - 5 * 12 - 8


def write_statement_pdf(st: LoanStatement, out: BinaryIO, bank_name: str) -> None:
    """Draw the statement onto `out` as an A4 (landscape) PDF: the loan's header, a table of every movement
    with its split and the principal after it (a new page, with the column titles again, whenever one fills),
    and a summary of the totals. Chinese text is set in the CID font STSong-Light, which needs no font file."""
    page = TablePage(
        out,
        pagesize=landscape(A4),
        columns=COLUMNS,
        head=partial(_head, st, bank_name),
        footer=f"Loan {st.loan_number}  {st.date_from} to {st.date_to}  {st.currency}",
        size=7.5,
        title=f"Loan statement {st.loan_number}, {st.date_from} to {st.date_to}",
        author=bank_name,
        subject="Loan statement",
    )
    page.start()
    empty = ("",) * 7
    page.row((st.date_from.isoformat(), "Opening principal", *empty, st.opening_principal), bold=True)
    for m in st.movements:
        what = f"{m.description} · {m.account}" if m.account else m.description
        page.row(
            (
                m.booked_on.isoformat(),
                what,
                _nonzero(m.disbursed),
                _nonzero(m.repaid),
                _nonzero(m.penalty),
                _nonzero(m.interest),
                _nonzero(m.principal),
                _nonzero(m.fee),
                _nonzero(m.recovery),
                m.principal_balance,
            )
        )
    if not st.movements:
        page.row(("", "No movements in this period", *empty, ""))
    t = st.totals
    page.need(2)
    page.rule()
    page.row(
        ("", "Total", t.disbursed, t.repaid, t.penalty, t.interest, t.principal, t.fee, t.recovery, ""),
        bold=True,
    )
    page.row((st.date_to.isoformat(), "Closing principal", *empty, st.closing_principal), bold=True)

    summary = [
        ("Opening principal", st.opening_principal),
        ("Disbursed", t.disbursed),
        ("Repaid in total", t.repaid),
        ("   of which penalty interest", t.penalty),
        ("   of which interest", t.interest),
        ("   of which principal", t.principal),
        ("   of which fees", t.fee),
        ("   of which recovery", t.recovery),
    ]
    if Decimal(t.other_principal) != 0:
        summary.append(("Other principal movements (write-off, corrections)", t.other_principal))
    summary.append(("Closing principal", st.closing_principal))
    page.summary(
        f"Summary: {t.movements_text()} in the period",
        [(label, f"{value} {st.currency}") for label, value in summary],
        380,
    )
    page.notes(
        "Closing principal = opening principal + disbursed - principal repaid + other principal movements; "
        "it equals the principal after the last movement."
    )
    page.finish()
