"""The loan statement (贷款对账单) as a PDF (reportlab): A4 landscape, the loan's header, a table of every movement
with its split and the principal after it, drawn row by row straight onto the canvas with a new page (and the
column titles again) whenever one fills, and a summary of the totals. Chinese text (borrower names, the title)
is set in reportlab's built-in CID font STSong-Light, which needs no font file; everything else in Helvetica."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import BinaryIO

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from corebank.loans.export import METHOD_NAMES
from corebank.loans.statement_schemas import LoanStatement

CJK_FONT = "STSong-Light"
PAGE_W, PAGE_H = landscape(A4)  # wide: ten columns
MARGIN = 36.0
BOTTOM = 54.0  # the footer lives below this
ROW = 13.0
SIZE = 7.5
_AMOUNT_W = 66.0
# Table columns: (title, width, right-aligned). The description takes what the others leave.
COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("Date", 56.0, False),
    ("Description", PAGE_W - 2 * MARGIN - 56.0 - 8 * _AMOUNT_W, False),
    ("Disbursed", _AMOUNT_W, True),
    ("Repaid", _AMOUNT_W, True),
    ("Penalty", _AMOUNT_W, True),
    ("Interest", _AMOUNT_W, True),
    ("Principal", _AMOUNT_W, True),
    ("Fee", _AMOUNT_W, True),
    ("Recovery", _AMOUNT_W, True),
    ("Principal after", _AMOUNT_W, True),
)
_GREY = Color(0.9, 0.9, 0.9)
_SPACES = re.compile(r"\s+")
_TOTAL_PAGES = "loanStatementTotalPages"


def _font(text: str, bold: bool = False) -> str:
    """Helvetica for Latin-1 text, the CJK font for anything else (it has Latin glyphs too, but no bold)."""
    if all(ord(ch) < 256 for ch in text):
        return "Helvetica-Bold" if bold else "Helvetica"
    return CJK_FONT


def _fit(text: str, font: str, size: float, width: float) -> str:
    """`text` on one line, cut with "..." to fit `width` points."""
    text = _SPACES.sub(" ", text).strip()
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text + "..."


def _nonzero(text: str) -> str:
    """An amount cell: blank for zero, so a row shows only what moved."""
    return "" if Decimal(text) == 0 else text


class _Page:
    """The canvas, the current page number and how far down the page the next row goes."""

    def __init__(self, st: LoanStatement, out: BinaryIO, bank_name: str) -> None:
        self.st = st
        self.bank_name = bank_name
        self.c = Canvas(out, pagesize=(PAGE_W, PAGE_H), pageCompression=1)
        self.c.setTitle(f"Loan statement {st.loan_number}, {st.date_from} to {st.date_to}")
        self.c.setAuthor(bank_name)
        self.c.setSubject("Loan statement")
        self.c.setCreator("CoreBank")
        self.number = 0
        self.y = 0.0

    def text(self, x: float, y: float, s: str, size: float = SIZE, bold: bool = False) -> None:
        self.c.setFont(_font(s, bold), size)
        self.c.drawString(x, y, s)

    def right(self, x: float, y: float, s: str, size: float = SIZE, bold: bool = False) -> None:
        self.c.setFont(_font(s, bold), size)
        self.c.drawRightString(x, y, s)

    def start(self, table: bool = True) -> None:
        """Begin a page: the full header on the first, a short one after, then (for the table) its column
        titles."""
        self.number += 1
        top = PAGE_H - MARGIN
        st = self.st
        period = f"{st.date_from} to {st.date_to}"
        if self.number == 1:
            self.text(MARGIN, top - 14, _fit(self.bank_name, _font(self.bank_name, True), 14, 420), 14, True)
            title = "LOAN STATEMENT"
            self.right(PAGE_W - MARGIN, top - 14, title, 12, bold=True)
            gap = pdfmetrics.stringWidth(title, "Helvetica-Bold", 12) + 6
            self.right(PAGE_W - MARGIN - gap, top - 14, "贷款对账单", 12)
            self.c.line(MARGIN, top - 20, PAGE_W - MARGIN, top - 20)
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
            width = (PAGE_W - 2 * MARGIN) / 3
            for col, rows in enumerate(columns):
                x, y = MARGIN + col * width, top - 36
                for label, value in rows:
                    self.text(x, y, label, 8.5)
                    shown = _fit(value, _font(value, True), 8.5, width - 92)
                    self.text(x + 82, y, shown, 8.5, bold=True)
                    if label == "Method" and zh:
                        w = pdfmetrics.stringWidth(shown, _font(shown, True), 8.5)
                        self.text(x + 86 + w, y, zh, 8.5)
                    y -= 12
            y = top - 36 - 5 * 12 - 8
        else:
            self.text(MARGIN, top - 10, _fit(self.bank_name, _font(self.bank_name, True), 10, 300), 10, True)
            self.right(PAGE_W - MARGIN, top - 10, f"Loan {st.loan_number}, {period}", 9, bold=True)
            self.c.line(MARGIN, top - 16, PAGE_W - MARGIN, top - 16)
            y = top - 30
        self._footer()
        if not table:
            self.y = y
            return
        self.c.setFillColor(_GREY)
        self.c.rect(MARGIN, y - 4, PAGE_W - 2 * MARGIN, ROW, stroke=0, fill=1)
        self.c.setFillColorRGB(0, 0, 0)
        x = MARGIN
        for title, width, to_right in COLUMNS:
            if to_right:
                self.right(x + width - 2, y, title, bold=True)
            else:
                self.text(x + 2, y, title, bold=True)
            x += width
        self.y = y - ROW

    def _footer(self) -> None:
        st = self.st
        self.c.setLineWidth(0.5)
        self.c.line(MARGIN, BOTTOM - 12, PAGE_W - MARGIN, BOTTOM - 12)
        self.text(
            MARGIN, BOTTOM - 24, f"Loan {st.loan_number}  {st.date_from} to {st.date_to}  {st.currency}", 7
        )
        label = f"Page {self.number} of "
        x = PAGE_W - MARGIN - pdfmetrics.stringWidth(label + "9999", "Helvetica", 7)
        self.text(x, BOTTOM - 24, label, 7)
        # The page count is known only at the end: every page shows one form, filled in once at the end.
        self.c.saveState()
        self.c.translate(x + pdfmetrics.stringWidth(label, "Helvetica", 7), BOTTOM - 24)
        self.c.doForm(_TOTAL_PAGES)
        self.c.restoreState()

    def need(self, rows: int, table: bool = True) -> None:
        """Room for `rows` more rows, or a new page (with the table's column titles when `table`)."""
        if self.y - (rows - 1) * ROW < BOTTOM:
            self.c.showPage()
            self.start(table)

    def row(self, cells: tuple[str, ...], bold: bool = False) -> None:
        """One table row."""
        self.need(1)
        x = MARGIN
        for value, (_title, width, to_right) in zip(cells, COLUMNS, strict=True):
            if value:
                shown = _fit(value, _font(value, bold), SIZE, width - 4)
                if to_right:
                    self.right(x + width - 2, self.y, shown, bold=bold)
                else:
                    self.text(x + 2, self.y, shown, bold=bold)
            x += width
        self.y -= ROW

    def finish(self) -> None:
        """Close the last page and write the page count every page refers to."""
        self.c.showPage()
        self.c.beginForm(_TOTAL_PAGES)
        self.c.setFont("Helvetica", 7)
        self.c.drawString(0, 0, str(self.number))
        self.c.endForm()
        self.c.save()


def write_statement_pdf(st: LoanStatement, out: BinaryIO, bank_name: str) -> None:
    """Draw the statement onto `out` as an A4 (landscape) PDF: the loan's header, a table of every movement
    with its split and the principal after it (a new page, with the column titles again, whenever one fills),
    and a summary of the totals. Chinese text is set in the CID font STSong-Light, which needs no font file."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    page = _Page(st, out, bank_name)
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
    page.c.line(MARGIN, page.y + ROW - 4, PAGE_W - MARGIN, page.y + ROW - 4)
    page.row(
        ("", "Total", t.disbursed, t.repaid, t.penalty, t.interest, t.principal, t.fee, t.recovery, ""),
        bold=True,
    )
    page.row((st.date_to.isoformat(), "Closing principal", *empty, st.closing_principal), bold=True)

    cur = st.currency
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
    page.y -= ROW / 2
    page.need(len(summary) + 3, table=False)
    page.text(MARGIN, page.y, f"Summary: {t.movements_text()} in the period", 10, bold=True)
    page.y -= ROW + 2
    for label, value in summary:
        page.text(MARGIN, page.y, label, 9)
        page.right(MARGIN + 380, page.y, f"{value} {cur}", 9, bold=True)
        page.y -= ROW
    page.y -= 4
    page.text(
        MARGIN,
        page.y,
        "Closing principal = opening principal + disbursed - principal repaid + other principal movements; "
        "it equals the principal after the last movement.",
        7,
    )
    page.finish()
