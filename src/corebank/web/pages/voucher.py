"""Counter vouchers (凭证): the slip every posted counter transaction ends on, on screen and as a PDF to print.

A voucher is found by its serial (凭证号, BBBB-YYYYMMDD-NNNNNN, the journal entry's reference) or, for an entry
that has no serial (a transfer), by its journal entry number. Reading one needs account.read and one of the
entry's branches in the reader's scope, as reading a transfer does.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from reportlab.lib.pagesizes import A5, landscape
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select

from corebank import accounts, ledger
from corebank.db.uow import UnitOfWork
from corebank.deposits.notice_models import NoticeDeposit
from corebank.deposits.time_models import TimeDeposit
from corebank.kernel.errors import NotFound
from corebank.kernel.money import minor_to_text
from corebank.kernel.pdf import font_for, register_cjk
from corebank.ledger import chart
from corebank.ledger.models import JournalEntry, JournalLine
from corebank.security import Actor, P
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.ACCOUNT_READ))]

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("仟", "佰", "拾", "")
SECTIONS = ("", "万", "亿", "万亿")

# What each kind of counter entry is called on the voucher.
KIND_NAMES = {
    "cash_deposit": N_("Cash deposit"),
    "cash_withdrawal": N_("Cash withdrawal"),
    "transfer": N_("Transfer"),
    "vault_to_till": N_("Cash from the vault"),
    "till_to_vault": N_("Cash to the vault"),
    "till_difference": N_("Till difference"),
    "close_settlement": N_("Account closing settlement"),
}


class VoucherNotFound(NotFound):
    code = "VOUCHER_NOT_FOUND"
    title = N_("No such voucher")


def _group(n: int) -> str:
    """Four digits (0..9999) in capital numerals, with 零 for inner zeros and none leading or trailing."""
    out, zero = "", False
    for i, d in enumerate(f"{n:04d}"):
        if d == "0":
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[int(d)] + PLACES[i]
    return out


def capital_amount(amount: Decimal) -> str:
    """An amount of yuan in Chinese capital numerals (大写金额) as written on vouchers and cheques:
    1234.56 -> 壹仟贰佰叁拾肆元伍角陆分, 100 -> 壹佰元整, 1.05 -> 壹元零伍分. Rounds half up to the fen."""
    if not isinstance(amount, Decimal):
        raise TypeError("capital_amount takes a Decimal, never a float")
    cents = int((abs(amount) * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    text, pending_zero = "", False
    groups: list[int] = []
    rest = yuan
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            pending_zero = bool(text)
            continue
        if text and (g < 1000 or pending_zero):
            text += "零"
        text += _group(g) + SECTIONS[idx]
        pending_zero = False
    if yuan:
        text += "元"
    if jiao:
        text += DIGITS[jiao] + "角"
    if fen:
        if yuan and not jiao:
            text += "零"
        text += DIGITS[fen] + "分"
    if not text:
        text = "零元"
    if not jiao and not fen:
        text += "整"  # after 元 the word 整 closes the amount; after 角 it may be left out, after 分 never
    return ("负" if amount < 0 else "") + text


@dataclass
class VoucherLine:
    """An account the voucher names: the customer's account, its side and the balance after."""

    account: str
    side: str  # "debit" or "credit"
    amount: str
    balance_after: str | None


@dataclass
class Voucher:
    """What a voucher shows."""

    serial: str
    entry_id: int
    kind: str
    memo: str
    teller: str
    branch_code: str
    branch_name: str
    bank_name: str
    booking_date: date
    created_at: datetime
    currency: str
    amount: str
    capital: str
    channel: str
    lines: list[VoucherLine] = field(default_factory=list)
    reversed_by: int | None = None


