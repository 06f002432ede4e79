"""Statements as PDF (reportlab): drawn line by line straight onto the page canvas from an iterator, so no
table of the whole period is ever held as Python objects. Chinese text (holder names, memos) is set in
reportlab's built-in CID font STSong-Light, which needs no font file; everything else in Helvetica."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

if TYPE_CHECKING:
    from corebank.finance.statements import Statement, StatementLine, StatementTotals

CJK_FONT = "STSong-Light"
INTEREST_MARK = "[Interest]"
PAGE_W, PAGE_H = A4
MARGIN = 36.0
BOTTOM = 54.0  # the footer lives below this
ROW = 13.0
SIZE = 8.0
# Table columns: (title, width, right-aligned). The description takes what the others leave.
_FIXED = 56.0 + 56.0 + 3 * 78.0
COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("Date", 56.0, False),
    ("Value date", 56.0, False),
    ("Description", PAGE_W - 2 * MARGIN - _FIXED, False),
    ("Debit", 78.0, True),
    ("Credit", 78.0, True),
    ("Balance", 78.0, True),
)
_GREY = Color(0.9, 0.9, 0.9)
_INTEREST_SHADE = Color(1.0, 0.96, 0.84)
_SPACES = re.compile(r"\s+")
_TOTAL_PAGES = "statementTotalPages"


def _register_cjk() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def font_for(text: str, bold: bool = False) -> str:
    """Helvetica for Latin-1 text, the CJK font for anything else (it has Latin glyphs too, but no bold)."""
    if all(ord(ch) < 256 for ch in text):
        return "Helvetica-Bold" if bold else "Helvetica"
    return CJK_FONT


def fit(text: str, font: str, size: float, width: float) -> str:
    """`text` on one line, cut with "..." to fit `width` points."""
    text = _SPACES.sub(" ", text).strip()
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text + "..."


class _Page:
    """The canvas, the current page number and how far down the page the next row goes."""

    def __init__(self, st: Statement, out: BinaryIO) -> None:
        self.st = st
        self.c = Canvas(out, pagesize=A4, pageCompression=1)
        self.c.setTitle(f"Statement of account {st.account_number}, {st.period.text()}")
        self.c.setAuthor(st.bank_name)
        self.c.setSubject("Account statement")
        self.c.setCreator("CoreBank")
        self.number = 0
        self.y = 0.0

    def text(self, x: float, y: float, s: str, size: float = SIZE, bold: bool = False) -> None:
        self.c.setFont(font_for(s, bold), size)
        self.c.drawString(x, y, s)

    def right(self, x: float, y: float, s: str, size: float = SIZE, bold: bool = False) -> None:
        self.c.setFont(font_for(s, bold), size)
        self.c.drawRightString(x, y, s)

    def start(self) -> None:
        """Begin a page: the full header on the first, a short one after, then the table's column titles."""
        self.number += 1
        top = PAGE_H - MARGIN
        st = self.st
        if self.number == 1:
            self.text(MARGIN, top - 14, st.bank_name, 14, bold=True)
            self.right(PAGE_W - MARGIN, top - 14, "ACCOUNT STATEMENT", 12, bold=True)
            self.c.line(MARGIN, top - 20, PAGE_W - MARGIN, top - 20)
            left = (
                ("Account number", st.account_number),
                ("Account holder", st.holder_name),
                ("Customer number", st.customer_number),
                ("Currency", f"{st.currency} ({st.product_code})"),
                ("Branch", st.branch_code),
            )
            right = (
                ("Period", st.period.text()),
                ("Opening balance", f"{st.text(st.opening)} {st.currency}"),
                ("Closing balance", f"{st.text(st.closing)} {st.currency}"),
                ("Business date", st.business_date.isoformat()),
                ("Issued", f"{st.generated_at:%Y-%m-%d %H:%M} UTC by {st.generated_by}"),
            )
            y = top - 36
            half = (PAGE_W - 2 * MARGIN) / 2
            for (lk, lv), (rk, rv) in zip(left, right, strict=True):
                self.text(MARGIN, y, lk, 9)
                self.text(MARGIN + 90, y, fit(lv, font_for(lv, True), 9, half - 100), 9, bold=True)
                self.text(MARGIN + half, y, rk, 9)
                self.text(MARGIN + half + 90, y, rv, 9, bold=True)
                y -= 13
            y -= 8
        else:
            self.text(MARGIN, top - 10, fit(st.bank_name, font_for(st.bank_name, True), 10, 250), 10, True)
            self.right(
                PAGE_W - MARGIN, top - 10, f"Account {st.account_number}, {st.period.text()}", 9, bold=True
            )
            self.c.line(MARGIN, top - 16, PAGE_W - MARGIN, top - 16)
            y = top - 30
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
        self._footer()

    def _footer(self) -> None:
        st = self.st
        self.c.setLineWidth(0.5)
        self.c.line(MARGIN, BOTTOM - 12, PAGE_W - MARGIN, BOTTOM - 12)
        self.text(MARGIN, BOTTOM - 24, f"Account {st.account_number}  {st.period.text()}  {st.currency}", 7)
        label = f"Page {self.number} of "
        x = PAGE_W - MARGIN - pdfmetrics.stringWidth(label + "9999", "Helvetica", 7)
        self.text(x, BOTTOM - 24, label, 7)
        # The page count is known only at the end: every page shows one form, filled in once at the end.
        self.c.saveState()
        self.c.translate(x + pdfmetrics.stringWidth(label, "Helvetica", 7), BOTTOM - 24)
        self.c.doForm(_TOTAL_PAGES)
        self.c.restoreState()

    def need(self, rows: int) -> None:
        """Room for `rows` more rows, or a new page."""
        if self.y - (rows - 1) * ROW < BOTTOM:
            self.c.showPage()
            self.start()

    def row(
        self, cells: tuple[str, str, str, str, str, str], bold: bool = False, shade: Color | None = None
    ) -> None:
        """One table row."""
        self.need(1)
        if shade is not None:
            self.c.setFillColor(shade)
            self.c.rect(MARGIN, self.y - 4, PAGE_W - 2 * MARGIN, ROW, stroke=0, fill=1)
            self.c.setFillColorRGB(0, 0, 0)
        x = MARGIN
        for value, (_title, width, to_right) in zip(cells, COLUMNS, strict=True):
            if value:
                shown = fit(value, font_for(value, bold), SIZE, width - 4)
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


def render_statement(
    st: Statement, lines: Iterable[StatementLine], totals: StatementTotals, out: BinaryIO
) -> None:
    """Draw statement `st` into `out` as a PDF: header (bank, account, holder, currency, period, opening and
    closing balance), a table of every line with debit, credit and running balance (interest lines shaded
    and marked), and a summary of credits, debits and interest. `totals` fills as `lines` is consumed."""
    _register_cjk()
    page = _Page(st, out)
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
    page.y -= ROW / 2
    page.need(len(summary) + 3)
    page.text(MARGIN, page.y, "Summary", 10, bold=True)
    page.y -= ROW + 2
    for label, value in summary:
        page.text(MARGIN, page.y, label, 9)
        page.right(MARGIN + 330, page.y, f"{value} {st.currency}", 9, bold=True)
        page.y -= ROW
    page.y -= 4
    page.text(
        MARGIN,
        page.y,
        "The closing balance is the opening balance plus credits less debits, and equals the running balance "
        "of the last line.",
        7,
    )
    page.y -= ROW - 3
    page.text(MARGIN, page.y, f"Lines marked {INTEREST_MARK} are interest booked to the account.", 7)
    page.finish()
