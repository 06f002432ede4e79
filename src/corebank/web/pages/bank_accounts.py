"""Internet banking: one of my accounts with its history (searched by dates, amount and text, page by page),
its exports as CSV, PDF and OFX, and month statements.

The history is `me.my_transactions` (dates are the service's own filter; amount and text are matched here on
the movements it returns), the exports are `me.my_statement` written by `finance.write_statement` (CSV, PDF)
or `finance.ofx.write_ofx` (OFX 2.2): the same use cases, owner checks and audit record as
GET /api/v1/me/accounts/{number}/statement. Someone else's account is NOT_FOUND, exactly as one that does not
exist.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from corebank import accounts, finance
from corebank.bootstrap import Bank
from corebank.channels import me
from corebank.db.uow import UnitOfWork
from corebank.finance import ofx
from corebank.finance.statements import MAX_DAYS
from corebank.kernel.errors import CoreBankError, InvalidAmount, InvalidRequest
from corebank.security import Actor
from corebank.web.pages.bank_session import BankActor
from corebank.web.pages.errors import form_error
from corebank.web.pages.render import N_, NavItem, register_nav, render
from corebank.web.routes.statements import statement_response

router = APIRouter(prefix="/bank", include_in_schema=False)
register_nav(NavItem("bank", N_("Banking"), N_("Statements"), "/bank/statements", None, order=20))

PER_PAGE = 20
SCAN_CHUNK = 200
SCAN_MAX = 10  # chunks read for one filtered page: a search never reads more than 2,000 movements at a time
EXPORTS = ("csv", "pdf", "ofx")
DEFAULT_DAYS = 90


def _day(name: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise finance.InvalidPeriod(f"{name} must be a date YYYY-MM-DD; got {text!r}") from None


def _amount(name: str, text: str | None) -> Decimal | None:
    if not text or not text.strip():
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise InvalidAmount(f"{name} must be an amount such as 100.00; got {text!r}") from None
    if not value.is_finite() or value < 0:
        raise InvalidAmount(f"{name} must be an amount of zero or more; got {text!r}")
    return value


class Search:
    """The history search a customer typed: dates, an amount range (either sign) and a text."""

    def __init__(self, params: dict[str, str]) -> None:
        self.raw = {k: (params.get(k) or "").strip() for k in ("from", "to", "min", "max", "q")}
        self.start = _day("from", self.raw["from"])
        self.end = _day("to", self.raw["to"])
        if self.start and self.end and self.start > self.end:
            raise finance.InvalidPeriod(f"from {self.start} is after to {self.end}")
        self.low = _amount("min", self.raw["min"])
        self.high = _amount("max", self.raw["max"])
        if self.low is not None and self.high is not None and self.low > self.high:
            raise InvalidAmount(f"min {self.low} is above max {self.high}")
        self.text = self.raw["q"].casefold()

    @property
    def filtered(self) -> bool:
        """True when the amount or text narrows the movements beyond the dates."""
        return self.low is not None or self.high is not None or bool(self.text)

    def matches(self, t: accounts.Transaction) -> bool:
        """Whether a movement fits the amount range (compared without its sign) and contains the text."""
        size = abs(Decimal(t.amount))
        if self.low is not None and size < self.low:
            return False
        if self.high is not None and size > self.high:
            return False
        if self.text:
            hay = " ".join((t.memo, t.reference or "", t.kind.replace("_", " "), t.amount)).casefold()
            return self.text in hay
        return True

    def query(self, **extra: str) -> str:
        """The search as a query string (with `extra`)."""
        return urlencode({**{k: v for k, v in self.raw.items() if v}, **extra})


def _history(
    bank: Bank, actor: Actor, number: str, search: Search, cursor: str | None
) -> tuple[list[accounts.Transaction], str | None]:
    """A page of movements newest first that fit `search`, and the cursor of the next page."""
    if not search.filtered:
        page = bank.run(
            me.my_transactions,
            actor,
            number,
            cursor=cursor,
            limit=PER_PAGE,
            from_date=search.start,
            to_date=search.end,
            readonly=True,
        )
        return page.items, page.next_cursor
    found: list[accounts.Transaction] = []
    for _ in range(SCAN_MAX):
        page = bank.run(
            me.my_transactions,
            actor,
            number,
            cursor=cursor,
            limit=SCAN_CHUNK,
            from_date=search.start,
            to_date=search.end,
            readonly=True,
        )
        for t in page.items:
            if search.matches(t):
                found.append(t)
                if len(found) == PER_PAGE:
                    # The history's cursor is the line to read below: resume right after this one.
                    more = t is not page.items[-1] or page.next_cursor is not None
                    return found, str(t.line_id) if more else None
        cursor = page.next_cursor
        if cursor is None:
            return found, None
    return found, cursor


@router.get("/accounts/{number}")
def account_page(request: Request, actor: BankActor, number: str) -> Response:
    """One of my accounts: balances, and its movements searched and paged."""
    bank: Bank = request.app.state.bank
    acc = bank.run(me.my_account, actor, number, readonly=True)
    params = dict(request.query_params)
    cursor = params.get("cursor") or None
    error = None
    items: list[accounts.Transaction] = []
    next_cursor = None
    search: Search | None = None
    try:
        search = Search(params)
        items, next_cursor = _history(bank, actor, number, search, cursor)
    except CoreBankError as exc:
        if not isinstance(exc, InvalidRequest):
            raise
        error = form_error(exc)
    raw = search.raw if search else {k: params.get(k, "") for k in ("from", "to", "min", "max", "q")}
    base = f"/bank/accounts/{number}"
    query = urlencode({k: v for k, v in raw.items() if v})
    pager = {
        "prev": (base + (f"?{query}" if query else "")) if cursor else None,
        "next": f"{base}?{urlencode({**{k: v for k, v in raw.items() if v}, 'cursor': next_cursor})}"
        if next_cursor
        else None,
    }
    export = _export_period(bank, search)
    ctx: dict[str, Any] = {
        "account": acc,
        "items": items,
        "search": raw,
        "paging": pager,
        "error": error,
        "export": export,
        "exports": EXPORTS,
    }
    return render(request, "bank/account.html", ctx, status=422 if error else 200, area="bank")


def _business_date(uow: UnitOfWork) -> date:
    return uow.business_date


def _today(bank: Bank) -> date:
    """The bank's business date: movements are booked on it, so periods end there."""
    return bank.run(_business_date, readonly=True)


