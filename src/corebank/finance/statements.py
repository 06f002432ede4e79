"""Account statements (对账单) for a period, as CSV or PDF: the opening balance, every line with its running
balance, interest lines marked, totals, and the closing balance, checked against the ledger's own figures.

A statement is issued in two steps so that a long one never holds the write lock: `account_statement`
checks the reader's rights, reads the header (opening and closing balance, the last line of the period) and
records the reading in the audit trail; `write_statement` then streams the lines, chunk by chunk, into a
file in a read-only transaction, checking every running balance on the way.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import BinaryIO, Literal

from corebank import accounts
from corebank.accounts import Transaction
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.kernel.money import Money, minor_to_text
from corebank.security import Actor, P

# Lines are read this many at a time, so a statement of any length takes bounded memory.
CHUNK = 1000
# The longest period one statement may cover: a (leap) year.
MAX_DAYS = 366
# Entry kinds that book interest to the customer start with this (interest_settlement, interest_reversal ...).
INTEREST_PREFIX = "interest"

StatementFormat = Literal["pdf", "csv"]
FORMATS: tuple[StatementFormat, ...] = ("pdf", "csv")
MEDIA_TYPES: dict[StatementFormat, str] = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}

CSV_COLUMNS = (
    "record",
    "booking_date",
    "value_date",
    "type",
    "interest",
    "description",
    "reference",
    "debit",
    "credit",
    "balance",
    "currency",
)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# A cell starting with one of these is a formula to a spreadsheet: such text is prefixed with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class InvalidPeriod(InvalidRequest):
    code = "INVALID_PERIOD"
    title = "The statement period is not valid"


class StatementOutOfBalance(CoreBankError):
    """The lines do not add up to the closing balance: the statement is withheld rather than issued wrong."""

    code = "STATEMENT_OUT_OF_BALANCE"
    status = 500
    title = "The statement does not add up; it was not issued"


@dataclass(frozen=True, slots=True)
class StatementPeriod:
    """The booking dates a statement covers, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Calendar days covered, both ends counted."""
        return (self.end - self.start).days + 1

    def text(self) -> str:
        """The period as people write it, e.g. "2026-03-01 to 2026-03-31"."""
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def month_period(text: str) -> StatementPeriod:
    """The whole calendar month named "YYYY-MM"."""
    m = _MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InvalidPeriod(f"month must be YYYY-MM, e.g. 2026-03; got {text!r}")
    year, month = int(m.group(1)), int(m.group(2))
    if year < 1900:
        raise InvalidPeriod(f"month {text!r} is before any statement this bank keeps")
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return StatementPeriod(first, following - timedelta(days=1))


def _day(name: str, text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidPeriod(f"{name} must be a date YYYY-MM-DD; got {text!r}") from None


def parse_period(
    *, month: str | None = None, start: str | None = None, end: str | None = None
) -> StatementPeriod:
    """The period a request names: `month` (YYYY-MM), or `start` and `end` (YYYY-MM-DD, both included).
    Refused with INVALID_PERIOD: both or neither given, a bad date, start after end, more than 366 days."""
    if month and (start or end):
        raise InvalidPeriod("give either month, or from and to, not both")
    if month:
        return month_period(month)
    if not start or not end:
        raise InvalidPeriod("give month=YYYY-MM, or both from=YYYY-MM-DD and to=YYYY-MM-DD")
    period = StatementPeriod(_day("from", start), _day("to", end))
    if period.start > period.end:
        raise InvalidPeriod(f"from {period.start} is after to {period.end}")
    if period.days > MAX_DAYS:
        raise InvalidPeriod(f"a statement covers at most {MAX_DAYS} days; {period.text()} is {period.days}")
    return period


def parse_format(text: str | None) -> StatementFormat:
    """`pdf` or `csv` (default csv, any letter case); anything else is refused with INVALID_REQUEST."""
    value = (text or "csv").strip().lower()
    for fmt in FORMATS:
        if value == fmt:
            return fmt
    raise InvalidRequest(f"format must be one of {', '.join(FORMATS)}; got {text!r}")


@dataclass(frozen=True, slots=True)
class Statement:
    """A statement's header. Balances are integer minor units of `currency`; the lines follow it.
    `opening` is the balance after the last line booked before the period (0 if none); `closing` the balance
    after the period's last line, which is `last_line_id` (None when the period has no lines)."""

    bank_name: str
    account_number: str
    holder_name: str
    customer_number: str
    currency: str
    branch_code: str
    product_code: str
    period: StatementPeriod
    opening: int
    closing: int
    opening_line_id: int
    last_line_id: int | None
    business_date: date
    generated_at: datetime
    generated_by: str

    def text(self, minor: int) -> str:
        """An amount of this statement's currency as text, e.g. 115173 -> "1151.73"."""
        return minor_to_text(minor, self.currency)

    def filename(self, fmt: StatementFormat) -> str:
        """The file name to save this statement under."""
        return f"statement-{self.account_number}-{self.period.start}-{self.period.end}.{fmt}"


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One movement: `amount` signed in minor units (positive credits the customer), `balance` after it."""

    line_id: int
    entry_id: int
    booking_date: date
    value_date: date
    kind: str
    description: str
    reference: str
    amount: int
    balance: int
    channel: str

    @property
    def is_interest(self) -> bool:
        """True for interest booked to the account (settlement, or its correction)."""
        return self.kind.startswith(INTEREST_PREFIX)

    @property
    def debit(self) -> int:
        """Money out, as a positive amount (0 for a credit)."""
        return -self.amount if self.amount < 0 else 0

    @property
    def credit(self) -> int:
        """Money in (0 for a debit)."""
        return self.amount if self.amount > 0 else 0


@dataclass(slots=True)
class StatementTotals:
    """What the period added up to, in minor units. `interest` is net interest booked (credits less debits)."""

    opening: int
    credits: int = 0
    debits: int = 0
    interest: int = 0
    lines: int = 0

    @property
    def closing(self) -> int:
        """Opening balance plus every line."""
        return self.opening + self.credits - self.debits

    def add(self, line: StatementLine) -> None:
        """Count one line in."""
        self.credits += line.credit
        self.debits += line.debit
        if line.is_interest:
            self.interest += line.amount
        self.lines += 1


def _minor(text: str, currency: str) -> int:
    return Money.of(text, currency).to_minor()


def _describe(t: Transaction) -> str:
    text = t.memo.strip() or t.kind.replace("_", " ")
    if t.reverses_entry is not None and "revers" not in text.lower():
        text = f"Reversal of entry {t.reverses_entry}: {text}"
    return text


def account_statement(uow: UnitOfWork, actor: Actor, number: str, period: StatementPeriod) -> Statement:
    """The header of `number`'s statement for `period`, if the account is in the actor's branch scope: who
    holds it, opening balance (after the last line before the period, 0 if none), closing balance (after the
    period's last line). The reading is recorded in the audit trail."""
    actor.require(P.ACCOUNT_READ)
    acc = accounts.get_account(uow, actor, number)
    cur = acc.currency
    before = accounts.history(uow, actor, number, limit=1, to_date=period.start - timedelta(days=1)).items
    opening, opening_line = 0, 0
    if before:
        if before[0].balance_after is None:
            raise StatementOutOfBalance(f"line {before[0].line_id} of {number} carries no balance")
        opening, opening_line = _minor(before[0].balance_after, cur), before[0].line_id
    upto = accounts.history(uow, actor, number, limit=1, to_date=period.end).items
    closing, last_line = opening, None
    if upto and upto[0].line_id > opening_line:
        if upto[0].balance_after is None:
            raise StatementOutOfBalance(f"line {upto[0].line_id} of {number} carries no balance")
        closing, last_line = _minor(upto[0].balance_after, cur), upto[0].line_id
    uow.audit(
        actor,
        "account.statement",
        "account",
        number,
        from_date=str(period.start),
        to_date=str(period.end),
    )
    return Statement(
        bank_name=uow.settings.bank_name,
        account_number=acc.number,
        holder_name=acc.name,
        customer_number=acc.customer_number,
        currency=cur,
        branch_code=acc.branch_code,
        product_code=acc.product_code,
        period=period,
        opening=opening,
        closing=closing,
        opening_line_id=opening_line,
        last_line_id=last_line,
        business_date=uow.business_date,
        generated_at=uow.now,
        generated_by=actor.username,
    )


def statement_lines(uow: UnitOfWork, actor: Actor, st: Statement) -> Iterator[StatementLine]:
    """The period's lines oldest first, read CHUNK at a time. Each line's running balance is held against the
    ledger's, and the last against the header's closing balance; a difference raises StatementOutOfBalance."""
    if st.last_line_id is None:
        return
    running, after, last_seen = st.opening, st.opening_line_id, None
    while True:
        chunk = accounts.statement_chunk(
            uow,
            actor,
            st.account_number,
            from_date=st.period.start,
            to_date=st.period.end,
            after_line=after,
            size=CHUNK,
        )
        for t in chunk:
            if t.line_id > st.last_line_id:  # booked after the header was read: the next statement's
                break
            amount = _minor(t.amount, st.currency)
            running += amount
            if t.balance_after is not None and _minor(t.balance_after, st.currency) != running:
                raise StatementOutOfBalance(
                    f"line {t.line_id} of {st.account_number}: running balance {st.text(running)} but the "
                    f"ledger says {t.balance_after}"
                )
            last_seen = t.line_id
            yield StatementLine(
                line_id=t.line_id,
                entry_id=t.entry_id,
                booking_date=t.booking_date,
                value_date=t.value_date,
                kind=t.kind,
                description=_describe(t),
                reference=t.reference or "",
                amount=amount,
                balance=running,
                channel=t.channel,
            )
        if len(chunk) < CHUNK or chunk[-1].line_id >= st.last_line_id:
            break
        after = chunk[-1].line_id
    if last_seen != st.last_line_id or running != st.closing:
        raise StatementOutOfBalance(
            f"the lines of {st.account_number} for {st.period.text()} end at {st.text(running)}, "
            f"the closing balance is {st.text(st.closing)}"
        )


def _tallied(lines: Iterable[StatementLine], totals: StatementTotals) -> Iterator[StatementLine]:
    for line in lines:
        totals.add(line)
        yield line


def _cell(text: str) -> str:
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def write_csv(st: Statement, lines: Iterable[StatementLine], totals: StatementTotals, out: BinaryIO) -> None:
    """Write the statement as UTF-8 CSV: an `opening` row, one `line` row per movement (debit or credit,
    running balance, `interest` = yes for interest lines), then `totals`, `interest` and `closing` rows."""
    buf = io.StringIO()
    w = csv.writer(buf)
    cur, money = st.currency, st.text

    def flush() -> None:
        out.write(buf.getvalue().encode("utf-8"))
        buf.seek(0)
        buf.truncate()

    w.writerow(CSV_COLUMNS)
    w.writerow(
        ["opening", st.period.start, "", "", "", "Opening balance", "", "", "", money(st.opening), cur]
    )
    for n, ln in enumerate(lines, 1):
        w.writerow(
            [
                "line",
                ln.booking_date,
                ln.value_date,
                ln.kind,
                "yes" if ln.is_interest else "no",
                _cell(ln.description),
                _cell(ln.reference),
                money(ln.debit) if ln.debit else "",
                money(ln.credit) if ln.credit else "",
                money(ln.balance),
                cur,
            ]
        )
        if n % CHUNK == 0:
            flush()
    interest_in, interest_out = max(totals.interest, 0), max(-totals.interest, 0)
    lines_text = f"{totals.lines} lines"
    w.writerow(
        ["totals", "", "", "", "", lines_text, "", money(totals.debits), money(totals.credits), "", cur]
    )
    w.writerow(
        ["interest", "", "", "", "yes", "Net interest", "", money(interest_out), money(interest_in), "", cur]
    )
    w.writerow(["closing", st.period.end, "", "", "", "Closing balance", "", "", "", money(st.closing), cur])
    flush()


def write_statement(
    uow: UnitOfWork, actor: Actor, st: Statement, fmt: StatementFormat, out: BinaryIO
) -> StatementTotals:
    """Write statement `st` (from `account_statement`) to `out` as PDF or CSV and return its totals. Runs in a
    read-only transaction; `out` is rewound and emptied first, so a retried transaction starts it over."""
    actor.require(P.ACCOUNT_READ)
    actor.require_branch(st.branch_code)
    out.seek(0)
    out.truncate()
    totals = StatementTotals(opening=st.opening)
    lines = _tallied(statement_lines(uow, actor, st), totals)
    if fmt == "pdf":
        from corebank.finance import pdf  # reportlab loads only when a PDF is asked for

        pdf.render_statement(st, lines, totals, out)
    else:
        write_csv(st, lines, totals, out)
    if totals.closing != st.closing:
        raise StatementOutOfBalance(
            f"{st.account_number}: opening {st.text(st.opening)} + credits {st.text(totals.credits)} - "
            f"debits {st.text(totals.debits)} is not the closing balance {st.text(st.closing)}"
        )
    return totals
