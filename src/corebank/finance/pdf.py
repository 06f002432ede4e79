"""Statements as PDF (reportlab): drawn line by line straight onto the page canvas from an iterator, so no
table of the whole period is ever held as Python objects. The pages, the table and the fonts (Chinese holder
names and memos in STSong-Light) are the kernel's table writer; this module brings the statement's head, rows
and summary."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, BinaryIO

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4

from corebank.kernel.pdf import Column, TablePage, fit, font_for

if TYPE_CHECKING:
    from corebank.finance.statements import Statement, StatementLine, StatementTotals

INTEREST_MARK = "[Interest]"
COLUMNS = (
    Column("Date", 56.0),
    Column("Value date", 56.0),
    Column("Description"),  # what the others leave
    Column("Debit", 78.0, right=True),
    Column("Credit", 78.0, right=True),
    Column("Balance", 78.0, right=True),
)
_INTEREST_SHADE = Color(1.0, 0.96, 0.84)


def _head(st: Statement, page: TablePage) -> float:
    """The full statement header on the first page, a short one after; the baseline of the column titles."""
    top, left, right = page.top, page.margin, page.width - page.margin
    if page.number > 1:
        page.text(left, top - 10, fit(st.bank_name, font_for(st.bank_name, True), 10, 250), 10, True)
        page.right(right, top - 10, f"Account {st.account_number}, {st.period.text()}", 9, bold=True)
        page.line(top - 16)
        return top - 30
    page.text(left, top - 14, st.bank_name, 14, bold=True)
    page.right(right, top - 14, "ACCOUNT STATEMENT", 12, bold=True)
    page.line(top - 20)
    about = (
        ("Account number", st.account_number),
        ("Account holder", st.holder_name),
        ("Customer number", st.customer_number),
        ("Currency", f"{st.currency} ({st.product_code})"),
        ("Branch", st.branch_code),
    )
    figures = (
        ("Period", st.period.text()),
        ("Opening balance", f"{st.text(st.opening)} {st.currency}"),
        ("Closing balance", f"{st.text(st.closing)} {st.currency}"),
        ("Business date", st.business_date.isoformat()),
        ("Issued", f"{st.generated_at:%Y-%m-%d %H:%M} UTC by {st.generated_by}"),
    )
    y = top - 36
    half = (page.width - 2 * page.margin) / 2
    for (lk, lv), (rk, rv) in zip(about, figures, strict=True):
        page.text(left, y, lk, 9)
        page.text(left + 90, y, fit(lv, font_for(lv, True), 9, half - 100), 9, bold=True)
        page.text(left + half, y, rk, 9)
        page.text(left + half + 90, y, rv, 9, bold=True)
        y -= 13
    return y - 8


def render_statement(
    st: Statement, lines: Iterable[StatementLine], totals: StatementTotals, out: BinaryIO
) -> None:
    """Draw statement `st` into `out` as a PDF: header (bank, account, holder, currency, period, opening and
    closing balance), a table of every line with debit, credit and running balance (interest lines shaded
    and marked), and a summary of credits, debits and interest. `totals` fills as `lines` is consumed."""
    page = TablePage(
        out,
        pagesize=A4,
        columns=COLUMNS,
        head=partial(_head, st),
        footer=f"Account {st.account_number}  {st.period.text()}  {st.currency}",
        title=f"Statement of account {st.account_number}, {st.period.text()}",
        author=st.bank_name,
        subject="Account statement",
    )
    page.start()
    money = st.text
    start = st.period.start.isoformat()
    page.row((start, "", "Opening balance", "", "", money(st.opening)), bold=True)
    for ln in lines:
        text = f"{INTEREST_MARK} {ln.description}" if ln.is_interest else ln.description
        page.row(
            (
                ln.booking_date.isoformat(),
                ln.value_date.isoformat(),
                text,
                money(ln.debit) if ln.debit else "",
                money(ln.credit) if ln.credit else "",
                money(ln.balance),
            ),
            shade=_INTEREST_SHADE if ln.is_interest else None,
        )
    if totals.lines == 0:
        page.row(("", "", "No transactions in this period", "", "", ""))
    page.row((st.period.end.isoformat(), "", "Closing balance", "", "", money(st.closing)), bold=True)

    summary = (
        ("Opening balance", money(st.opening)),
        (f"Total credits ({totals.lines} lines in the period)", money(totals.credits)),
        ("Total debits", money(totals.debits)),
        ("Interest, net (included above)", money(totals.interest)),
        ("Closing balance", money(totals.closing)),
    )
    # A summary pushed onto a page of its own carries the column titles, as it always has.
    page.summary("Summary", [(label, f"{v} {st.currency}") for label, v in summary], 330, table=True)
    page.notes(
        "The closing balance is the opening balance plus credits less debits, and equals the running balance "
        "of the last line.",
        f"Lines marked {INTEREST_MARK} are interest booked to the account.",
    )
    page.finish()