def _export_period(bank: Bank, search: Search | None) -> dict[str, str]:
    """The dates an export of the page covers: the searched ones, else the last 90 days."""
    end = (search.end if search else None) or _today(bank)
    start = (search.start if search else None) or end - timedelta(days=DEFAULT_DAYS)
    if (end - start).days + 1 > MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
    return {"from": start.isoformat(), "to": end.isoformat()}


@router.get("/accounts/{number}/export")
def export(request: Request, actor: BankActor, number: str) -> Response:
    """The account's statement for a month or a period as CSV, PDF or OFX 2.2 (a download)."""
    bank: Bank = request.app.state.bank
    q = request.query_params
    kind = (q.get("format") or "csv").strip().lower()
    if kind not in EXPORTS:
        raise InvalidRequest(f"format must be one of {', '.join(EXPORTS)}; got {kind!r}")
    period = finance.parse_period(
        month=q.get("month") or None, start=q.get("from") or None, end=q.get("to") or None
    )
    st = bank.run(me.my_statement, actor, number, period)
    if kind != "ofx":
        return statement_response(bank, actor, st, finance.parse_format(kind))
    out = io.BytesIO()
    bank.run(ofx.write_ofx, actor, st, out, readonly=True)
    return Response(
        out.getvalue(),
        media_type=ofx.MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{ofx.filename(st)}"'},
    )


@router.get("/statements")
def statements_page(request: Request, actor: BankActor) -> Response:
    """Month statements of my accounts: the last twelve months, each as CSV, PDF or OFX."""
    bank: Bank = request.app.state.bank
    mine = bank.run(me.my_accounts, actor, readonly=True)
    today = _today(bank)
    months: list[str] = []
    year, month = today.year, today.month
    for _ in range(12):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return render(
        request, "bank/statements.html", {"accounts": mine, "months": months, "exports": EXPORTS}, area="bank"
    )
