"""A repayment schedule (还款计划表) as CSV or PDF, from the schedule a preview (or later a loan) returns."""

from __future__ import annotations

import csv
import io
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from corebank.kernel.money import Money, minor_to_text
from corebank.kernel.pdf import CJK_FONT, font_for, register_cjk
from corebank.loans.schemas import ScheduleLineRead, SchedulePreview, ScheduleRead

CSV_COLUMNS = (
    "period",
    "due_date",
    "opening_principal",
    "payment",
    "principal",
    "interest",
    "closing_principal",
)
METHOD_NAMES = {  # (Chinese, English): each set in its own font
    "equal_installment": ("等额本息", "Equal installment"),
    "equal_principal": ("等额本金", "Equal principal"),
    "interest_only": ("先息后本", "Interest only, principal at maturity"),
    "bullet": ("到期一次还本付息", "Single payment at maturity"),
}
_W, _H = A4
_MARGIN, _ROW, _PER_PAGE = 48.0, 14.0, 45


def schedule_csv(s: SchedulePreview) -> str:
    """The schedule as CSV text: one row per period, then a totals row; amounts are exact decimal text."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for ln in s.lines:
        w.writerow(
            (
                ln.period,
                ln.due_date or "",
                ln.opening_principal,
                ln.payment,
                ln.principal,
                ln.interest,
                ln.closing_principal,
            )
        )
    w.writerow(("total", "", s.principal, s.total_payment, s.total_principal, s.total_interest, ""))
    return out.getvalue()


def write_schedule_pdf(s: SchedulePreview, out: BinaryIO, title: str = "CoreBank") -> None:
    """Draw the schedule onto `out`: the loan's terms, then a table of periods, 45 to a page, and the totals."""
    register_cjk()
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle("Repayment schedule")
    c.setCreator("CoreBank")
    # Period and due date start at their x; the five amounts end at theirs (right-aligned).
    xs = (_MARGIN, _MARGIN + 50, _MARGIN + 200, _MARGIN + 280, _MARGIN + 360, _MARGIN + 430, _W - _MARGIN)
    heads = ("Period", "Due date", "Opening", "Payment", "Principal", "Interest", "Closing")

    def header(page: int) -> float:
        y = _H - _MARGIN
        c.setFont(font_for(title, bold=True), 12)  # a bank name in Chinese needs the CJK font
        c.drawString(_MARGIN, y, title)
        c.setFont(CJK_FONT, 13)
        c.drawString(_MARGIN, y - 20, "还款计划表")
        c.setFont("Helvetica", 13)
        c.drawString(_MARGIN + 70, y - 20, "Repayment schedule")
        c.setFont("Helvetica", 9)
        c.drawString(
            _MARGIN,
            y - 38,
            f"Principal {s.principal} {s.currency} · {s.annual_rate} % a year · {s.term_months} months",
        )
        zh, en = METHOD_NAMES.get(s.method, ("", s.method))
        c.setFont(CJK_FONT, 9)
        c.drawString(_MARGIN, y - 52, zh)
        c.setFont("Helvetica", 9)
        c.drawString(_MARGIN + pdfmetrics.stringWidth(zh, CJK_FONT, 9) + 6, y - 52, en)
        c.setFont("Helvetica", 8)
        c.drawRightString(_W - _MARGIN, y, f"page {page}")
        y -= 74
        c.setFont("Helvetica-Bold", 8)
        for i, h in enumerate(heads):
            if i < 2:
                c.drawString(xs[i], y, h)
            else:
                c.drawRightString(xs[i], y, h)
        c.line(_MARGIN, y - 4, _W - _MARGIN, y - 4)
        return y - _ROW - 2

    def row(y: float, cells: tuple[str, ...], bold: bool = False) -> None:
        c.setFont("Helvetica-Bold" if bold else "Helvetica", 8)
        for i, v in enumerate(cells):
            if i < 2:
                c.drawString(xs[i], y, v)
            else:
                c.drawRightString(xs[i], y, v)

    page = 1
    y = header(page)
    for n, ln in enumerate(s.lines):
        if n and n % _PER_PAGE == 0:
            c.showPage()
            page += 1
            y = header(page)
        due = ln.due_date.isoformat() if ln.due_date else ""
        row(
            y,
            (
                str(ln.period),
                due,
                ln.opening_principal,
                ln.payment,
                ln.principal,
                ln.interest,
                ln.closing_principal,
            ),
        )
        y -= _ROW
    c.line(_MARGIN, y + _ROW - 4, _W - _MARGIN, y + _ROW - 4)
    row(y - 2, ("Total", "", "", s.total_payment, s.total_principal, s.total_interest, ""), bold=True)
    c.showPage()
    c.save()


def stored_schedule_as_preview(sched: ScheduleRead) -> SchedulePreview:
    """A loan's stored schedule in the calculator's shape, so the same CSV and PDF serve both."""
    cur = sched.currency

    def minor(text: str) -> int:
        return Money.of(text, cur).to_minor()

    opening = minor(sched.principal)
    lines = []
    pay = prin = inte = 0
    for line in sched.lines:
        p, i = minor(line.principal), minor(line.interest)
        lines.append(
            ScheduleLineRead(
                period=line.period,
                due_date=line.due_date,
                opening_principal=minor_to_text(opening, cur),
                payment=minor_to_text(p + i, cur),
                principal=line.principal,
                interest=line.interest,
                closing_principal=minor_to_text(opening - p, cur),
            )
        )
        opening -= p
        pay, prin, inte = pay + p + i, prin + p, inte + i
    return SchedulePreview(
        currency=cur,
        principal=sched.principal,
        annual_rate=sched.annual_rate,
        term_months=len(sched.lines),
        method=sched.method,
        first_due_date=sched.lines[0].due_date if sched.lines else None,
        lines=lines,
        total_payment=minor_to_text(pay, cur),
        total_principal=minor_to_text(prin, cur),
        total_interest=minor_to_text(inte, cur),
    )
