"""The interest certificate of a time deposit (定期存款利息清单) as PDF: the deposit's particulars and every
interest payment it has had (on what principal, at which rate, for which period), with the total.

Drawn with reportlab; Chinese text is set in reportlab's built-in CID font STSong-Light (no font file needed).
"""

from __future__ import annotations

from decimal import Decimal
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from corebank.db.uow import UnitOfWork
from corebank.deposits import time_store as store
from corebank.deposits.time_schemas import InterestCertificate
from corebank.kernel.pdf import CJK_FONT, register_cjk
from corebank.security import Actor, P

MEDIA_TYPE = "application/pdf"
PAGE_W, PAGE_H = A4
MARGIN = 48.0
ROW = 15.0
KIND_NAMES = {
    "maturity": "到期 At maturity",
    "rollover": "转存 Rollover",
    "early_withdrawal": "提前支取 Early withdrawal",
    "past_maturity": "逾期 Past maturity",
}
INSTRUCTION_NAMES = {
    "pay_to_account": "到期转入活期 Pay to linked account",
    "rollover_principal": "本金转存 Roll over principal",
    "rollover_principal_and_interest": "本息转存 Roll over principal and interest",
    "none": "不转存 Hold",
}
# Table columns: (title, x position, right-aligned).
COLUMNS: tuple[tuple[str, float, bool], ...] = (
    ("付息日 Paid on", MARGIN, False),
    ("类型 Kind", MARGIN + 72, False),
    ("计息本金 Principal", MARGIN + 262, True),
    ("利率 Rate %", MARGIN + 318, True),
    ("起止 Period", MARGIN + 330, False),
    ("利息 Interest", PAGE_W - MARGIN, True),
)


def interest_certificate(uow: UnitOfWork, actor: Actor, certificate_number: str) -> InterestCertificate:
    """What the interest certificate of a deposit shows, if it is in the actor's branch scope."""
    actor.require(P.ACCOUNT_READ)
    td = store.find(uow, actor, certificate_number)
    return InterestCertificate(
        bank_name=uow.settings.bank_name,
        deposit=store.deposit_read(uow, td),
        lines=store.interest_lines(uow, td),
        printed_on=uow.business_date,
    )


def _font() -> str:
    register_cjk()
    return CJK_FONT


def _runs(text: str, cjk_font: str) -> list[tuple[str, str]]:
    """`text` cut into runs of Latin-1 characters (Helvetica) and others (the CJK font)."""
    runs: list[tuple[str, str]] = []
    for ch in text:
        f = "Helvetica" if ord(ch) < 256 else cjk_font
        if runs and runs[-1][1] == f:
            runs[-1] = (runs[-1][0] + ch, f)
        else:
            runs.append((ch, f))
    return runs


def write_pdf(cert: InterestCertificate, out: BinaryIO) -> None:
    """Draw the interest certificate onto `out` (one page per 35 interest lines)."""
    font = _font()
    d = cert.deposit
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle(f"Interest certificate {d.certificate_number}")
    c.setAuthor(cert.bank_name)
    c.setSubject("Time deposit interest certificate")
    c.setCreator("CoreBank")

    def text(x: float, y: float, s: str, size: float = 9.0, right: bool = False) -> None:
        # Latin text in Helvetica (the CID font's Latin glyphs are poorly spaced), Chinese in the CID font.
        runs = _runs(s, font)
        if right:
            x -= sum(pdfmetrics.stringWidth(part, f, size) for part, f in runs)
        for part, f in runs:
            c.setFont(f, size)
            c.drawString(x, y, part)
            x += pdfmetrics.stringWidth(part, f, size)

    def header() -> float:
        y = PAGE_H - MARGIN
        text(MARGIN, y, cert.bank_name, 12)
        text(MARGIN, y - 20, "定期存款利息清单  Time deposit interest certificate", 14)
        y -= 46
        facts = (
            ("存单号 Certificate", d.certificate_number),
            ("户名 Holder", f"{d.name} ({d.customer_number})"),
            ("产品 Product", f"{d.product_code}, {d.term_months} 个月 months, {d.currency}"),
            ("开户日 Opened", d.opened_on.isoformat()),
            ("本金 Principal", f"{d.principal} (开户 opening {d.opening_principal})"),
            ("年利率 Rate", f"{d.annual_rate} %, 本期 term {d.term_start} ~ {d.maturity_date}"),
            ("到期处理 At maturity", INSTRUCTION_NAMES.get(d.maturity_instruction, d.maturity_instruction)),
            ("状态 Status", d.status + (f", 结清 closed {d.closed_on}" if d.closed_on else "")),
        )
        for label, value in facts:
            text(MARGIN, y, label, 9)
            text(MARGIN + 120, y, value, 9)
            y -= ROW
        y -= 8
        for title, x, right in COLUMNS:
            text(x, y, title, 8, right)
        c.line(MARGIN, y - 4, PAGE_W - MARGIN, y - 4)
        return y - ROW - 2

    y = header()
    for i, line in enumerate(cert.lines):
        if i and i % 35 == 0:
            c.showPage()
            y = header()
        cells = (
            line.paid_on.isoformat(),
            KIND_NAMES.get(line.kind, line.kind),
            line.principal,
            line.annual_rate,
            f"{line.period_from} ~ {line.period_to} ({line.basis})",
            line.amount,
        )
        for (_title, x, right), value in zip(COLUMNS, cells, strict=True):
            text(x, y, value, 8, right)
        y -= ROW
    if not cert.lines:
        text(MARGIN, y, "尚未付息 No interest paid yet", 9)
        y -= ROW
    total = sum((Decimal(line.amount) for line in cert.lines), Decimal(0))
    c.line(MARGIN, y + 8, PAGE_W - MARGIN, y + 8)
    text(MARGIN, y - 4, "利息合计 Total interest paid", 9)
    text(PAGE_W - MARGIN, y - 4, f"{total} {d.currency}", 9, right=True)
    text(
        MARGIN, y - 4 - ROW, f"到期应付利息 Interest due at maturity (current term): {d.expected_interest}", 9
    )
    text(MARGIN, MARGIN, f"打印日 Printed on {cert.printed_on}  ·  CoreBank", 8)
    c.showPage()
    c.save()