def opening_entry(uow: UnitOfWork, kind: str, number: str) -> int | None:
    """The journal entry that opened a time deposit (by certificate number) or a notice deposit (by its number):
    the first entry on the deposit's own ledger account. The opening services answer with the deposit, not the
    entry, and the counter shows the opening's voucher."""
    model_id, column = (
        (TimeDeposit.id, TimeDeposit.certificate_number)
        if kind == "time"
        else (NoticeDeposit.id, NoticeDeposit.number)
    )
    account_id = select(model_id).where(column == number).scalar_subquery()
    found = uow.session.execute(
        select(JournalLine.entry_id)
        .where(JournalLine.account_id == account_id)
        .order_by(JournalLine.id)
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def read_voucher(uow: UnitOfWork, actor: Actor, reference: str) -> Voucher:
    """The voucher with serial `reference` (or of journal entry `reference` when it is a number)."""
    actor.require(P.ACCOUNT_READ)
    q = select(JournalEntry.id)
    q = (
        q.where(JournalEntry.id == int(reference))
        if reference.isdigit()
        else q.where(JournalEntry.reference == reference)
    )
    entry_id = uow.session.execute(q.order_by(JournalEntry.id).limit(1)).scalar()
    if entry_id is None:
        raise VoucherNotFound(f"no voucher {reference}")
    entry = ledger.get_entry(uow, int(entry_id))
    branches = {ln.branch_code for ln in entry.lines}
    if actor.branches is not None and not (branches & actor.branches):
        actor.require_branch(entry.lines[0].branch_code)
    head = uow.session.get(JournalEntry, entry.id)
    numbers = accounts.numbers_of(uow, [ln.account_id for ln in entry.lines if ln.account_id is not None])
    till_line = next((ln for ln in entry.lines if ln.gl_code == chart.TELLER_CASH), None)
    branch = till_line.branch_code if till_line else (entry.reference or "")[:4] or entry.lines[0].branch_code
    names = {b["code"]: b["name"] for b in ledger.list_branches(uow)}
    if branch not in names:
        branch = entry.lines[0].branch_code
    currency = entry.lines[0].currency
    debit_total = sum(ln.amount for ln in entry.lines if ln.amount > 0)
    lines = [
        VoucherLine(
            account=numbers[int(ln.account_id)],
            side="debit" if ln.amount > 0 else "credit",
            amount=minor_to_text(abs(ln.amount), ln.currency),
            balance_after=None if ln.balance_after is None else minor_to_text(ln.balance_after, ln.currency),
        )
        for ln in entry.lines
        if ln.account_id is not None and int(ln.account_id) in numbers
    ]
    amount_text = lines[0].amount if lines else minor_to_text(debit_total, currency)
    return Voucher(
        serial=entry.reference or str(entry.id),
        entry_id=entry.id,
        kind=entry.kind,
        memo=entry.memo,
        teller=entry.created_by,
        branch_code=branch,
        branch_name=names.get(branch, ""),
        bank_name=uow.settings.bank_name,
        booking_date=entry.booking_date,
        created_at=head.created_at if head else datetime.min,
        currency=currency,
        amount=amount_text,
        capital=capital_amount(Decimal(amount_text)) if currency == "CNY" else "",
        channel=head.channel if head else "",
        lines=lines,
        reversed_by=ledger.reversal_of(uow, entry.id),
    )


def _kind(v: Voucher) -> str:
    return _(KIND_NAMES.get(v.kind, v.kind))


@router.get("/vouchers/{reference}.pdf")
def voucher_pdf(request: Request, reference: str, actor: Reader) -> Response:
    """The voucher as a one-page A5 PDF, to print and sign."""
    v = request.app.state.bank.run(read_voucher, actor, reference, readonly=True)
    body = voucher_document(v)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="voucher-{v.serial}.pdf"'},
    )


@router.get("/vouchers/{reference}")
def voucher_page(request: Request, reference: str, actor: Reader) -> Response:
    v = request.app.state.bank.run(read_voucher, actor, reference, readonly=True)
    return render(request, "console/counter/voucher.html", {"v": v, "kind_name": _kind(v)})


def voucher_document(v: Voucher) -> bytes:
    """Draw the voucher: the bank and branch, the serial, what happened, the amount in figures and in capitals,
    the balance after, and lines for the customer's and the teller's signatures."""
    register_cjk()
    buf = io.BytesIO()
    width, height = landscape(A5)
    c = Canvas(buf, pagesize=(width, height))
    c.setTitle(f"{v.bank_name} {v.serial}")

    def text(x: float, y: float, s: str, size: float = 10, bold: bool = False) -> None:
        c.setFont(font_for(s, bold), size)
        c.drawString(x, y, s)

    left, y = 40.0, height - 50
    title = f"{v.bank_name} — {_('Counter voucher')}"
    c.setFont(font_for(title, True), 15)
    c.drawCentredString(width / 2, y, title)
    y -= 28
    text(left, y, f"{_('Serial')}: ")
    text(left + 80, y, v.serial, 11, bold=True)
    text(width / 2, y, f"{_('Date and time')}: ")
    text(width / 2 + 90, y, v.created_at.strftime("%Y-%m-%d %H:%M:%S"))
    y -= 18
    text(left, y, f"{_('Branch')}: ")
    text(left + 80, y, f"{v.branch_code} {v.branch_name}")
    text(width / 2, y, f"{_('Teller')}: ")
    text(width / 2 + 90, y, v.teller)
    y -= 18
    text(left, y, f"{_('Transaction')}: ")
    text(left + 80, y, _kind(v))
    text(width / 2, y, f"{_('Booking date')}: ")
    text(width / 2 + 90, y, v.booking_date.isoformat())
    y -= 10
    c.line(left, y, width - left, y)
    y -= 20
    for line in v.lines:
        side = _("Debit") if line.side == "debit" else _("Credit")
        text(left, y, f"{side} {_('Account')}: ")
        text(left + 110, y, line.account)
        if line.balance_after is not None:
            text(width / 2, y, f"{_('Balance after')}: ")
            text(width / 2 + 90, y, f"{line.balance_after} {v.currency}")
        y -= 18
    text(left, y, f"{_('Amount')}: ")
    text(left + 110, y, f"{v.currency} {v.amount}", 12, bold=True)
    y -= 18
    if v.capital:
        text(left, y, f"{_('Amount in words')}: ")
        text(left + 110, y, f"人民币{v.capital}", 12)
        y -= 18
    if v.memo:
        text(left, y, f"{_('Memo')}: ")
        text(left + 110, y, v.memo[:80])
        y -= 18
    y = 60
    text(left, y, f"{_('Customer signature')}: ________________")
    text(width / 2, y, f"{_('Teller signature')}: ________________")
    c.showPage()
    c.save()
    return buf.getvalue()
